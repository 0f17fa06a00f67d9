/**
 * `docker.volumes.prune({ all })`: named volumes pruned on every engine, whether it knows the
 * `all` filter (API 1.42+) or prunes them anyway (1.41).
 */
import { Docker } from "@effect-docker/client"
import { MockTransport } from "@effect-docker/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"

const pruned = MockTransport.json({ VolumesDeleted: ["a"], SpaceReclaimed: 0 })

const filtersSent = (apiVersion: string, options: Parameters<Docker.Docker["Type"]["volumes"]["prune"]>[0]) =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const result = yield* docker.volumes.prune(options)
    expect(result.VolumesDeleted).toEqual(["a"])
    const [request] = (yield* MockTransport.MockTransport).requests.filter((r) => r.path.endsWith("/volumes/prune"))
    expect(request?.path).toBe(`/v${apiVersion}/volumes/prune`)
    const filters = request?.query.get("filters")
    return filters === null || filters === undefined ? undefined : JSON.parse(filters)
  }).pipe(Effect.provide(MockTransport.layerDocker(() => pruned, { apiVersion })))

describe("volumes.prune", () => {
  it.effect("asks API 1.42+ for named volumes too with all: true", () =>
    Effect.gen(function*() {
      expect(yield* filtersSent("1.51", { all: true, filters: { label: ["app=demo"] } })).toEqual({
        label: ["app=demo"],
        all: ["true"]
      })
      expect(yield* filtersSent("1.51", { all: true })).toEqual({ all: ["true"] })
    }))

  it.effect("sends no all filter to API 1.41, which prunes named volumes anyway and knows no such filter", () =>
    Effect.gen(function*() {
      expect(yield* filtersSent("1.41", { all: true, filters: { label: ["app=demo"] } })).toEqual({
        label: ["app=demo"]
      })
      expect(yield* filtersSent("1.41", { all: true })).toBeUndefined()
    }))

  it.effect("leaves the filters as given without all", () =>
    Effect.gen(function*() {
      expect(yield* filtersSent("1.51", { filters: { label: ["x"] } })).toEqual({ label: ["x"] })
      expect(yield* filtersSent("1.51", {})).toBeUndefined()
    }))
})

describe("volumes.inspect", () => {
  it.effect("decodes a driver's Status of any JSON values (the specification says objects)", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const volume = yield* docker.volumes.inspect("data")
      expect(volume.Status).toEqual({ label: "from-the-driver", size: 3, mounted: false, hosts: ["a"] })
    }).pipe(Effect.provide(MockTransport.layerDocker(() =>
      MockTransport.json({
        Name: "data",
        Driver: "effect-docker-test-plugin:v1",
        Mountpoint: "/volumes/data",
        Scope: "local",
        Labels: {},
        Options: null,
        Status: { label: "from-the-driver", size: 3, mounted: false, hosts: ["a"] }
      }), { apiVersion: "1.51" }))))
})
