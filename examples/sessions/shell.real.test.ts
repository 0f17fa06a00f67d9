// The sessions example against a real engine (DOCKER_HOST).
import { Docker } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { shell } from "./shell.js"

layer(NodeDocker.layerFromEnv(), { excludeTestServices: true, timeout: "60 seconds" })("the sessions example", (it) => {
  it.effect("sorts stdin after its end, round-trips a file as a tar, reports an exit code, and leaves nothing", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const run = `shell-test-${Date.now()}`
      const result = yield* shell({ labels: { "effect-docker.example": run } })
      expect(result).toEqual({
        sorted: "apple\nfig\npear\n",
        note: "written from effect-docker\n",
        size: 27,
        exitCode: 4,
        stderr: "nope\n"
      })
      const left = yield* docker.containers.list({ all: true, filters: { label: [`effect-docker.example=${run}`] } })
      expect(left).toEqual([])
    }))
})
