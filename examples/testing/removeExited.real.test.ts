// The testing guide, 3: the same test against a real engine (DOCKER_HOST), cleaning up after itself.
import { Docker } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { removeExited } from "./removeExited.js"

layer(NodeDocker.layerFromEnv())("against the engine at DOCKER_HOST", (it) => {
  it.scoped("removes the app's exited containers and leaves the rest", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const app = `guide-${Date.now()}`
      const run = (cmd: ReadonlyArray<string>) =>
        Effect.acquireRelease(
          docker.containers.run({ image: "busybox", cmd, labels: { app }, detach: true }),
          // Whatever the test's outcome, nothing it made stays behind.
          (container) => Effect.ignore(docker.containers.remove(container.Id, { force: true }))
        )
      const job = yield* run(["echo", "done"])
      const web = yield* run(["sleep", "300"])
      yield* docker.containers.wait(job.Id)

      expect(yield* removeExited(app)).toEqual([job.Name?.slice(1)])
      const left = yield* docker.containers.list({ all: true, filters: { label: [`app=${app}`] } })
      expect(left.map((container) => container.Id)).toEqual([web.Id])
    }))
})
