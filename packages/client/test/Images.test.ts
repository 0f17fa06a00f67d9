import { Docker, DockerError } from "@effect-docker/client"
import { MockTransport } from "@effect-docker/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

const engine = (request: MockTransport.RecordedRequest): MockTransport.Reply | undefined => {
  if (request.path.endsWith("/push")) return MockTransport.jsonLines([{ status: "pushed" }])
  if (request.path.endsWith("/load")) return MockTransport.jsonLines([{ stream: "Loaded image: app:1\n" }])
  if (request.path.endsWith("/get")) return { status: 200, body: new Uint8Array([1, 2, 3]) }
  return undefined
}

const sentPlatforms = Effect.map(
  MockTransport.requests,
  (requests) => requests.map((r) => [r.method, r.path.replace(/^\/v[\d.]+/, ""), r.query.getAll("platform")])
)

describe("Images", () => {
  it.effect("push, get and load send their platforms as the engine reads them: JSON-encoded OCI platforms", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      yield* docker.images.push("app:1", { platform: "linux/arm64/v8" })
      const saved = yield* Stream.runCollect(docker.images.get("app:1", { platform: ["linux/amd64"] }))
      expect([...saved].flatMap((chunk) => [...chunk])).toEqual([1, 2, 3])
      yield* Stream.runDrain(
        docker.images.get(["app:1", "db:2"], { platform: [{ os: "linux", architecture: "s390x" }] })
      )
      const loaded = yield* docker.images.load(Stream.make(new Uint8Array(1)), { platform: ["windows/amd64"] })
      expect(loaded).toEqual(["app:1"])
      expect(yield* sentPlatforms).toEqual([
        ["POST", "/images/app%3A1/push", ["{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}"]],
        ["GET", "/images/app%3A1/get", ["{\"os\":\"linux\",\"architecture\":\"amd64\"}"]],
        ["GET", "/images/get", ["{\"os\":\"linux\",\"architecture\":\"s390x\"}"]],
        ["POST", "/images/load", ["{\"os\":\"windows\",\"architecture\":\"amd64\"}"]]
      ])
    }).pipe(Effect.provide(MockTransport.layerDocker(engine, { apiVersion: "1.55" }))))

  it.effect("a platform on an engine older than the parameter fails with DockerVersionError before sending", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const error = yield* Effect.flip(docker.images.push("app:1", { platform: "linux/arm64" }))
      expect(error).toBeInstanceOf(DockerError.DockerVersionError)
      expect(error).toMatchObject({ version: "1.41", required: "1.46" })
      expect(yield* MockTransport.requests).toEqual([])
    }).pipe(Effect.provide(MockTransport.layerDocker(engine, { apiVersion: "1.41" }))))
})
