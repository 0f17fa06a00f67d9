/**
 * The same tests on Node, Bun and Deno (`pnpm test:runtimes` runs this file with vitest on each
 * runtime; on Node it is part of the integration suite): each runtime's own layer against the real
 * engine, over a Unix socket, TCP and TLS, hijacked connections and half-close included.
 */
import { BunDocker } from "@effect-docker/bun"
import { Docker, type DockerError, DockerTransport, Multiplexed, RegistryAuth } from "@effect-docker/client"
import { DenoDocker } from "@effect-docker/deno"
import { NodeDocker, Tar } from "@effect-docker/node"
import { afterAll, expect, layer } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as Crypto from "node:crypto"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { guestbook } from "../examples/orchestration/guestbook.js"
import { quickstart } from "../examples/quickstart.js"
import { shell } from "../examples/sessions/shell.js"
import { watch } from "../examples/streams/watch.js"
import { certs, env, openSockets, sleep, sweep, tempDir, testLabel } from "./helpers.js"

const runtime = "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node"

/** This runtime's own layer: what its users provide. */
const layerOf = (options: NodeDocker.Options) =>
  runtime === "bun"
    ? BunDocker.layer(options)
    : runtime === "deno"
    ? DenoDocker.layer(options)
    : NodeDocker.layer(options)

const unix = layerOf({ host: `unix://${env("EFFECT_DOCKER_TEST_SOCKET")}` })
const label = { ...testLabel, suite: `runtime-${runtime}` }

/** What a layer's first request fails with. */
const pingFailure = (options: NodeDocker.Options) =>
  Effect.flatMap(Docker.Docker, (docker) => docker.system.ping()).pipe(
    Effect.provide(layerOf(options)),
    Effect.flip
  ) as Effect.Effect<DockerError.DockerConnectionError | DockerError.DockerTimeoutError>

const detached = (cmd: ReadonlyArray<string>) =>
  Effect.acquireRelease(
    Effect.flatMap(Docker.Docker, (docker) =>
      docker.containers.run({ image: "busybox", cmd, labels: label, detach: true })),
    (container) =>
      Effect.flatMap(Docker.Docker, (docker) =>
        docker.containers.remove(container.Id, { force: true })).pipe(Effect.ignore)
  )

layer(unix, { excludeTestServices: true, timeout: "180 seconds" })(`the client on ${runtime}`, (it) => {
  afterAll(() => Effect.runPromise(Effect.provide(sweep, unix)))

  it.effect("runs the four examples: quick start, streams, sessions, the guestbook", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      // What the quick start prints, through Effect's console, which writes to the global one.
      const lines: Array<string> = []
      const log = globalThis.console.log
      yield* Effect.acquireUseRelease(
        Effect.sync(() => {
          globalThis.console.log = (...args: ReadonlyArray<unknown>) => lines.push(args.join(" "))
        }),
        () => quickstart,
        () => Effect.sync(() => (globalThis.console.log = log))
      )
      expect(lines[0]).toMatch(/^engine \S+, API 1\.\d+$/)
      expect(lines).toContain("output: hello from busybox")
      expect(lines.some((line) => line.startsWith("as expected, NotFound (image)"))).toBe(true)
      expect(lines).toContain("as expected, ContainerExitError: exit 3: broken")

      const run = `${runtime}-${Date.now()}`
      const labels = { "effect-docker.example": run }
      const seen = yield* watch({ labels })
      expect(seen.events).toEqual(["create", "start"])
      expect(seen.ticks).toEqual(["tick 1", "tick 2", "tick 3"])
      expect(yield* shell({ labels })).toEqual({
        sorted: "apple\nfig\npear\n",
        note: "written from effect-docker\n",
        size: 27,
        exitCode: 4,
        stderr: "nope\n"
      })
      expect(yield* guestbook({ entries: 2, labels })).toBe("first entry: the book is open\nentry 1\nentry 2\n")
      const filters = { label: [`effect-docker.example=${run}`] }
      expect(yield* docker.containers.list({ all: true, filters })).toEqual([])
      expect(yield* docker.networks.list({ filters })).toEqual([])
    }))

  it.scoped("follows logs, ends a follow and the event stream when interrupted, and leaves no socket open", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const ticking = yield* detached(["sh", "-c", "for i in 1 2 3; do echo tick $i; sleep 0.2; done; echo done >&2"])
      const followed = yield* Multiplexed.collectText(docker.containers.logStream(ticking.Id, { follow: true }))
      expect(followed).toMatchObject({ stdout: "tick 1\ntick 2\ntick 3\n", stderr: "done\n" })

      const endless = yield* detached(["sh", "-c", "while true; do echo more; sleep 0.05; done"])
      yield* docker.containers.inspect(endless.Id)
      const before = openSockets()
      const taken = yield* docker.containers.logStream(endless.Id, { follow: true }).pipe(
        Stream.take(5),
        Stream.runCollect
      )
      expect(Chunk.size(taken)).toBe(5)
      for (let round = 0; round < 6; round++) {
        const fiber = yield* Effect.fork(
          round % 2 === 0
            ? Stream.runDrain(docker.containers.logStream(endless.Id, { follow: true }))
            : Stream.runDrain(docker.system.events())
        )
        yield* sleep(150)
        yield* Fiber.interrupt(fiber)
      }
      // The next event still arrives on a fresh stream: nothing is stuck in the pool.
      const nextDeath = yield* Effect.fork(
        docker.system.events({ filters: { type: ["container"], event: ["die"], container: [endless.Id] } }).pipe(
          Stream.runHead
        )
      )
      yield* sleep(300)
      yield* docker.containers.kill(endless.Id)
      const died = yield* Fiber.join(nextDeath)
      expect(died._tag === "Some" && died.value.Actor?.ID).toBe(endless.Id)
      yield* sleep(300)
      // A runtime's fetch may keep a couple of idle connections for the next request; no more.
      expect(openSockets() - before).toBeLessThanOrEqual(2)
    }))

  it.scoped("runs an exec session: stdin written, half-closed, the output after it, the exit code", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const box = yield* detached(["sleep", "60"])
      const session = yield* docker.exec.session(box.Id, {
        cmd: ["sh", "-c", "wc -l; echo after the end of input >&2; exit 7"],
        stdin: true
      })
      const lines = Array.from({ length: 2000 }, (_, i) => `line ${i}\n`).join("")
      yield* session.write(lines)
      yield* session.closeStdin
      const output = yield* Multiplexed.collectText(session.output)
      expect(output.stdout.trim()).toBe("2000")
      expect(output.stderr).toBe("after the end of input\n")
      expect(yield* session.exitCode).toBe(7)
    }))

  it.scoped("attaches with stdin before the start: the container reads it and sees its end", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const created = yield* Effect.acquireRelease(
        docker.containers.create({
          Image: "busybox",
          Cmd: ["sh", "-c", "tr a-z A-Z; echo bye >&2"],
          OpenStdin: true,
          StdinOnce: true,
          AttachStdin: true,
          Labels: label
        }),
        (c) => Effect.ignore(docker.containers.remove(c.Id, { force: true }))
      )
      const session = yield* docker.containers.attach(created.Id, { stdin: true })
      yield* docker.containers.start(created.Id)
      yield* session.write(`hello from ${runtime}\n`)
      yield* session.closeStdin
      const output = yield* Multiplexed.collectText(session.output)
      expect(output.stdout).toBe(`HELLO FROM ${runtime.toUpperCase()}\n`)
      expect(output.stderr).toBe("bye\n")
      expect((yield* docker.containers.wait(created.Id)).StatusCode).toBe(0)
    }))

  it.scoped("exports a container: the bytes the engine sends, exactly, with the file written in it", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const box = yield* detached(["sh", "-c", "head -c 3000000 /dev/urandom > /blob; sync; sleep 60"])
      yield* sleep(500)
      const exported = yield* Stream.runCollect(docker.containers.export(box.Id))
      const bytes = Buffer.concat(Chunk.toReadonlyArray(exported))
      // The same export read by another client: node:http, which each runtime has.
      const raw = yield* Effect.promise(() => rawGet(`/containers/${box.Id}/export`))
      expect(bytes.length).toBe(raw.length)
      expect(Crypto.createHash("sha256").update(bytes).digest("hex")).toBe(
        Crypto.createHash("sha256").update(raw).digest("hex")
      )
      const files = yield* Tar.readFiles(Stream.fromIterable(Chunk.toReadonlyArray(exported)))
      expect(files["blob"]?.length).toBe(3000000)
    }))

  it.scoped("builds an image, pushes it with progress and pulls it back with progress", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const image = `${env("EFFECT_DOCKER_TEST_REGISTRY")}/effect-docker/runtime-${runtime}:${Date.now()}`
      yield* Effect.addFinalizer(() => Effect.ignore(docker.images.remove(image, { force: true })))
      const id = yield* docker.images.build(
        Tar.fromFiles({ "Dockerfile": `FROM busybox\nRUN echo built on ${runtime} > /built\n` }),
        { builder: "classic", tags: [image], labels: label, forceRm: true }
      )
      expect(id).toMatch(/^sha256:/)
      const pushed = yield* Stream.runCollect(docker.images.pushStream(image))
      expect(Chunk.toReadonlyArray(pushed).some((event) => /digest: sha256:/.test(event.status ?? ""))).toBe(true)
      yield* docker.images.remove(image)
      const pulled = Chunk.toReadonlyArray(yield* Stream.runCollect(docker.images.pullStream(image)))
      const statuses = pulled.map((event) => event.status ?? "")
      expect(statuses).toContain("Pull complete")
      expect(statuses.some((status) => status.startsWith("Status: Downloaded newer image"))).toBe(true)
      const built = yield* docker.containers.run({ image, cmd: ["cat", "/built"], labels: label, remove: true })
      expect(built).toBe(`built on ${runtime}\n`)
    }))

  it.effect("reaches the engine over TCP and TLS with a client certificate; refuses a wrong CA", () =>
    Effect.gen(function*() {
      const ping = Effect.flatMap(Docker.Docker, (docker) => docker.system.ping())
      expect(yield* Effect.provide(ping, layerOf({ host: env("EFFECT_DOCKER_TEST_TCP") }))).toBe("OK")
      const tls = {
        ca: certs("ca.pem"),
        cert: certs("cert.pem"),
        key: Redacted.make(certs("key.pem"))
      }
      expect(yield* Effect.provide(ping, layerOf({ host: env("EFFECT_DOCKER_TEST_TLS"), tls }))).toBe("OK")
      const wrong = yield* pingFailure({
        host: env("EFFECT_DOCKER_TEST_TLS"),
        tls: { ...tls, ca: certs("ca.pem", Path.join(env("EFFECT_DOCKER_TEST_CERTS"), "wrong")) }
      })
      expect(wrong._tag).toBe("DockerConnectionError")
      expect(wrong._tag === "DockerConnectionError" && wrong.reason).toBe("Tls")
    }))

  it.scoped("layerFromEnv reads the CLI's context store and credentials, a helper run by the runtime", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir(`effect-docker-${runtime}-config-`)
      const digest = Crypto.createHash("sha256").update("remote-tls").digest("hex")
      const write = (file: string, content: string, mode = 0o644) => {
        Fs.mkdirSync(Path.dirname(Path.join(dir, file)), { recursive: true })
        Fs.writeFileSync(Path.join(dir, file), content, { mode })
      }
      write(
        `contexts/meta/${digest}/meta.json`,
        JSON.stringify({ Name: "remote-tls", Endpoints: { docker: { Host: env("EFFECT_DOCKER_TEST_TLS") } } })
      )
      for (const file of ["ca.pem", "cert.pem", "key.pem"]) write(`contexts/tls/${digest}/docker/${file}`, certs(file))
      write(
        "config.json",
        JSON.stringify({
          currentContext: "remote-tls",
          auths: { "file.example": { auth: btoa("filer:from-the-file") } },
          credHelpers: { "helper.example": "effecttest" }
        })
      )
      // A credential helper on the PATH: answers `get` with what it read on stdin.
      write(
        "bin/docker-credential-effecttest",
        `#!/bin/sh\nread server\necho "{\\"Username\\":\\"helped\\",\\"Secret\\":\\"for $server\\"}"\n`,
        0o755
      )
      const path = process.env.PATH
      yield* Effect.acquireRelease(
        Effect.sync(() => (process.env.PATH = `${Path.join(dir, "bin")}:${path}`)),
        () => Effect.sync(() => (process.env.PATH = path))
      )
      const fromEnv = runtime === "bun"
        ? BunDocker.layerFromEnv()
        : runtime === "deno"
        ? DenoDocker.layerFromEnv()
        : NodeDocker.layerFromEnv()
      const seen = yield* Effect.gen(function*() {
        const docker = yield* Docker.Docker
        const transport = yield* DockerTransport.DockerTransport
        const credentials = yield* RegistryAuth.RegistryCredentials
        return {
          host: transport.host,
          ping: yield* docker.system.ping(),
          fromFile: yield* credentials.get("file.example"),
          fromHelper: yield* credentials.get("helper.example")
        }
      }).pipe(
        Effect.provide(fromEnv),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["DOCKER_CONFIG", dir], ["HOME", dir]])))
      )
      expect(seen.host).toBe(env("EFFECT_DOCKER_TEST_TLS"))
      expect(seen.ping).toBe("OK")
      const user = (found: Option.Option<RegistryAuth.AuthConfig>) =>
        Option.map(found, (auth) => [auth.username, auth.password && Redacted.value(auth.password)])
      expect(user(seen.fromFile)).toEqual(Option.some(["filer", "from-the-file"]))
      expect(user(seen.fromHelper)).toEqual(Option.some(["helped", "for helper.example"]))
    }))

  it.effect("refuses a missing socket with its path in the message", () =>
    Effect.gen(function*() {
      const socket = `/tmp/effect-docker-no-engine-${runtime}.sock`
      const error = yield* pingFailure({ host: `unix://${socket}` })
      expect(error._tag === "DockerConnectionError" && error.reason).toBe("SocketNotFound")
      expect(error.message).toContain(socket)
    }))
})

/** GET over the engine's socket with node:http, which each runtime has: the export's oracle. */
const rawGet = (path: string) =>
  import("node:http").then((Http) =>
    new Promise<Buffer>((resolve, reject) => {
      Http.get({ socketPath: env("EFFECT_DOCKER_TEST_SOCKET"), path }, (response) => {
        const chunks: Array<Buffer> = []
        response.on("data", (chunk: Buffer) => chunks.push(chunk))
        response.once("end", () => resolve(Buffer.concat(chunks)))
        response.once("error", reject)
      }).once("error", reject)
    })
  )
