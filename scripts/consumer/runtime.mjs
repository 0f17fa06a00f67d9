// What the Bun and Deno programs run, from the installed packages: the engine's version, a
// container run to its output, an exec session with stdin half-closed, and an unknown image's
// error in the error channel. `layer` is the runtime's own (BunDocker's or DenoDocker's).
import { Docker, Multiplexed } from "@effect-docker/client"
import { Effect } from "effect"

const fail = (message) => {
  throw new Error(message)
}

export const program = (runtime, layer) =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const version = yield* docker.system.version()
    const output = yield* docker.containers.run({
      image: "busybox",
      cmd: ["echo", `hello from ${runtime}`],
      remove: true
    })
    if (output.trim() !== `hello from ${runtime}`) fail(`unexpected output: ${output}`)
    const missing = yield* Effect.flip(docker.images.inspect("effect-docker/no-such-image:never"))
    if (missing._tag !== "NotFound") fail(`expected NotFound, got ${missing._tag}`)
    const { exitCode, stdout } = yield* Effect.scoped(Effect.gen(function*() {
      const container = yield* docker.containers.scoped({ image: "busybox", cmd: ["sleep", "30"] })
      const session = yield* docker.exec.session(container.Id, { cmd: ["sh", "-c", "cat; exit 4"], stdin: true })
      yield* session.write(`stdin through ${runtime}`)
      yield* session.closeStdin
      const { stdout } = yield* Multiplexed.collectText(session.output)
      return { stdout, exitCode: yield* session.exitCode }
    }))
    const echoed = stdout
    if (exitCode !== 4) fail(`unexpected exec exit code: ${exitCode}`)
    if (echoed !== `stdin through ${runtime}`) fail(`unexpected exec output: ${echoed}`)
    console.log(
      `${runtime}: engine ${version.Version}, ran "${output.trim()}", exec echoed "${echoed}" and exited ${exitCode}, unknown image: ${missing._tag}`
    )
  }).pipe(Effect.provide(layer), Effect.runPromise)
