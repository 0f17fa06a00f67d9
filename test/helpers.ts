/**
 * What the integration tests share: the private engine's addresses (from the global setup), a
 * layer per transport, and labelled containers that are removed whatever the test's outcome.
 */
import { ApiVersion, Docker, DockerTransport } from "@effect-docker/client"
import type { Containers } from "@effect-docker/client"
import { type NodeDocker, NodeDockerTransport } from "@effect-docker/node"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { inject } from "vitest"

/** Records what the engine answered, for `pnpm api:coverage` (test/support/requestLog.ts). */
const record = (request: DockerTransport.DockerRequest, status: number) =>
  Effect.sync(() =>
    Fs.appendFileSync(
      env("EFFECT_DOCKER_TEST_REQUEST_LOG"),
      JSON.stringify({ method: request.method, path: request.path, status }) + "\n"
    )
  )

/**
 * `NodeDocker.layer`, with a transport that logs each request's method, path and status: the
 * coverage report counts an operation as tested when the real engine answered it with success.
 */
export const recordingLayer = (options: NodeDocker.Options) => {
  const transport = Layer.map(NodeDockerTransport.layer(options), (context) => {
    const inner = Context.get(context, DockerTransport.DockerTransport)
    return Context.add(context, DockerTransport.DockerTransport, {
      ...inner,
      request: (request) => Effect.tap(inner.request(request), (response) => record(request, response.status)),
      stream: (request) => Effect.tap(inner.stream(request), (response) => record(request, response.status)),
      upgrade: (request) => Effect.tap(inner.upgrade(request), (result) => record(request, result.status)),
      websocket: (request) => Effect.tap(inner.websocket!(request), (result) => record(request, result.status))
    })
  })
  return Docker.layerOn(transport, options)
}

export const env = (name: string): string => {
  const value = inject("engine")[name] ?? process.env[name]
  if (value === undefined) throw new Error(`${name} is not set: the integration global setup did not start the engine`)
  return value
}

/** The API version of the engine this project runs against (1.41 or 1.51). */
export const engineApi = () => env("EFFECT_DOCKER_TEST_API_VERSION")

/** Whether this project's engine speaks `version` or newer: for what older engines truly lack. */
export const engineHas = (version: string) => ApiVersion.compare(engineApi(), version) >= 0

/** Every test container carries this label, so a sweep can find what a failed test left. */
export const testLabel = { "effect-docker.test": "integration" } as const

export const certs = (file: string, dir = env("EFFECT_DOCKER_TEST_CERTS")) =>
  Fs.readFileSync(Path.join(dir, file), "utf8")

export const tlsOptions = (dir?: string) => ({
  ca: certs("ca.pem", dir),
  cert: certs("cert.pem", dir),
  key: Redacted.make(certs("key.pem", dir))
})

/** The same engine over each transport the Node package offers. */
export const transports = () =>
  [
    { name: "unix socket", layer: recordingLayer({ host: `unix://${env("EFFECT_DOCKER_TEST_SOCKET")}` }) },
    { name: "plain tcp", layer: recordingLayer({ host: env("EFFECT_DOCKER_TEST_TCP") }) },
    { name: "tls", layer: recordingLayer({ host: env("EFFECT_DOCKER_TEST_TLS"), tls: tlsOptions() }) }
  ] as const

/** A detached container, labelled, removed with its volumes when the scope closes. */
export const scopedContainer = (options: Omit<Containers.RunOptions, "detach">) =>
  Effect.acquireRelease(
    Effect.flatMap(Docker.Docker, (docker) =>
      docker.containers.run({ ...options, labels: { ...testLabel, ...options.labels }, detach: true })),
    (container) =>
      Effect.flatMap(Docker.Docker, (docker) =>
        docker.containers.remove(container.Id, { force: true, volumes: true })).pipe(
          Effect.catchTag("NotFound", () =>
            Effect.void),
          Effect.orDie
        )
  )

/** Removes every labelled container: the safety net behind each file. */
export const sweep = Effect.gen(function*() {
  const docker = yield* Docker.Docker
  const left = yield* docker.containers.list({ all: true, filters: { label: ["effect-docker.test"] } })
  yield* Effect.forEach(left, (c) => docker.containers.remove(c.Id, { force: true, volumes: true }).pipe(Effect.ignore))
  return left.length
})

/** Waits with the real clock (tests in a layer run on the TestClock). */
export const sleep = (millis: number) => Effect.promise(() => new Promise((resolve) => setTimeout(resolve, millis)))

/** Runs `effect` until its value satisfies `done`, every 200 ms, for `seconds` (20) at most. */
export const eventually = <A, E, R>(effect: Effect.Effect<A, E, R>, done: (value: A) => boolean, seconds = 20) =>
  Effect.gen(function*() {
    for (let attempt = 0;; attempt++) {
      const value = yield* effect
      if (done(value) || attempt >= seconds * 5) return value
      yield* sleep(200)
    }
  })

/** A fresh directory under the system's temporary one, removed with the scope. */
export const tempDir = (prefix: string) =>
  Effect.acquireRelease(
    Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), prefix))),
    (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
  )

/** The sockets this process holds open (Linux's /proc: the same on Node, Bun and Deno). */
export const openSockets = () =>
  Fs.readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return Fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith("socket:")
    } catch {
      return false // closed while listing
    }
  }).length
