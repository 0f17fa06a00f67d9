/**
 * What changed between the engines, on each: fields added since API 1.41 are set and read back
 * where the engine has them (Docker 28.5, API 1.51), and refused before sending where it does not
 * (Docker 20.10, API 1.41); fields that 1.51 no longer sends decode as absent.
 */
import { Docker } from "@effect-docker/client"
import { afterAll, expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { engineApi, engineHas, scopedContainer, sweep, testLabel, transports } from "./helpers.js"

const engine = transports()[0].layer
const label = { ...testLabel, suite: "versions" }

layer(engine, { timeout: "120 seconds" })("the fields that differ between API 1.41 and 1.51", (it) => {
  afterAll(() => Effect.runPromise(Effect.provide(sweep, engine)))

  it.scoped("a health check's start interval (1.44)", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const options = {
        image: "busybox",
        cmd: ["sleep", "30"],
        labels: label,
        healthcheck: { test: ["true"], interval: "1 second", startInterval: "200 millis" }
      } as const
      if (!engineHas("1.44")) {
        const refused = yield* Effect.flip(scopedContainer(options))
        expect(refused).toMatchObject({ _tag: "DockerVersionError", version: engineApi(), required: "1.44" })
        return
      }
      const container = yield* scopedContainer(options)
      const inspected = yield* docker.containers.inspect(container.Id)
      expect(inspected.Config?.Healthcheck?.StartInterval).toBe(200_000_000)
    }))

  it.scoped("a volume mount's subpath (1.45)", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const volume = yield* docker.volumes.scoped({ Labels: label })
      yield* docker.containers.run({
        image: "busybox",
        cmd: ["sh", "-c", "mkdir /v/dir && echo inside > /v/dir/file"],
        labels: label,
        volumes: [`${volume.Name}:/v`],
        remove: true
      })
      const options = {
        image: "busybox",
        cmd: ["cat", "/sub/file"],
        labels: label,
        hostConfig: {
          Mounts: [{ Type: "volume", Source: volume.Name, Target: "/sub", VolumeOptions: { Subpath: "dir" } }]
        }
      }
      if (!engineHas("1.45")) {
        const refused = yield* Effect.flip(scopedContainer(options))
        expect(refused).toMatchObject({ _tag: "DockerVersionError", required: "1.45" })
        return
      }
      const created = yield* scopedContainer(options)
      expect((yield* docker.containers.wait(created.Id)).StatusCode).toBe(0)
      expect((yield* docker.containers.logs(created.Id, { stdout: true })).stdout).toBe("inside\n")
      const inspected = yield* docker.containers.inspect(created.Id)
      expect(inspected.Mounts?.[0]).toMatchObject({ Type: "volume", Name: volume.Name, Destination: "/sub" })
    }))

  it.scoped("two networks at create, and the endpoints' DNS names (1.44)", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const a = { Name: `versions-a-${Date.now()}` }
      const b = { Name: `versions-b-${Date.now()}` }
      yield* docker.networks.scoped({ ...a, Labels: label })
      yield* docker.networks.scoped({ ...b, Labels: label })
      const options = {
        image: "busybox",
        cmd: ["sleep", "30"],
        labels: label,
        hostConfig: { NetworkMode: a.Name },
        config: { NetworkingConfig: { EndpointsConfig: { [a.Name]: {}, [b.Name]: { Aliases: ["second"] } } } }
      }
      if (!engineHas("1.44")) {
        const refused = yield* Effect.flip(scopedContainer(options))
        expect(refused).toMatchObject({ _tag: "DockerVersionError", required: "1.44" })
        return
      }
      const created = yield* scopedContainer(options)
      const networks = (yield* docker.containers.inspect(created.Id)).NetworkSettings?.Networks ?? {}
      expect(Object.keys(networks).sort()).toEqual([a.Name, b.Name].sort())
      expect(networks[b.Name]?.Aliases).toContain("second")
      // The names the endpoint answers to on a user network (API 1.44+).
      expect(networks[b.Name]?.DNSNames).toContain("second")
    }))

  it.effect("an image's manifests (1.47) where the engine has them", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const listed = yield* Effect.either(docker.images.list({ manifests: true }))
      if (!engineHas("1.47")) {
        expect(listed).toMatchObject({ _tag: "Left", left: { _tag: "DockerVersionError", required: "1.47" } })
        return
      }
      expect(listed._tag).toBe("Right")
      const inspected = yield* docker.images.inspect("busybox")
      expect(inspected.Id).toMatch(/^sha256:/)
    }))
})
