/**
 * What a program's traces and logs show of the client, as OpenTelemetry's in-memory exporter
 * and a test logger see them: a client span per request with the HTTP attributes and ours,
 * nested under the workflow that made it; failures with their error's tag; streams and sessions
 * spanning their whole life; a debug log line per request; nothing with tracing turned off.
 */
import { Docker } from "@effect-docker/client"
import { MockTransport } from "@effect-docker/testing"
import { NodeSdk } from "@effect/opentelemetry"
import { describe, expect, it } from "@effect/vitest"
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Stream from "effect/Stream"

const container = {
  Id: "c0ffee",
  Name: "/web",
  State: { Status: "running", Running: true },
  Config: { Image: "busybox" }
}

const handler: MockTransport.Handler = (request) => {
  if (request.path.endsWith("/containers/create")) return MockTransport.json({ Id: "c0ffee", Warnings: [] }, 201)
  if (request.path.endsWith("/start")) return MockTransport.empty()
  if (request.path.endsWith("/containers/c0ffee/json")) return MockTransport.json(container)
  if (request.path.endsWith("/containers/json")) return MockTransport.json([])
  if (request.path.endsWith("/networks/create")) return MockTransport.json({ Id: "n1", Warning: "" }, 201)
  if (request.method === "DELETE" || request.path.endsWith("/stop")) return MockTransport.empty()
  if (request.path.endsWith("/logs")) return MockTransport.output([{ stream: "stdout", data: "ready\n" }])
  if (request.path.includes("/containers/missing")) return MockTransport.error(404, "No such container: missing")
  return undefined
}

/** The in-memory exporter, keeping its spans when the SDK shuts down with the test's layer. */
class KeptSpans extends InMemorySpanExporter {
  override shutdown() {
    return Promise.resolve()
  }
}

/** The client on a mock engine of API 1.51 (negotiated), as a layer. */
const client = (options: { readonly tracing?: boolean } = {}) =>
  Docker.layerOn(MockTransport.layer(handler, { apiVersion: "1.51" }), options)

/** The client on the mock, with an OpenTelemetry SDK whose spans land in `exporter`. */
const traced = (options: { readonly tracing?: boolean } = {}) => {
  const exporter = new KeptSpans()
  const layer = Layer.mergeAll(
    client(options),
    NodeSdk.layer(() => ({
      resource: { serviceName: "telemetry-test" },
      spanProcessor: new SimpleSpanProcessor(exporter)
    }))
  )
  return { exporter, layer }
}

const byName = (spans: ReadonlyArray<ReadableSpan>, name: string) => {
  const found = spans.filter((span) => span.name === name)
  expect(found.map((span) => span.name), `spans: ${spans.map((s) => s.name).join(", ")}`).toContain(name)
  return found
}

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId

describe("spans", () => {
  it.effect("one client span per request, with the HTTP attributes and ours, under the workflow that made it", () => {
    const { exporter, layer } = traced()
    return Effect.gen(function*() {
      yield* Effect.gen(function*() {
        const docker = yield* Docker.Docker
        yield* docker.containers.run({ image: "busybox", detach: true, name: "web" })
        yield* docker.containers.list()
      }).pipe(Effect.withSpan("user program"), Effect.provide(layer))

      const spans = exporter.getFinishedSpans()
      const [program] = byName(spans, "user program")
      const [run] = byName(spans, "docker.containers.run")
      const [create] = byName(spans, "docker.ContainerCreate")
      const [start] = byName(spans, "docker.ContainerStart")
      const [inspect] = byName(spans, "docker.ContainerInspect")
      const [list] = byName(spans, "docker.ContainerList")
      const [negotiate] = byName(spans, "docker.negotiate")
      expect(parentOf(run!)).toBe(program!.spanContext().spanId)
      for (const child of [create!, start!, inspect!]) expect(parentOf(child)).toBe(run!.spanContext().spanId)
      expect(parentOf(list!)).toBe(program!.spanContext().spanId)
      expect(negotiate!.attributes).toMatchObject({ "url.path": "/_ping", "http.request.method": "GET" })
      // The first request negotiates the version: the negotiation is its child.
      expect(parentOf(negotiate!)).toBe(create!.spanContext().spanId)

      expect(run!.attributes).toMatchObject({ "docker.image.name": "busybox", "docker.container.name": "web" })
      expect(inspect!.kind).toBe(2) // SpanKind.CLIENT
      expect(inspect!.attributes).toEqual({
        "docker.operation": "ContainerInspect",
        "docker.api.version": "1.51",
        "docker.transport": "memory",
        "docker.container.id": "c0ffee",
        "http.request.method": "GET",
        "http.response.status_code": 200,
        "url.path": "/containers/{id}/json",
        "url.template": "/containers/{id}/json",
        "server.address": "mock"
      })
      expect(create!.attributes).toMatchObject({ "http.request.method": "POST", "http.response.status_code": 201 })
      expect(inspect!.status.code).toBe(1) // SpanStatusCode.OK
    })
  })

  it.effect("a failed request records its error's tag and the engine's status", () => {
    const { exporter, layer } = traced()
    return Effect.gen(function*() {
      const error = yield* Effect.flip(
        Effect.flatMap(Docker.Docker, (docker) => docker.containers.inspect("missing")).pipe(Effect.provide(layer))
      )
      expect(error._tag).toBe("NotFound")
      const [span] = byName(exporter.getFinishedSpans(), "docker.ContainerInspect")
      expect(span!.attributes).toMatchObject({
        "error.type": "NotFound",
        "http.response.status_code": 404,
        "docker.container.id": "missing"
      })
      expect(span!.status.code).toBe(2) // SpanStatusCode.ERROR
    })
  })

  it.effect("a stream's span lasts until the stream ends, with the bytes it carried", () => {
    const { exporter, layer } = traced()
    return Effect.gen(function*() {
      const lines = yield* Effect.flatMap(
        Docker.Docker,
        (docker) => Stream.runCollect(docker.containers.logStream("c0ffee", { stdout: true }))
      ).pipe(
        Effect.withSpan("reader"),
        Effect.provide(layer)
      )
      expect(lines.length).toBeGreaterThan(0)
      const spans = exporter.getFinishedSpans()
      const [logs] = byName(spans, "docker.ContainerLogs")
      const [reader] = byName(spans, "reader")
      expect(parentOf(logs!)).toBe(reader!.spanContext().spanId)
      // One multiplexed frame: an 8-byte header and "ready\n".
      expect(logs!.attributes).toMatchObject({ "docker.stream.bytes_read": 14, "http.response.status_code": 200 })
    })
  })

  it.effect("tracing: false makes no span of the client's own, the workflows' and releases' included", () => {
    const run = Effect.gen(function*() {
      const docker = yield* Docker.Docker
      yield* docker.containers.inspect("c0ffee")
      yield* docker.containers.run({ image: "busybox", detach: true })
      yield* Effect.scoped(docker.containers.scoped({ image: "busybox" }))
      yield* Effect.scoped(docker.networks.scoped({ Name: "n" }))
    }).pipe(Effect.withSpan("user program"))
    return Effect.gen(function*() {
      const off = traced({ tracing: false })
      yield* Effect.provide(run, off.layer)
      expect(off.exporter.getFinishedSpans().map((span) => span.name)).toEqual(["user program"])
      // The same program traced: the spans that tracing: false left out.
      const on = traced()
      yield* Effect.provide(run, on.layer)
      const names = on.exporter.getFinishedSpans().map((span) => span.name)
      for (
        const name of [
          "docker.containers.run",
          "docker.containers.scoped",
          "docker.release.stop",
          "docker.release.remove"
        ]
      ) {
        expect(names).toContain(name)
      }
      expect(names.filter((name) => name === "docker.release.remove")).toHaveLength(2)
    })
  })
})

describe("logs", () => {
  it.effect("a debug line per request with its method, route, status and duration, annotated", () => {
    const lines: Array<{ message: unknown; annotations: Record<string, unknown>; level: string }> = []
    const logger = Logger.make(({ annotations, logLevel, message }) => {
      lines.push({ message, level: logLevel.label, annotations: Object.fromEntries(annotations) })
    })
    return Effect.gen(function*() {
      yield* Effect.flatMap(Docker.Docker, (docker) => docker.containers.inspect("c0ffee"))
      const request = lines.find((line) => String(line.message).includes("/containers/{id}/json"))
      expect(request?.level).toBe("DEBUG")
      expect(String(request?.message)).toMatch(/^GET \/containers\/\{id\}\/json 200 in [\d.]+ ms$/)
      expect(request?.annotations).toMatchObject({
        "docker.operation": "ContainerInspect",
        "http.request.method": "GET",
        "http.response.status_code": 200,
        "docker.api.version": "1.51"
      })
      expect(lines.some((line) => String(line.message).startsWith("API version 1.51 negotiated"))).toBe(true)
    }).pipe(
      Effect.provide(client()),
      Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
      Logger.withMinimumLogLevel(LogLevel.Debug)
    )
  })
})

describe("warnings and release steps", () => {
  it.effect("the engine's Warnings become warning logs; a scoped container's release steps, debug logs", () => {
    const lines: Array<{ message: string; level: string }> = []
    const logger = Logger.make(({ logLevel, message }) => {
      lines.push({ message: String(message), level: logLevel.label })
    })
    const warned: MockTransport.Handler = (request) =>
      request.path.endsWith("/containers/create")
        ? MockTransport.json({ Id: "c0ffee", Warnings: ["Your kernel does not support swap limit capabilities"] }, 201)
        : request.path.endsWith("/stop") || request.method === "DELETE"
        ? MockTransport.empty()
        : handler(request)
    return Effect.gen(function*() {
      const docker = yield* Docker.Docker
      yield* Effect.scoped(docker.containers.scoped({ image: "busybox" }))
      expect(lines).toContainEqual({
        level: "WARN",
        message: "the engine warns: Your kernel does not support swap limit capabilities"
      })
      expect(lines).toContainEqual({ level: "DEBUG", message: "released container c0ffee: stop" })
      expect(lines).toContainEqual({ level: "DEBUG", message: "released container c0ffee: remove" })
    }).pipe(
      Effect.provide(Docker.layerOn(MockTransport.layer(warned, { apiVersion: "1.51" }))),
      Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
      Logger.withMinimumLogLevel(LogLevel.Debug)
    )
  })
})
