/**
 * Sessions and archives: an exec session whose stdin the program writes and then half-closes while
 * the process's output streams back, a file put into the container as a tar and read back with its
 * stat, and a command's exit code. Run it with `pnpm tsx examples/sessions/shell.ts`.
 */
import { Docker, Multiplexed } from "@effect-docker/client"
import { NodeDocker, Tar } from "@effect-docker/node"
import { Console, Effect } from "effect"

export const shell = (options: { readonly labels?: Record<string, string> } = {}) =>
  Effect.scoped(Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const box = yield* docker.containers.scoped({
      image: "busybox",
      cmd: ["sleep", "300"],
      labels: { ...options.labels },
      // `sleep` as PID 1 ignores SIGTERM: no need to wait the engine's 10 s before the kill.
      stopTimeout: "1 second"
    })
    // stdin in, EOF, then the output: `sort` prints only once its input has ended.
    const session = yield* docker.exec.session(box.Id, { cmd: ["sort"], stdin: true })
    yield* session.write("pear\napple\nfig\n")
    yield* session.closeStdin
    const sorted = (yield* Multiplexed.collectText(session.output)).stdout
    // A file in, as a tar; read back through the engine.
    yield* docker.containers.putArchive(box.Id, "/tmp", Tar.fromFiles({ "note.txt": "written from effect-docker\n" }))
    const archive = yield* docker.containers.getArchive(box.Id, "/tmp/note.txt")
    const files = yield* Tar.readFiles(archive.content)
    // A command that fails, with its exit code and stderr.
    const failed = yield* docker.exec.run(box.Id, { cmd: ["sh", "-c", "echo nope >&2; exit 4"] })
    return {
      sorted,
      note: new TextDecoder().decode(files["note.txt"]),
      size: archive.stat.size,
      exitCode: failed.exitCode,
      stderr: failed.stderr
    }
  }))

// Run as a program (not when a test imports it).
if (import.meta.url === `file://${process.argv[1]}`) {
  shell().pipe(
    Effect.tap((result) => Console.log(result)),
    Effect.provide(NodeDocker.layerFromEnv()),
    Effect.runPromise
  ).catch((error) => {
    console.error(error)
    process.exit(1)
  })
}
