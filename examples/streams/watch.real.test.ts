// The streams example against a real engine (DOCKER_HOST).
import { Docker } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { watch } from "./watch.js"

layer(NodeDocker.layerFromEnv(), { excludeTestServices: true, timeout: "60 seconds" })("the streams example", (it) => {
  it.effect("sees the container's events, its log lines as they come and its stats, and leaves nothing", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const run = `watch-test-${Date.now()}`
      const seen = yield* watch({ labels: { "effect-docker.example": run } })
      expect(seen.events).toEqual(["create", "start"])
      expect(seen.ticks).toEqual(["tick 1", "tick 2", "tick 3"])
      expect(seen.memory).toHaveLength(2)
      const left = yield* docker.containers.list({ all: true, filters: { label: [`effect-docker.example=${run}`] } })
      expect(left).toEqual([])
    }))
})
