// The orchestration example against a real engine (DOCKER_HOST): it runs, and leaves nothing behind.
import { Docker } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { guestbook } from "./guestbook.js"

layer(NodeDocker.layerFromEnv(), { excludeTestServices: true, timeout: "120 seconds" })("the guestbook", (it) => {
  it.effect("starts in dependency order, serves what the writer wrote, and is torn down by its scope", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const run = `guestbook-test-${Date.now()}`
      const labels = { "effect-docker.example": run }
      const page = yield* guestbook({ entries: 3, labels })
      expect(page).toBe("first entry: the book is open\nentry 1\nentry 2\nentry 3\n")

      const filters = { label: [`effect-docker.example=${run}`] }
      expect(yield* docker.containers.list({ all: true, filters })).toEqual([])
      expect(yield* docker.networks.list({ filters })).toEqual([])
      expect((yield* docker.volumes.list({ filters })).Volumes ?? []).toEqual([])
    }))
})
