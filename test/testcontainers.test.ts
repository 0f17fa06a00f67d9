import { Docker } from "@effect-docker/client"
import { TestContainer, TestNetwork, TestSession, Wait } from "@effect-docker/testcontainers"
import { describe, expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { env, eventually, recordingLayer, sleep, tempDir, tlsOptions } from "./helpers.js"
import { registryFolder } from "./support/testcontainers/registryFolder.js"

const image = () => env("EFFECT_DOCKER_TEST_IMAGE")
const unixEngine = () => recordingLayer({ host: `unix://${env("EFFECT_DOCKER_TEST_SOCKET")}` })
const Session = () => TestSession.layer().pipe(Layer.provideMerge(unixEngine()))
const tsx = Path.resolve(import.meta.dirname, "../node_modules/.bin/tsx")
const support = Path.resolve(import.meta.dirname, "support/testcontainers")
const managed = { label: [TestSession.managedLabel] }

/** A web server with its page copied in before the start. */
const web = (page: string): TestContainer.Definition => ({
  image: image(),
  cmd: ["httpd", "-f", "-p", "80", "-h", "/www"],
  files: [{ target: "/www/index.html", content: page }],
  exposedPorts: [80],
  wait: Wait.forHttp("/index.html", 80, { body: (body) => body === page })
})

const get = (url: string) =>
  Effect.promise(() => fetch(url).then(async (response) => ({ status: response.status, body: await response.text() })))

/** Everything the test containers left on the engine: a reaper's, a session's, a reused one. */
const leftovers = Effect.gen(function*() {
  const docker = yield* Docker.Docker
  const containers = yield* docker.containers.list({ all: true, filters: managed })
  const networks = yield* docker.networks.list({ filters: managed })
  const volumes = (yield* docker.volumes.list({ filters: managed })).Volumes ?? []
  return { containers: containers.length, networks: networks.length, volumes: volumes.length }
})

layer(Session(), { timeout: "180 seconds" })("test containers against the real engine", (it) => {
  it.effect("a web server waited for over HTTP, reached from here; files, exec, logs, copyFrom, restart", () =>
    Effect.scoped(Effect.gen(function*() {
      const session = yield* TestSession.TestSession
      const server = yield* TestContainer.start({ ...web("hello from a test container\n"), labels: { role: "web" } })
      expect(server.info.Config?.Labels).toMatchObject({ ...session.labels, role: "web" })
      const endpoint = yield* server.endpoint(80)
      expect(endpoint).toBe(`${session.host}:${yield* server.mappedPort(80)}`)
      expect(yield* get(`http://${endpoint}/index.html`)).toEqual({
        status: 200,
        body: "hello from a test container\n"
      })
      expect(yield* server.exec(["cat", "/www/index.html"])).toMatchObject({ exitCode: 0 })
      expect(yield* server.exec("exit 3")).toMatchObject({ exitCode: 3 })
      expect(new TextDecoder().decode(yield* server.readFile("/www/index.html"))).toBe("hello from a test container\n")
      const tar = yield* Stream.runCollect(server.copyFrom("/www"))
      expect(tar.pipe((chunks) => [...chunks].reduce((size, chunk) => size + chunk.length, 0))).toBeGreaterThan(1024)
      yield* server.copyTo([{ target: "/www/second.html", content: "second\n" }])
      expect((yield* get(`http://${endpoint}/second.html`)).body).toBe("second\n")
      yield* server.restart({ timeout: 0 })
      const after = yield* server.endpoint(80)
      yield* eventually(Effect.either(get(`http://${after}/second.html`)), (answer) => answer._tag === "Right")
      expect((yield* get(`http://${after}/second.html`)).body).toBe("second\n")
      yield* server.exec(["sh", "-c", "echo to the log > /proc/1/fd/1"])
      const logged = yield* server.logs().pipe(
        Stream.map((frame) => new TextDecoder().decode(frame.data)),
        Stream.mkString
      )
      expect(logged).toContain("to the log")
    })))

  it.effect("a registry built offline from a folder, waited for on /v2/, pushed to and pulled from", () =>
    Effect.scoped(Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const dir = yield* Effect.flatMap(
        tempDir("tc-registry-"),
        (dir) => Effect.sync(() => registryFolder(dir, image()))
      )
      const registry = yield* TestContainer.start({
        image: { context: dir, tag: "effect-docker-test/tc-registry:latest" },
        exposedPorts: [5000],
        wait: Wait.all(Wait.forHttp("/v2/", 5000), Wait.forListeningPort(5000))
      })
      // The engine pushes to the port published on its own machine.
      const pushed = `127.0.0.1:${yield* registry.mappedPort(5000)}/tc/busybox:1`
      yield* docker.images.tag(image(), { repo: pushed.split(":1")[0], tag: "1" })
      yield* docker.images.push(pushed)
      const catalog = yield* get(`http://${yield* registry.endpoint(5000)}/v2/_catalog`)
      expect(JSON.parse(catalog.body)).toEqual({ repositories: ["tc/busybox"] })
      const before = yield* docker.images.inspect(pushed)
      yield* docker.images.remove(pushed)
      const pulled = yield* docker.images.pull(pushed)
      expect(pulled.Id).toBe(before.Id)
      yield* docker.images.remove(pushed)
      yield* docker.images.remove("effect-docker-test/tc-registry:latest", { force: true })
    })))

  it.effect("a definition's tmpfs, bind mount, user, limits and privilege reach the container", () =>
    Effect.scoped(Effect.gen(function*() {
      const dir = yield* tempDir("tc-bind-")
      Fs.writeFileSync(Path.join(dir, "from-host.txt"), "bound\n")
      // The container's user is not this process's: the folder must be readable by others.
      Fs.chmodSync(dir, 0o755)
      const job = yield* TestContainer.start({
        image: image(),
        cmd: ["sleep", "600"],
        tmpfs: { "/scratch": "rw,size=8m" },
        volumes: [`${dir}:/host:ro`],
        user: "65534:65534",
        memory: "64m",
        cpus: 0.5,
        privileged: true,
        entrypoint: ["/bin/sh", "-c", "exec \"$@\"", "--"]
      })
      expect((yield* job.exec(["cat", "/host/from-host.txt"])).stdout).toBe("bound\n")
      expect((yield* job.exec(["id", "-u"])).stdout.trim()).toBe("65534")
      expect((yield* job.exec(["grep", " /scratch ", "/proc/mounts"])).stdout).toMatch(/^tmpfs \/scratch tmpfs rw/)
      const { HostConfig } = yield* job.inspect
      expect(HostConfig).toMatchObject({ Memory: 64 * 1024 * 1024, NanoCpus: 500_000_000, Privileged: true })
      expect(HostConfig?.Tmpfs).toEqual({ "/scratch": "rw,size=8m" })
    })))

  it.effect("two containers on a test network talk through aliases", () =>
    Effect.scoped(Effect.gen(function*() {
      const network = yield* TestNetwork.start()
      yield* TestContainer.start({ ...web("through the alias\n"), networks: [{ network, aliases: ["web", "www"] }] })
      const client = yield* TestContainer.start({
        image: image(),
        cmd: ["sleep", "600"],
        networks: [{ network, aliases: ["client"] }]
      })
      for (const alias of ["web", "www"]) {
        expect(yield* client.exec(["wget", "-q", "-O", "-", `http://${alias}/index.html`]))
          .toMatchObject({ exitCode: 0, stdout: "through the alias\n" })
      }
    })))

  it.effect("a health check, a command and a one-shot as waits; a failing wait shows the last logs", () =>
    Effect.gen(function*() {
      yield* Effect.scoped(TestContainer.start({
        image: image(),
        cmd: ["sh", "-c", "sleep 1; touch /tmp/ready; sleep 600"],
        healthcheck: { test: ["CMD", "test", "-e", "/tmp/ready"], interval: "200 millis", retries: 50 },
        wait: Wait.all(Wait.forHealthCheck(), Wait.forSuccessfulCommand(["test", "-e", "/tmp/ready"]))
      }))
      yield* Effect.scoped(TestContainer.start({ image: image(), cmd: ["true"], wait: Wait.forOneShot() }))
      const failed = yield* Effect.flip(Effect.scoped(TestContainer.start({
        image: image(),
        cmd: ["sh", "-c", "echo cannot find the config >&2; sleep 600"],
        wait: Wait.forLogMessage("started"),
        startupTimeout: "2 seconds"
      })))
      expect(failed).toMatchObject({ _tag: "DockerReadinessError", reason: "Timeout" })
      expect(failed.message).toContain("cannot find the config")
      const session = yield* TestSession.TestSession
      const docker = yield* Docker.Docker
      expect(
        yield* docker.containers.list({ all: true, filters: { label: [`${TestSession.sessionLabel}=${session.id}`] } })
      )
        .toEqual([])
    }))
})

describe("test containers over TCP and TLS", () => {
  for (
    const { host, name, tls } of [
      { name: "tcp", host: () => env("EFFECT_DOCKER_TEST_TCP"), tls: false },
      { name: "tls", host: () => env("EFFECT_DOCKER_TEST_TLS"), tls: true }
    ]
  ) {
    // The engine is remote as far as the client knows: ports are reached at its host name, and the
    // reaper mounts the socket the engine has on its own machine.
    const remote = TestSession.layer({ reaper: { socket: env("EFFECT_DOCKER_TEST_SOCKET") } }).pipe(
      Layer.provideMerge(recordingLayer(tls ? { host: host(), tls: tlsOptions() } : { host: host() }))
    )
    layer(remote, { timeout: "120 seconds" })(name, (it) => {
      it.effect("a web server reached at the engine's host", () =>
        Effect.scoped(Effect.gen(function*() {
          const server = yield* TestContainer.start(web(`over ${name}\n`))
          expect(server.host).toBe("127.0.0.1")
          expect((yield* get(`http://${yield* server.endpoint(80)}/index.html`)).body).toBe(`over ${name}\n`)
        })))
    })
  }
})

layer(unixEngine(), { timeout: "180 seconds" })("clean-up and reuse across test processes", (it) => {
  it.effect("a test process killed by SIGKILL leaves no container, network or volume", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const child = ChildProcess.spawn(process.execPath, ["--import", "tsx", Path.join(support, "victim.ts")], {
        env: {
          ...process.env,
          EFFECT_DOCKER_TEST_IMAGE: image(),
          EFFECT_DOCKER_TEST_SOCKET: env("EFFECT_DOCKER_TEST_SOCKET")
        },
        stdio: ["ignore", "pipe", "inherit"]
      })
      const made = yield* Effect.promise(() =>
        new Promise<{ session: string; network: string; volume: string; container: string }>((resolve, reject) => {
          child.stdout.on("data", (data: Buffer) => resolve(JSON.parse(data.toString())))
          child.on("exit", (code) => reject(new Error(`the victim exited with ${code}`)))
        })
      )
      const label = { label: [`${TestSession.sessionLabel}=${made.session}`] }
      expect(yield* docker.containers.list({ all: true, filters: label })).toHaveLength(1)
      expect(yield* docker.networks.list({ filters: label })).toHaveLength(1)
      expect((yield* docker.volumes.list({ filters: label })).Volumes).toHaveLength(1)
      const killedAt = Date.now()
      child.kill("SIGKILL")
      const gone = yield* eventually(
        Effect.gen(function*() {
          const containers = yield* docker.containers.list({ all: true, filters: label })
          const networks = yield* docker.networks.list({ filters: label })
          const volumes = (yield* docker.volumes.list({ filters: label })).Volumes ?? []
          const reapers = yield* docker.containers.list({
            all: true,
            filters: { label: [`org.effect-docker.reaper=${made.session}`] }
          })
          return containers.length + networks.length + volumes.length + reapers.length
        }),
        (left) => left === 0
      )
      expect(gone).toBe(0)
      // The bound the docs state: the reaper's two passes a second apart, and its own removal.
      const took = Date.now() - killedAt
      console.log(`after SIGKILL, everything was gone in ${took} ms`)
      expect(took).toBeLessThan(10_000)
    }))

  it.effect("a reusable container is found by the second test process and left running", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const run = (mark: string) =>
        JSON.parse(ChildProcess.execFileSync(tsx, [Path.join(support, "victim.ts"), "reuse"], {
          env: {
            ...process.env,
            EFFECT_DOCKER_TEST_IMAGE: image(),
            EFFECT_DOCKER_TEST_SOCKET: env("EFFECT_DOCKER_TEST_SOCKET"),
            REUSE_MARK: mark
          },
          encoding: "utf8"
        })) as { container: string; reused: boolean }
      yield* Effect.addFinalizer(() =>
        Effect.flatMap(
          Effect.orDie(
            docker.containers.list({ all: true, filters: { label: ["effect-docker.test=testcontainers-reuse"] } })
          ),
          (found) => Effect.forEach(found, (c) => Effect.ignore(docker.containers.remove(c.Id, { force: true })))
        )
      )
      const mark = String(Date.now())
      const first = run(mark)
      const second = run(mark)
      expect(first.reused).toBe(false)
      expect(second).toEqual({ container: first.container, reused: true })
      expect((yield* docker.containers.inspect(first.container)).State?.Running).toBe(true)
      const changed = run(`${mark}-changed`)
      expect(changed.reused).toBe(false)
      expect(changed.container).not.toBe(first.container)
    }).pipe(Effect.scoped))

  it.effect("parallel vitest workers each get their own session and containers, with no clash", () =>
    Effect.gen(function*() {
      const out = yield* tempDir("tc-workers-")
      ChildProcess.execFileSync(
        Path.resolve(import.meta.dirname, "../node_modules/.bin/vitest"),
        ["run", "--config", Path.join(support, "vitest.workers.config.ts"), "--root", support],
        {
          env: {
            ...process.env,
            EFFECT_DOCKER_TEST_IMAGE: image(),
            EFFECT_DOCKER_TEST_SOCKET: env("EFFECT_DOCKER_TEST_SOCKET"),
            WORKERS_OUT: out
          },
          stdio: ["ignore", "ignore", "inherit"]
        }
      )
      const seen = Fs.readdirSync(out).map((file) => JSON.parse(Fs.readFileSync(Path.join(out, file), "utf8")))
      expect(seen).toHaveLength(3)
      for (const key of ["session", "container", "endpoint", "pid"]) {
        expect(new Set(seen.map((worker) => worker[key])).size).toBe(3)
      }
      // Each worker's reaper ended with it, and each layer removed its container.
      yield* sleep(500)
      const left = yield* eventually(leftovers, (found) => found.containers === 0)
      expect(left).toEqual({ containers: 0, networks: 0, volumes: 0 })
    }).pipe(Effect.scoped))
})
