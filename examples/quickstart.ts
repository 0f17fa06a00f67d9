/**
 * The quick start: list containers, run one detached, stop it, and handle an error in the error
 * channel. The program is one Effect whatever the runtime: here Node's layer provides it, and
 * test/runtimes.test.ts runs it on Bun and Deno with theirs. Runs against DOCKER_HOST or the default socket (`pnpm example` starts the project's
 * private engine when neither answers).
 */
import { Docker } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import { Console, Effect } from "effect"

export const quickstart = Effect.gen(function*() {
  const docker = yield* Docker.Docker

  const version = yield* docker.system.version()
  yield* Console.log(`engine ${version.Version}, API ${yield* docker.engine.apiVersion}`)

  const containers = yield* docker.containers.list()
  yield* Console.log(`running containers: ${containers.length}`)

  const container = yield* docker.containers.run({ image: "busybox", cmd: ["sleep", "30"], detach: true })
  yield* Console.log(`started ${container.Id.slice(0, 12)} (${container.State?.Status})`)
  yield* docker.containers.stop(container.Id, { timeout: "1 second" })
  yield* docker.containers.remove(container.Id)
  yield* Console.log(`stopped and removed ${container.Id.slice(0, 12)}`)

  const greeting = yield* docker.containers.run({ image: "busybox", cmd: ["echo", "hello from busybox"], remove: true })
  yield* Console.log(`output: ${greeting.trim()}`)

  // An unknown image fails in the error channel with a tagged error, not a defect.
  yield* docker.images.inspect("no-such-image:never").pipe(
    Effect.catchTag("NotFound", (error) => Console.log(`as expected, NotFound (${error.resource}): ${error.message}`))
  )
  const failed = yield* docker.containers.run({
    image: "busybox",
    cmd: ["sh", "-c", "echo broken >&2; exit 3"],
    remove: true
  }).pipe(
    Effect.catchTag("ContainerExitError", (error) => Effect.succeed(`exit ${error.exitCode}: ${error.stderr.trim()}`))
  )
  yield* Console.log(`as expected, ContainerExitError: ${failed}`)
})

// Run as a program (not when a test imports it).
if (import.meta.url === `file://${process.argv[1]}`) {
  quickstart.pipe(
    Effect.provide(NodeDocker.layerFromEnv()),
    Effect.tapErrorTag("DockerConnectionError", (error) => Console.error(`cannot reach the engine: ${error.message}`)),
    Effect.runPromise
  ).catch(() => {
    process.exitCode = 1
  })
}
