import { Docker } from "@effect-docker/client"
import { TestContainer, TestNetwork, TestSession, Wait } from "@effect-docker/testcontainers"
import { FakeEngine, MockTransport } from "@effect-docker/testing"
import { describe, expect, it, layer } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { choose, defaultGateway } from "../src/internal/host.js"

const busybox: FakeEngine.ImageDefinition = { reference: "busybox:latest", size: 1_982_354, created: 1_700_000_000 }

const engine = FakeEngine.layerDocker({
  images: [busybox],
  registry: [{ reference: "127.0.0.1:5000/web:1", cmd: ["serve"] }],
  run: (container) =>
    container.cmd[0] === "serve"
      ? { output: [{ stream: "stdout", data: "booting\nlistening on :80\n" }], stopExit: 0 }
      : container.cmd[0] === "migrate"
      ? { output: [{ stream: "stdout", data: "migrated\n" }], exit: container.cmd[1] === "bad" ? 3 : 0 }
      : undefined,
  exec: (_, cmd) =>
    cmd[0] === "cat"
      ? { output: [{ stream: "stdout", data: "  0: 00000000:0050 00000000:0000 0A\n" }], exit: 0 }
      : { output: [{ stream: "stderr", data: `${cmd[0]}: not found\n` }], exit: 127 }
})

/** The session without a reaper: the fake engine runs no processes. */
const TestLayer = TestSession.layer({ reaper: false }).pipe(Layer.provideMerge(engine))

class Web extends Context.Tag("Web")<Web, TestContainer.StartedTestContainer>() {}

const web: TestContainer.Definition = {
  image: "127.0.0.1:5000/web:1",
  cmd: ["serve"],
  exposedPorts: [80, "53/udp"],
  env: { MODE: "test" },
  wait: Wait.all(Wait.forLogMessage("listening"), Wait.forLogMessage(/^booting$/))
}

describe("TestContainer on the FakeEngine", () => {
  layer(TestLayer)("a user's unit test of code that takes the handle", (it) => {
    it.effect("starts with the session's labels, pulls a missing image, publishes exposed ports", () =>
      Effect.scoped(Effect.gen(function*() {
        const session = yield* TestSession.TestSession
        const started = yield* TestContainer.start(web)
        expect(started.host).toBe(session.host)
        expect(started.reused).toBe(false)
        const info = yield* started.inspect
        expect(info.Config?.Labels).toMatchObject(session.labels)
        expect(info.Config?.Env).toContain("MODE=test")
        const port = yield* started.mappedPort(80)
        expect(port).toBeGreaterThanOrEqual(32768)
        expect(yield* started.mappedPort("53/udp")).not.toBe(port)
        expect(yield* started.endpoint(80)).toBe(`${session.host}:${port}`)
        const missing = yield* Effect.flip(started.mappedPort(8080))
        expect(missing).toMatchObject({ _tag: "PortNotMappedError", published: ["80/tcp", "53/udp"] })
        const lines = yield* started.logs().pipe(
          Stream.map((frame) => new TextDecoder().decode(frame.data)),
          Stream.runCollect
        )
        expect(Chunk.join(lines, "")).toBe("booting\nlistening on :80\n")
        expect(yield* started.exec(["whoami"])).toMatchObject({ exitCode: 127, stderr: "whoami: not found\n" })
        yield* started.copyTo([{ target: "/etc/app.conf", content: "a=1\n" }])
      })))

    it.effect("removes the container when the scope closes", () =>
      Effect.gen(function*() {
        const docker = yield* Docker.Docker
        const id = yield* Effect.scoped(Effect.map(TestContainer.start(web), (started) => started.id))
        expect(yield* Effect.flip(docker.containers.inspect(id))).toMatchObject({ _tag: "NotFound" })
      }))

    it.effect("a wait that cannot hold fails with the last logs; the container is still removed", () =>
      Effect.gen(function*() {
        const docker = yield* Docker.Docker
        const failure = yield* Effect.flip(Effect.scoped(TestContainer.start({
          image: "busybox",
          cmd: ["migrate", "bad"],
          wait: Wait.forOneShot()
        })))
        expect(failure).toMatchObject({ _tag: "DockerReadinessError", reason: "ExitCode", lastLogs: "migrated\n" })
        expect(yield* docker.containers.list({ all: true })).toEqual([])
      }))

    it.effect("a port wait that fails at once when the port is not published", () =>
      Effect.gen(function*() {
        const failure = yield* Effect.flip(Effect.scoped(TestContainer.start({
          image: "busybox",
          cmd: ["serve"],
          wait: Wait.forHttp("/", 80)
        })))
        expect(failure).toMatchObject({ _tag: "DockerReadinessError", reason: "Unsupported" })
        expect(failure.message).toContain("port 80 is not published (published: none)")
      }))

    it.effect("networks carry the session's labels and aliases reach the engine", () =>
      Effect.scoped(Effect.gen(function*() {
        const docker = yield* Docker.Docker
        const session = yield* TestSession.TestSession
        const network = yield* TestNetwork.start()
        expect(network.name).toMatch(new RegExp(`^tc-net-${session.id.slice(0, 8)}-`))
        expect((yield* docker.networks.inspect(network.id)).Labels).toMatchObject(session.labels)
        const started = yield* TestContainer.start({
          image: "busybox",
          cmd: ["serve"],
          networks: [{ network, aliases: ["db"] }]
        })
        expect(Object.keys(started.info.NetworkSettings?.Networks ?? {})).toContain(network.name)
        const create = [...(yield* MockTransport.requests)].reverse().find((request) =>
          request.path.endsWith("/containers/create")
        )
        expect(JSON.parse(create!.text).NetworkingConfig.EndpointsConfig[network.name].Aliases).toEqual(["db"])
      })))

    it.effect("a reusable container is found again and outlives its scope", () =>
      Effect.gen(function*() {
        const docker = yield* Docker.Docker
        const reusable: TestContainer.Definition = { image: "busybox", cmd: ["serve"], reuse: true }
        const first = yield* Effect.scoped(TestContainer.start(reusable))
        const second = yield* Effect.scoped(TestContainer.start(reusable))
        expect(first.reused).toBe(false)
        expect(second).toMatchObject({ id: first.id, reused: true })
        expect(first.name).toMatch(/^tc-reuse-[0-9a-f]{16}$/)
        // A change to the definition is another container.
        const changed = yield* Effect.scoped(TestContainer.start({ ...reusable, env: { CHANGED: "1" } }))
        expect(changed.id).not.toBe(first.id)
        yield* docker.containers.remove(first.id, { force: true })
        yield* docker.containers.remove(changed.id, { force: true })
        // A name that some other container has is the engine's conflict, not a reuse.
        const other = yield* docker.containers.create({ Image: "busybox", Cmd: ["serve"] }, { name: "taken" })
        const conflict = yield* Effect.flip(Effect.scoped(TestContainer.start({ ...reusable, name: "taken" })))
        expect(conflict).toMatchObject({ _tag: "Conflict" })
        yield* docker.containers.remove(other.Id, { force: true })
      }))
  })

  layer(TestContainer.layer(Web, web).pipe(Layer.provideMerge(TestLayer)))(
    "a container as a layer",
    (it) => {
      it.effect("is the service of its tag", () =>
        Effect.gen(function*() {
          const started = yield* Web
          expect((yield* started.inspect).State?.Running).toBe(true)
        }))
    }
  )

  class Backend extends Context.Tag("Backend")<Backend, TestNetwork.StartedTestNetwork>() {}
  class Db extends Context.Tag("Db")<Db, TestContainer.StartedTestContainer>() {}
  const onBackend = (alias: string): Effect.Effect<TestContainer.Definition, never, Backend> =>
    Effect.map(Backend, (network) => ({ image: "busybox", cmd: ["serve"], networks: [{ network, aliases: [alias] }] }))
  const SetLive = Layer.mergeAll(TestContainer.layer(Web, onBackend("web")), TestContainer.layer(Db, onBackend("db")))
    .pipe(Layer.provideMerge(TestNetwork.layer(Backend)), Layer.provideMerge(TestLayer))

  layer(SetLive)("a set of containers on one network, as layers", (it) => {
    it.effect("share the network the network layer made", () =>
      Effect.gen(function*() {
        const network = yield* Backend
        for (const started of [yield* Web, yield* Db]) {
          expect(Object.keys(started.info.NetworkSettings?.Networks ?? {})).toEqual([network.name])
        }
      }))
  })

  it("reads the default gateway from /proc/net/route", () => {
    const routes = [
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
      "eth0\t00000000\t010011AC\t0003\t0\t0\t0\t00000000\t0\t0\t0",
      "eth0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0"
    ].join("\n")
    expect(defaultGateway(routes)).toBe("172.17.0.1")
    expect(defaultGateway(routes.split("\n").slice(0, 1).join("\n"))).toBeUndefined()
  })

  it("chooses the host as testcontainers does", () => {
    const facts = { inContainer: false, bridgeGateway: "172.18.0.1", routeGateway: "10.0.0.1" }
    expect(choose({ ...facts, engineHost: "tcp://docker.example:2376" })).toBe("docker.example")
    expect(choose({ ...facts, engineHost: "ssh://me@builder:22" })).toBe("builder")
    expect(choose({ ...facts, engineHost: "unix:///var/run/docker.sock" })).toBe("localhost")
    expect(choose({ ...facts, inContainer: true, engineHost: "unix:///var/run/docker.sock" })).toBe("172.18.0.1")
    expect(choose({ ...facts, inContainer: true, bridgeGateway: undefined, engineHost: "/var/run/docker.sock" }))
      .toBe("10.0.0.1")
  })
})
