/**
 * Body fields newer than the engine's API version fail before anything is sent, as newer options
 * do, instead of being ignored by the older engine.
 */
import { Docker } from "@effect-docker/client"
import type { Schemas } from "@effect-docker/client"
import { MockTransport } from "@effect-docker/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"

const created = MockTransport.json({ Id: "c1", Warnings: [] }, 201)

const create = (apiVersion: string, body: Schemas.ContainerCreateBody) =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const result = yield* Effect.either(docker.containers.create(body))
    const sent = (yield* MockTransport.MockTransport).requests.filter((r) => r.path.endsWith("/containers/create"))
    return { result: result._tag === "Left" ? result.left : result.right, sent: sent.length }
  }).pipe(Effect.provide(MockTransport.layerDocker(() => created, { apiVersion })))

const cases: ReadonlyArray<readonly [what: string, needs: string, body: Schemas.ContainerCreateBody]> = [
  ["two networks at create", "1.44", {
    Image: "busybox",
    NetworkingConfig: { EndpointsConfig: { a: {}, b: {} } }
  }],
  ["a MAC address per endpoint", "1.44", {
    Image: "busybox",
    NetworkingConfig: { EndpointsConfig: { a: { MacAddress: "02:42:ac:11:00:02" } } }
  }],
  ["a health check start interval", "1.44", {
    Image: "busybox",
    Healthcheck: { Test: ["CMD", "true"], StartInterval: 1_000_000_000 }
  }],
  ["a volume mount's subpath", "1.45", {
    Image: "busybox",
    HostConfig: { Mounts: [{ Type: "volume", Source: "v", Target: "/v", VolumeOptions: { Subpath: "dir" } }] }
  }],
  ["an image mount", "1.48", {
    Image: "busybox",
    HostConfig: { Mounts: [{ Type: "image", Source: "busybox", Target: "/img" }] }
  }]
]

describe("containers.create with fields newer than API 1.41", () => {
  for (const [what, needs, body] of cases) {
    it.effect(`${what}: refused before sending below ${needs}, sent from ${needs}`, () =>
      Effect.gen(function*() {
        const older = yield* create("1.41", body)
        expect(older.result).toMatchObject({ _tag: "DockerVersionError", version: "1.41", required: needs })
        expect(older.sent).toBe(0)
        const newer = yield* create(needs, body)
        expect(newer.result).toEqual({ Id: "c1", Warnings: [] })
        expect(newer.sent).toBe(1)
      }))
  }

  it.effect("one network, no MAC address, a plain volume mount: sent to API 1.41", () =>
    Effect.gen(function*() {
      const plain = yield* create("1.41", {
        Image: "busybox",
        NetworkingConfig: { EndpointsConfig: { a: { Aliases: ["x"] } } },
        HostConfig: { Mounts: [{ Type: "volume", Source: "v", Target: "/v" }] }
      })
      expect(plain).toEqual({ result: { Id: "c1", Warnings: [] }, sent: 1 })
    }))
})
