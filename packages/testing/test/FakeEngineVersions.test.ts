/**
 * The FakeEngine as each engine release it can be: API 1.41 (Docker 20.10) and 1.51 (Docker 28.5),
 * where the two differ (each difference measured on the real engines, test/fake-engine.test.ts).
 */
import { Docker } from "@effect-docker/client"
import { FakeEngine } from "@effect-docker/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

const onEngine = (apiVersion: FakeEngine.ApiVersion) =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const version = yield* docker.system.version()
    const negotiated = yield* docker.engine.apiVersion
    const since = Math.floor(Date.now() / 1000) - 1
    const container = yield* docker.containers.create({ Image: "busybox", Cmd: ["sleep", "60"] }, { name: "app" })
    yield* docker.containers.start(container.Id)
    const removeRunning = yield* Effect.flip(docker.containers.remove("app"))
    const networkMode = (yield* docker.containers.inspect("app")).HostConfig?.NetworkMode
    yield* docker.containers.stop("app", { timeout: 0 })
    yield* docker.containers.remove("app")
    const events = yield* docker.system.events({ since: String(since), until: String(Math.floor(Date.now() / 1000)) })
      .pipe(
        Stream.filter((e) => e.Type === "container"),
        Stream.map((e) => e.Action),
        Stream.runCollect
      )
    yield* docker.networks.create({ Name: "net" })
    const duplicate = yield* Effect.either(docker.networks.create({ Name: "net" }))
    const missingImage = yield* Effect.flip(docker.images.inspect("busybox:nope"))
    return {
      version: [version.Version, version.ApiVersion, version.MinAPIVersion, negotiated],
      removeRunning: removeRunning.message,
      networkMode,
      events: Chunk.toReadonlyArray(events),
      duplicateRefused: duplicate._tag === "Left",
      missingImage: missingImage.message
    }
  }).pipe(Effect.provide(FakeEngine.layerDocker({ apiVersion, images: [{ reference: "busybox:latest" }] })))

describe("FakeEngine versions", () => {
  it.live("answers as Docker 20.10 (API 1.41) by default", () =>
    Effect.gen(function*() {
      expect(yield* onEngine("1.41")).toEqual({
        version: ["20.10.24", "1.41", "1.12", "1.41"],
        removeRunning: expect.stringMatching(
          /^You cannot remove a running container [0-9a-f]{64}\. Stop the container/
        ),
        networkMode: "default",
        events: ["create", "start", "kill", "kill", "die", "stop", "destroy"],
        duplicateRefused: false,
        missingImage: "no such image: busybox:nope: No such image: busybox:nope"
      })
    }))

  it.live("answers as Docker 28.5 (API 1.51) when asked", () =>
    Effect.gen(function*() {
      expect(yield* onEngine("1.51")).toEqual({
        version: ["28.5.2", "1.51", "1.24", "1.51"],
        removeRunning:
          "cannot remove container \"app\": container is running: stop the container before removing or force remove",
        networkMode: "bridge",
        events: ["create", "start", "kill", "kill", "stop", "die", "destroy"],
        duplicateRefused: true,
        missingImage: "No such image: busybox:nope"
      })
    }))
})
