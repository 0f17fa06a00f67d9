/**
 * The trace of a program against the real engine, as OpenTelemetry's in-memory exporter sees it:
 * `containers.run` under the program's span and its requests under it (create, attach for the
 * output's whole life, start, wait, remove), each with the engine's real status, over the Unix
 * socket and over TLS; a failure with its error's tag and the error status.
 */
import { Docker } from "@effect-docker/client"
import { NodeSdk } from "@effect/opentelemetry"
import { describe, expect, it } from "@effect/vitest"
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { engineApi, env, testLabel, transports } from "./helpers.js"

/** Keeps its spans when the SDK shuts down with the test's layer. */
class KeptSpans extends InMemorySpanExporter {
  override shutdown() {
    return Promise.resolve()
  }
}

const tracedRun = <E>(engine: Layer.Layer<Docker.Docker, E>) =>
  Effect.gen(function*() {
    const exporter = new KeptSpans()
    const tracing = NodeSdk.layer(() => ({
      resource: { serviceName: "effect-docker-tracing-test" },
      spanProcessor: new SimpleSpanProcessor(exporter)
    }))
    const output = yield* Effect.flatMap(Docker.Docker, (docker) =>
      docker.containers.run({
        image: "busybox",
        cmd: ["echo", "traced"],
        labels: testLabel,
        remove: true
      })).pipe(Effect.withSpan("user program"), Effect.provide(Layer.merge(engine, tracing)))
    return { output, spans: exporter.getFinishedSpans() }
  })

/** The spans as a tree, children under their parent in start order: what the exporter saw, printed. */
const tree = (spans: ReadonlyArray<ReadableSpan>) => {
  const millis = (span: ReadableSpan) => span.duration[0] * 1e3 + span.duration[1] / 1e6
  const line = (span: ReadableSpan, depth: number): Array<string> => [
    `${"  ".repeat(depth)}${span.name} ${millis(span).toFixed(1)} ms` +
    (span.attributes["http.response.status_code"] === undefined
      ? ""
      : ` ${span.attributes["http.request.method"]} ${span.attributes["url.path"]} ${
        span.attributes["http.response.status_code"]
      }`),
    ...spans
      .filter((child) => child.parentSpanContext?.spanId === span.spanContext().spanId)
      .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1])
      .flatMap((child) => line(child, depth + 1))
  ]
  const ids = new Set(spans.map((span) => span.spanContext().spanId))
  return spans.filter((span) => !ids.has(span.parentSpanContext?.spanId ?? "")).flatMap((root) => line(root, 0))
    .join("\n")
}

const one = (spans: ReadonlyArray<ReadableSpan>, name: string) => {
  const found = spans.filter((span) => span.name === name)
  expect(found.length, `${name} among ${spans.map((s) => s.name).join(", ")}`).toBe(1)
  return found[0]!
}

describe("traces against the real engine", () => {
  for (const transport of transports().filter((t) => t.name !== "plain tcp")) {
    // On the real clock (it.effect runs on the TestClock, where every span starts at 0).
    it.live(`containers.run over ${transport.name}: the program's span, run's, and its requests`, () =>
      Effect.gen(function*() {
        const { output, spans } = yield* tracedRun(transport.layer)
        expect(output).toBe("traced\n")
        const program = one(spans, "user program")
        const run = one(spans, "docker.containers.run")
        expect(run.parentSpanContext?.spanId).toBe(program.spanContext().spanId)
        const children = ["ContainerCreate", "ContainerAttach", "ContainerStart", "ContainerWait", "ContainerDelete"]
          .map((operation) => one(spans, `docker.${operation}`))
        for (const child of children) {
          expect(child.parentSpanContext?.spanId, child.name).toBe(run.spanContext().spanId)
          expect(child.attributes["docker.api.version"]).toBe(engineApi())
        }
        const [create, attach, start, wait] = children
        expect(create!.attributes).toMatchObject({ "http.response.status_code": 201, "url.path": "/containers/create" })
        // The attach span lasts while the output comes: it starts before start and ends after it.
        expect(attach!.attributes).toMatchObject({
          "http.response.status_code": 101,
          "url.path": "/containers/{id}/attach"
        })
        expect(Number(attach!.attributes["docker.stream.bytes_read"])).toBeGreaterThanOrEqual("traced\n".length)
        const nanos = ([seconds, fraction]: readonly [number, number]) => seconds * 1e9 + fraction
        expect(nanos(attach!.startTime)).toBeLessThan(nanos(start!.startTime))
        expect(nanos(attach!.endTime)).toBeGreaterThan(nanos(start!.endTime))
        expect(wait!.attributes["docker.container.id"]).toMatch(/^[0-9a-f]{64}$/)
        expect(start!.attributes["docker.container.id"]).toBe(wait!.attributes["docker.container.id"])
        expect(start!.attributes).toMatchObject({
          "docker.transport": transport.name === "tls" ? "tls" : "unix",
          "server.address": transport.name === "tls" ? "127.0.0.1" : env("EFFECT_DOCKER_TEST_SOCKET")
        })
        console.log(`the trace of containers.run over ${transport.name}, as the exporter saw it:\n${tree(spans)}`)
      }))
  }

  it.live("a failed inspect records NotFound, the engine's 404 and the error status", () =>
    Effect.gen(function*() {
      const exporter = new KeptSpans()
      const tracing = NodeSdk.layer(() => ({
        resource: { serviceName: "effect-docker-tracing-test" },
        spanProcessor: new SimpleSpanProcessor(exporter)
      }))
      const error = yield* Effect.flip(
        Effect.flatMap(Docker.Docker, (docker) => docker.containers.inspect("effect-docker-no-such-container")).pipe(
          Effect.provide(Layer.merge(transports()[0].layer, tracing))
        )
      )
      expect(error._tag).toBe("NotFound")
      const span = one(exporter.getFinishedSpans(), "docker.ContainerInspect")
      expect(span.attributes).toMatchObject({
        "error.type": "NotFound",
        "http.response.status_code": 404,
        "docker.container.id": "effect-docker-no-such-container"
      })
      expect(span.status.code).toBe(2)
    }))
})
