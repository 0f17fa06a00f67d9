/**
 * Streams that arrive over time: a container's events as they happen, its log lines as it writes
 * them (`follow`), and its resource usage, each a `Stream` that ends with the container or when
 * the program has seen enough (interruption closes the request). Run it with
 * `pnpm tsx examples/streams/watch.ts`.
 */
import { Docker } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import { Chunk, Console, Effect, Stream } from "effect"

export const watch = (options: { readonly labels?: Record<string, string> } = {}) =>
  Effect.scoped(Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const since = Math.floor(Date.now() / 1000)
    const ticker = yield* docker.containers.scoped({
      image: "busybox",
      cmd: ["sh", "-c", "for i in 1 2 3; do echo tick $i; sleep 0.2; done; sleep 30"],
      labels: { ...options.labels },
      // `sleep` as PID 1 ignores SIGTERM: no need to wait the engine's 10 s before the kill.
      stopTimeout: "1 second"
    })
    // The container's own events so far: create and start.
    const events = yield* docker.system.events({
      since: String(since),
      filters: { container: [ticker.Id], type: ["container"] }
    }).pipe(Stream.map((event) => event.Action), Stream.take(2), Stream.runCollect)
    // Its log lines as they come, until the third.
    const ticks = yield* docker.containers.logStream(ticker.Id, { follow: true, stdout: true }).pipe(
      Stream.map((frame) => frame.data),
      Stream.decodeText(),
      Stream.splitLines,
      Stream.take(3),
      Stream.runCollect
    )
    // Two samples of its resource usage, one a second while it runs.
    const stats = yield* Stream.runCollect(Stream.take(docker.containers.statsStream(ticker.Id), 2))
    return {
      events: Chunk.toReadonlyArray(events),
      ticks: Chunk.toReadonlyArray(ticks),
      memory: Chunk.toReadonlyArray(stats).map((sample) => sample.memory_stats?.usage ?? 0)
    }
  }))

// Run as a program (not when a test imports it).
if (import.meta.url === `file://${process.argv[1]}`) {
  watch().pipe(
    Effect.tap(({ events, memory, ticks }) =>
      Console.log(`events: ${events.join(", ")}\nlogs: ${ticks.join(" | ")}\nmemory: ${memory.join(", ")} bytes`)
    ),
    Effect.provide(NodeDocker.layerFromEnv()),
    Effect.runPromise
  ).catch((error) => {
    console.error(error)
    process.exit(1)
  })
}
