/** effect-docker's side of bench/fanout.ts: every follow and subscription a fiber, one layer. */
import { Docker } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import { Effect, Fiber, Stream } from "effect"
import type { Counters } from "../fanout.js"

const host = process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock"

export const open = (ids: ReadonlyArray<string>, counters: Counters) => {
  const fiber = Effect.runFork(
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const follows = ids.map((id, i) =>
        Stream.runForEach(
          docker.containers.logStream(id, { follow: true, tail: 0 }),
          (frame) => Effect.sync(() => (counters.logBytes[i]! += frame.data.length))
        )
      )
      const subscriptions = counters.events.map((_, i) =>
        Stream.runForEach(
          docker.system.events({ filters: { type: ["image"] } }),
          () => Effect.sync(() => counters.events[i]!++)
        )
      )
      yield* Effect.all([...follows, ...subscriptions], { concurrency: "unbounded", discard: true })
    }).pipe(Effect.provide(NodeDocker.layer({ host, apiVersion: "1.41" })))
  )
  return () => Effect.runPromise(Fiber.interrupt(fiber)).then(() => undefined)
}
