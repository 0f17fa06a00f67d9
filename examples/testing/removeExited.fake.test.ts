// The testing guide, 2: FakeEngine keeps containers in memory and scripts what they do.
import { Docker } from "@effect-docker/client"
import { FakeEngine } from "@effect-docker/testing"
import { expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { removeExited } from "./removeExited.js"

const layer = FakeEngine.layerDocker({
  images: [{ reference: "busybox:latest" }],
  // `echo` prints and exits 0; anything else runs until stopped.
  run: (container) =>
    container.cmd[0] === "echo" ? { output: [{ stream: "stdout", data: "done\n" }], exit: 0 } : undefined
})

it.effect("removes the app's exited containers and leaves the rest", () =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const run = (name: string, app: string, cmd: ReadonlyArray<string>) =>
      docker.containers.run({ image: "busybox", cmd, name, labels: { app }, detach: true })
    yield* run("job", "shop", ["echo", "done"])
    yield* run("web", "shop", ["httpd", "-f"])
    yield* run("other-job", "blog", ["echo", "done"])

    expect(yield* removeExited("shop")).toEqual(["job"])
    const left = yield* docker.containers.list({ all: true })
    expect(left.map((container) => container.Names?.[0]).sort()).toEqual(["/other-job", "/web"])
  }).pipe(Effect.provide(layer)))
