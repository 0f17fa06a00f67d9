// The images example against the test setup's engine: a pull from its local registry with
// progress, and a build from a context made in memory.
import { Docker } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { env } from "../../test/helpers.js"
import { buildInMemory, pullWithProgress } from "./build.js"

layer(NodeDocker.layerFromEnv(), { excludeTestServices: true, timeout: "90 seconds" })("the images example", (it) => {
  it.scoped("pulls with progress, builds from memory with a build argument, and cleans up", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const image = env("EFFECT_DOCKER_TEST_IMAGE")
      const lines = yield* pullWithProgress(image)
      expect(lines.at(-1)).toMatch(/^(Status: Downloaded newer image|Status: Image is up to date) for /)
      const tag = `effect-docker-example:build-${Date.now()}`
      yield* Effect.addFinalizer(() => Effect.ignore(docker.images.remove(tag, { force: true })))
      const built = yield* buildInMemory(image, tag, "hello from a build argument")
      expect(built.output).toContain("from the build context")
      expect(built.output).toContain("hello from a build argument")
      const inspected = yield* docker.images.inspect(tag)
      expect(inspected.Id).toBe(built.id)
      expect(inspected.Config?.Labels).toMatchObject({ example: "build" })
    }))
})
