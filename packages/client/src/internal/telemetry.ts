/**
 * Spans and debug logs of the engine's requests. One client span per request, named
 * `docker.<Operation>` after the Engine API's operation id (`docker.ContainerInspect`): the name
 * says which of the API's 108 operations ran, where the HTTP convention (`http.client GET`)
 * would say only the method; the HTTP semantics are in the attributes, as OpenTelemetry's HTTP
 * client conventions name them. Streams and hijacked sessions keep their span open for their
 * whole life, with the bytes and chunks they carried. No header value and no body is ever an
 * attribute: credentials travel in headers and bodies only.
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as LogLevel from "effect/LogLevel"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Tracer from "effect/Tracer"
import type { EngineRequest } from "../DockerEngine.js"
import * as DockerHost from "../DockerHost.js"
import type { DockerPeer } from "../DockerTransport.js"

/** The attribute naming the object a path's first parameter is, by the path's first segment. */
const objectAttribute: Record<string, string> = {
  containers: "docker.container.id",
  images: "docker.image.name",
  networks: "docker.network.id",
  volumes: "docker.volume.name",
  exec: "docker.exec.id",
  services: "docker.service.id",
  tasks: "docker.task.id",
  nodes: "docker.node.id",
  secrets: "docker.secret.id",
  configs: "docker.config.id",
  plugins: "docker.plugin.name",
  distribution: "docker.image.name"
}

/** What the transport says it reaches, else what its host string says. */
const peerOf = (host: string, peer: DockerPeer | undefined): DockerPeer => {
  if (peer !== undefined) return peer
  const parsed = Either.getOrUndefined(DockerHost.parse(host))
  if (parsed === undefined) return { transport: "unknown", address: host }
  switch (parsed._tag) {
    case "Unix":
      return { transport: "unix", address: parsed.socketPath }
    case "Tcp":
      return { transport: parsed.tls ? "tls" : "tcp", address: parsed.hostname, port: parsed.port }
    case "Ssh":
      return { transport: "ssh", address: parsed.hostname, port: parsed.port }
  }
}

/** The request's name in spans and logs: its operation id, else its method and route. */
const nameOf = (request: EngineRequest) =>
  request.operation ?? `${request.method} ${request.path.template ?? request.path.encoded}`

/**
 * @since 0.2.0
 */
export interface Telemetry {
  /** A buffered request: its span ends with the answer. */
  readonly request: <A, E>(
    request: EngineRequest,
    send: (observe: Observe) => Effect.Effect<A, E>
  ) => Effect.Effect<A, E>
  /**
   * A stream or session: the span ends when the scope closes (or at once when the request
   * fails), with the bytes counted by the `count` it gave.
   */
  readonly scoped: <A, E, R>(
    request: EngineRequest,
    send: (observe: Observe, count: Count) => Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E, R | Scope.Scope>
  /** The version negotiation: its own span, and a debug log of what was chosen. */
  readonly negotiation: <E>(negotiate: Effect.Effect<string, E>) => Effect.Effect<string, E>
}

/** Called with the API version once the request is prepared, and with its status once known. */
export interface Observe {
  readonly sent: (apiVersion: string) => void
  readonly status: (status: number) => void
}

/** Counts the bytes of a stream or session: what the engine sent, and what was written to it. */
export interface Count {
  readonly read: <E>(body: Stream.Stream<Uint8Array, E>) => Stream.Stream<Uint8Array, E>
  readonly written: (bytes: number) => void
}

const noObserve: Observe = { sent: () => undefined, status: () => undefined }
const noCount: Count = { read: (body) => body, written: () => undefined }

const errorType = (cause: Cause.Cause<unknown>): string => {
  if (Cause.isInterruptedOnly(cause)) return "Interrupted"
  const failure = Cause.failureOption(cause)
  if (failure._tag === "Some") {
    const error = failure.value
    return typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : "Error"
  }
  return "Defect"
}

/** The operations whose answers carry the engine's warnings (the only ones read for them). */
const warningOperations: ReadonlySet<string> = new Set([
  "ContainerCreate",
  "ContainerUpdate",
  "NetworkCreate",
  "ServiceCreate",
  "ServiceUpdate"
])

export const warns = (request: EngineRequest) =>
  request.operation !== undefined && warningOperations.has(request.operation)

/**
 * The warnings an answer carries (`Warnings` of a create or update, `Warning` of a network
 * create: an ignored option, a kernel without memory limits), as warning logs.
 */
export const warnings = (request: EngineRequest, answer: unknown): Effect.Effect<void> => {
  if (typeof answer !== "object" || answer === null) return Effect.void
  const { Warning, Warnings } = answer as { readonly Warning?: unknown; readonly Warnings?: unknown }
  const all = [...(Array.isArray(Warnings) ? Warnings : []), ...(typeof Warning === "string" ? [Warning] : [])]
    .filter((warning): warning is string => typeof warning === "string" && warning !== "")
  return all.length === 0 ?
    Effect.void :
    Effect.forEach(all, (warning) =>
      Effect.logWarning(`the engine warns: ${warning}`).pipe(
        Effect.annotateLogs({ "docker.operation": nameOf(request) })
      ), { discard: true })
}

/**
 * The request's debug log line, annotated with its method, route, status and duration; a
 * failure names its error's tag.
 */
const logRequest = (
  request: EngineRequest,
  state: { readonly status: number | undefined; readonly apiVersion: string | undefined },
  startedMillis: number,
  exit: Exit.Exit<unknown, unknown>,
  extra: Readonly<Record<string, unknown>> = {}
) =>
  Effect.suspend(() => {
    const millis = Math.round((performance.now() - startedMillis) * 10) / 10
    const route = request.path.template ?? request.path.encoded
    const outcome = Exit.isSuccess(exit)
      ? String(state.status ?? "")
      : `failed: ${errorType(exit.cause)}`
    return Effect.logDebug(`${request.method} ${route} ${outcome} in ${millis} ms`).pipe(
      Effect.annotateLogs({
        "docker.operation": nameOf(request),
        "http.request.method": request.method,
        "url.template": route,
        ...(state.status === undefined ? {} : { "http.response.status_code": state.status }),
        ...(state.apiVersion === undefined ? {} : { "docker.api.version": state.apiVersion }),
        ...(Exit.isFailure(exit) ? { "error.type": errorType(exit.cause) } : {}),
        "duration.ms": millis,
        ...extra
      })
    )
  })

/**
 * @since 0.2.0
 */
export const make = (options: {
  readonly enabled: boolean
  readonly host: string
  readonly peer: DockerPeer | undefined
}): Telemetry => {
  const peer = peerOf(options.host, options.peer)
  const base: Record<string, unknown> = {
    "server.address": peer.address,
    "docker.transport": peer.transport,
    ...(peer.port === undefined ? {} : { "server.port": peer.port }),
    ...(peer.transport === "unix" ? { "network.transport": "unix" } : {})
  }

  const spanOptions = (request: EngineRequest): Tracer.SpanOptions => {
    const route = request.path.template ?? request.path.encoded
    const attributes: Record<string, unknown> = {
      ...base,
      "docker.operation": nameOf(request),
      "http.request.method": request.method,
      "url.template": route,
      "url.path": route
    }
    const id = request.path.values?.[0]
    const segment = /^\/([^/]+)\//.exec(route)?.[1]
    const named = segment === undefined ? undefined : objectAttribute[segment]
    if (id !== undefined && named !== undefined) attributes[named] = id
    return { kind: "client", attributes, captureStackTrace: false }
  }

  // Effect's built-in tracer exports nothing: with no other tracer installed, a span would cost
  // (12 µs a span measured here, a fifth of a ping) and show nowhere, so none is made.
  const builtInTracer = Effect.runSync(Effect.tracer)
  const tracedBy = (fiber: Fiber.RuntimeFiber<unknown, unknown>) =>
    options.enabled && fiber.currentTracer !== builtInTracer
  const debugBy = (fiber: Fiber.RuntimeFiber<unknown, unknown>) =>
    LogLevel.lessThanEqual(fiber.getFiberRef(FiberRef.currentMinimumLogLevel), LogLevel.Debug)

  interface State {
    status: number | undefined
    apiVersion: string | undefined
  }
  const observer = (span: Tracer.Span | undefined, state: State): Observe => ({
    sent: (apiVersion: string) => {
      state.apiVersion = apiVersion
      span?.attribute("docker.api.version", apiVersion)
    },
    status: (status: number) => {
      state.status = status
      span?.attribute("http.response.status_code", status)
    }
  })

  const markFailure = (span: Tracer.Span | undefined, exit: Exit.Exit<unknown, unknown>) => {
    if (span !== undefined && Exit.isFailure(exit)) span.attribute("error.type", errorType(exit.cause))
  }

  const request: Telemetry["request"] = (request, send) =>
    Effect.withFiberRuntime((fiber) => {
      const traced = tracedBy(fiber)
      const debug = debugBy(fiber)
      if (!traced && !debug) return send(noObserve)
      const observed = (span: Tracer.Span | undefined) => {
        const state: State = { status: undefined, apiVersion: undefined }
        const started = performance.now()
        return Effect.onExit(send(observer(span, state)), (exit) => {
          markFailure(span, exit)
          return debug ? logRequest(request, state, started, exit) : Effect.void
        })
      }
      // The span is the parent of what the request does (the negotiation of a first request).
      return traced
        ? Effect.useSpan(`docker.${nameOf(request)}`, spanOptions(request), (span) =>
          Effect.withParentSpan(observed(span), span))
        : observed(undefined)
    })

  const scoped: Telemetry["scoped"] = (request, send) =>
    Effect.withFiberRuntime((fiber) => {
      const traced = tracedBy(fiber)
      const debug = debugBy(fiber)
      if (!traced && !debug) return send(noObserve, noCount)
      const observed = (span: Tracer.Span | undefined) => {
        const state: State = { status: undefined, apiVersion: undefined }
        const counted = { read: 0, written: 0, chunks: 0 }
        const started = performance.now()
        const count: Count = {
          read: (body) =>
            Stream.mapChunks(body, (chunk) => {
              for (const bytes of chunk) counted.read += bytes.length
              counted.chunks += chunk.length
              return chunk
            }),
          written: (bytes) => {
            counted.written += bytes
          }
        }
        const end = (exit: Exit.Exit<unknown, unknown>) =>
          Effect.flatMap(Clock.currentTimeNanos, (now) => {
            if (span !== undefined) {
              markFailure(span, exit)
              span.attribute("docker.stream.bytes_read", counted.read)
              span.attribute("docker.stream.bytes_written", counted.written)
              span.attribute("docker.stream.chunks", counted.chunks)
              span.end(now, exit)
            }
            return debug
              ? logRequest(request, state, started, exit, {
                "docker.stream.bytes_read": counted.read,
                "docker.stream.bytes_written": counted.written
              })
              : Effect.void
          })
        const sent = send(observer(span, state), count)
        return (span === undefined ? sent : Effect.withParentSpan(sent, span)).pipe(
          Effect.onExit((exit) => Exit.isFailure(exit) ? end(exit) : Effect.addFinalizer(end))
        )
      }
      return traced
        ? Effect.flatMap(Effect.makeSpan(`docker.${nameOf(request)}`, spanOptions(request)), observed)
        : observed(undefined)
    })

  const negotiation: Telemetry["negotiation"] = (negotiate) => {
    const logged = Effect.tap(
      negotiate,
      (version) =>
        Effect.logDebug(`API version ${version} negotiated with ${options.host}`).pipe(
          Effect.annotateLogs({ "docker.api.version": version, "server.address": peer.address })
        )
    )
    return options.enabled
      ? Effect.withSpan(logged, "docker.negotiate", {
        kind: "client",
        attributes: { ...base, "http.request.method": "GET", "url.path": "/_ping", "url.template": "/_ping" },
        captureStackTrace: false
      })
      : logged
  }

  return { request, scoped, negotiation }
}
