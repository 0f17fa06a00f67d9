import { Docker } from "@effect-docker/client"
import { Tar } from "@effect-docker/node"
import { afterAll, expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fs from "node:fs"
import { env, transports } from "./helpers.js"

const engine = transports()[0].layer

/** A plugin made offline: busybox as its root filesystem, asking for the host network. */
const pluginTar = () => {
  const busybox = ["/bin/busybox", "/usr/bin/busybox"].find((path) => Fs.existsSync(path))!
  return Tar.fromFiles({
    "config.json": JSON.stringify({
      description: "effect-docker test plugin",
      documentation: "https://example.invalid/effect-docker",
      entrypoint: ["/bin/busybox", "sleep", "3600"],
      interface: { socket: "effect-docker.sock", types: ["docker.volumedriver/1.0"] },
      network: { type: "host" },
      env: [{ name: "DEBUG", description: "debug output", settable: ["value"], value: "0" }],
      linux: { capabilities: [] }
    }),
    "rootfs/bin/busybox": Fs.readFileSync(busybox)
  })
}

layer(engine, { timeout: "120 seconds" })("plugins against the real engine", (it) => {
  const local = "effect-docker-test-plugin:v1"
  const remote = () => `${env("EFFECT_DOCKER_TEST_REGISTRY")}/effect-docker/plugin:v1`
  afterAll(() =>
    Effect.runPromise(Effect.provide(
      Effect.flatMap(Docker.Docker, (docker) =>
        Effect.forEach([local, remote(), "effect-docker-test-pulled:v1"], (name) =>
          Effect.ignore(docker.plugins.remove(name, { force: true })))),
      engine
    ))
  )

  it.effect("creates, inspects, sets, pushes, pulls with its privileges, upgrades and removes a plugin", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      yield* docker.plugins.create(remote(), pluginTar())
      const created = yield* docker.plugins.inspect(remote())
      expect(created).toMatchObject({ Name: remote(), Enabled: false })
      expect(created.Config.Description).toBe("effect-docker test plugin")
      yield* docker.plugins.set(remote(), ["DEBUG=1"])
      expect((yield* docker.plugins.inspect(remote())).Settings.Env).toContain("DEBUG=1")
      expect((yield* docker.plugins.list()).map((p) => p.Name)).toContain(remote())

      yield* docker.plugins.push(remote())
      const privileges = yield* docker.plugins.privileges({ remote: remote() })
      expect(privileges).toContainEqual(expect.objectContaining({ Name: "network", Value: ["host"] }))
      yield* docker.plugins.pull(remote(), { name: "effect-docker-test-pulled:v1" })
      const pulled = yield* docker.plugins.inspect("effect-docker-test-pulled:v1")
      expect(pulled.PluginReference).toBe(remote())
      yield* docker.plugins.upgrade("effect-docker-test-pulled:v1", remote())

      const missing = yield* Effect.flip(
        docker.plugins.pull(`${env("EFFECT_DOCKER_TEST_REGISTRY")}/effect-docker/no-plugin:v1`, { privileges: [] })
      )
      expect(["PullError", "NotFound", "ServerError", "UnexpectedStatus"]).toContain(missing._tag)

      yield* docker.plugins.remove("effect-docker-test-pulled:v1")
      yield* docker.plugins.remove(remote())
      const gone = yield* Effect.flip(docker.plugins.inspect(remote()))
      expect(gone).toMatchObject({ _tag: "NotFound", resource: "plugin" })
    }))
})
