/**
 * The engine core: versions the path with the negotiated API version, adds the default headers,
 * turns HTTP statuses into tagged errors and decodes bodies with schemas. Operations are built on
 * it; it is built on {@link DockerTransport}.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as ApiVersion from "./ApiVersion.js"
import type { DockerConfigError, DockerDecodeError, DockerInputError, DockerVersionError } from "./DockerError.js"
import type { EngineStatusError, ExpectedStatusError, ResourceKind } from "./DockerError.js"
import {
  type DockerHeaders,
  type DockerRequest,
  type DockerResponse,
  type DockerStreamResponse,
  DockerTransport,
  type DockerUpgradedConnection,
  type HttpMethod,
  isUpgraded,
  type TransportError
} from "./DockerTransport.js"
import type { EnginePath } from "./EnginePath.js"
import * as Body from "./internal/body.js"
import * as Bytes from "./internal/bytes.js"
import * as Decode from "./internal/decode.js"
import * as Prepare from "./internal/prepare.js"
import * as Status from "./internal/status.js"
import * as Telemetry from "./internal/telemetry.js"
import { userAgent } from "./internal/version.js"
import * as Limits from "./Limits.js"

/**
 * A query parameter's value: lists repeat the key, filters are sent as the engine's JSON.
 *
 * @since 0.1.0
 * @category models
 */
export type QueryValue =
  | string
  | number
  | boolean
  | ReadonlyArray<string>
  | Filters
  | undefined

/**
 * The engine's `filters` parameter: each key with the values it matches, e.g.
 * `{ label: ["app=web"], status: ["running"] }`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Filters {
  readonly [key: string]: ReadonlyArray<string>
}

/**
 * An operation's request, before versioning and encoding.
 *
 * @since 0.1.0
 * @category models
 */
export interface EngineRequest<Expect extends ReadonlyArray<number> | undefined = ReadonlyArray<number> | undefined> {
  readonly method: HttpMethod
  readonly path: EnginePath
  readonly query?: Readonly<Record<string, QueryValue>> | undefined
  /** Header names in lower case; a list is sent as one header line per value. */
  readonly headers?: Readonly<Record<string, string | ReadonlyArray<string>>> | undefined
  /** A JSON body, sent with `Content-Type: application/json`. */
  readonly json?: unknown
  /** A raw body; set `headers["content-type"]` with it. */
  readonly body?: Uint8Array | Stream.Stream<Uint8Array, unknown> | undefined
  /** The kind of thing a 404 means when the engine's message does not say. */
  readonly resource?: ResourceKind | undefined
  /** The oldest API version that has this operation and the parameters it sets. */
  readonly since?: string | undefined
  /** The operation's name (e.g. `ContainerList`), for messages. */
  readonly operation?: string | undefined
  /**
   * The error statuses the operation documents; any other one fails with `UnexpectedStatus`, so
   * that the error channel holds only what the operation's type says.
   */
  readonly expect?: Expect
  /** See {@link DockerRequest.timeoutMillis}. */
  readonly timeoutMillis?: number | undefined
  /** See {@link DockerRequest.engineWaitMillis}. */
  readonly engineWaitMillis?: number | undefined
}

/**
 * What any request through the engine can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type EngineError = TransportError | EngineStatusError | DockerVersionError | DockerInputError

/**
 * What a request with the error statuses `Expect` can fail with: the transport, the version and
 * input checks, and the engine errors `Expect` lists (see `DockerError.ExpectedStatusError`).
 *
 * @since 0.2.0
 * @category models
 */
export type RequestError<Expect extends ReadonlyArray<number> | undefined> =
  | TransportError
  | DockerVersionError
  | DockerInputError
  | ExpectedStatusError<Expect>

/**
 * @since 0.1.0
 * @category tags
 */
export class DockerEngine extends Context.Tag("@effect-docker/client/DockerEngine")<
  DockerEngine,
  {
    /** The engine's address as configured. */
    readonly host: string
    /** How much of an answer is held in memory at most. */
    readonly limits: Limits.Limits
    /** Whether its requests and the workflows built on it make spans ({@link Options.tracing}). */
    readonly tracing: boolean
    /** The API version in use: pinned, or negotiated with `/_ping` on first use. */
    readonly apiVersion: Effect.Effect<string, EngineError>
    /**
     * Sends a request and reads the answer; a status outside 2xx fails with its error, one of
     * those the request's `expect` lists (its type says which), else `UnexpectedStatus`.
     */
    readonly request: <const Expect extends ReadonlyArray<number> | undefined = undefined>(
      request: EngineRequest<Expect>
    ) => Effect.Effect<DockerResponse, RequestError<Expect>>
    /** {@link request}, with the body decoded by `schema` (a failure names the request's `operation`). */
    readonly json: <A, I, const Expect extends ReadonlyArray<number> | undefined = undefined>(
      schema: Schema.Schema<A, I>,
      request: EngineRequest<Expect>
    ) => Effect.Effect<A, RequestError<Expect> | DockerDecodeError>
    /** Sends a request and returns the answer with its body still arriving. */
    readonly stream: (request: EngineRequest) => Effect.Effect<DockerStreamResponse, EngineError, Scope.Scope>
    /** Sends a request that hijacks the connection (attach, exec start with stdin). */
    readonly upgrade: (request: EngineRequest) => Effect.Effect<DockerUpgradedConnection, EngineError, Scope.Scope>
    /** Opens a WebSocket (`ContainerAttachWebsocket`): see {@link DockerTransport}'s `websocket`. */
    readonly websocket: (request: EngineRequest) => Effect.Effect<DockerUpgradedConnection, EngineError, Scope.Scope>
  }
>() {}

/**
 * Options of {@link layer}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Pins the API version (e.g. `"1.41"`) instead of negotiating it with the engine. */
  readonly apiVersion?: string | undefined
  /** Headers added to every request (e.g. `config.json`'s `HttpHeaders`). */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** How much of an answer is held in memory at most; see `Limits.defaults`. */
  readonly limits?: Partial<Limits.Limits> | undefined
  /**
   * A client span per request (`docker.ContainerInspect`, ...), per stream and per session, and
   * one for the version negotiation, when a tracer is installed (`@effect/opentelemetry`'s, or
   * any but Effect's built-in one, which exports nothing); default `true`. `false` leaves them
   * out, and the workflows' (`containers.run`, a release's steps) too; the debug logs stay.
   */
  readonly tracing?: boolean | undefined
}

/**
 * Maps a non-2xx answer to its tagged error.
 *
 * @since 0.1.0
 * @category constructors
 */
export const statusError: typeof Status.statusError = Status.statusError

/**
 * Reads a header of an answer.
 *
 * @since 0.1.0
 * @category combinators
 */
export const header = (headers: DockerHeaders, name: string): string | undefined => headers[name.toLowerCase()]

/**
 * Builds the engine from a transport.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options = {}
): Effect.Effect<DockerEngine["Type"], DockerConfigError | DockerVersionError, DockerTransport> =>
  Effect.gen(function*() {
    const transport = yield* DockerTransport
    const pinned = yield* Prepare.pinnedVersion(options.apiVersion)
    const limits = yield* Limits.make(options.limits)
    const baseHeaders = yield* Prepare.baseHeaders(userAgent, options.headers)

    const tracing = options.tracing ?? true
    const telemetry = Telemetry.make({ enabled: tracing, host: transport.host, peer: transport.peer })
    let version: string | undefined = pinned
    const negotiate = Effect.flatMap(
      transport.request({ method: "GET", path: "/_ping", query: "", headers: baseHeaders }),
      (response): Effect.Effect<string, DockerVersionError | EngineStatusError> => {
        // Something that is not an engine (a TLS port spoken to in plain HTTP, a proxy) says so here.
        if (!isSuccess(response.status)) {
          return Effect.fail(statusError("GET", "/_ping", response.status, response.body, undefined))
        }
        // The engine announces its newest version; use it, capped at ours (as the Go SDK does).
        const announced = header(response.headers, "api-version")
        const server = announced !== undefined && ApiVersion.isValid(announced) ? announced : "1.24"
        const chosen = ApiVersion.min(server, ApiVersion.newest)
        if (ApiVersion.compare(chosen, ApiVersion.minimum) < 0) return Prepare.tooOld(chosen)
        version = chosen
        return Effect.succeed(chosen)
      }
    )
    const lock = yield* Effect.makeSemaphore(1)
    const negotiateOnce = lock.withPermits(1)(
      Effect.suspend(() => version === undefined ? telemetry.negotiation(negotiate) : Effect.succeed(version))
    )
    const apiVersion = Effect.suspend(() => version === undefined ? negotiateOnce : Effect.succeed(version))

    // The hot path: once the version is known, checking and building the request is synchronous.
    const prepared = <A, E, R>(
      request: EngineRequest,
      observe: Telemetry.Observe,
      use: (sent: DockerRequest) => Effect.Effect<A, E, R>
    ): Effect.Effect<A, E | EngineError, R> => {
      const run = (current: string): Effect.Effect<A, E | EngineError, R> => {
        const sent = Prepare.prepare(request, current, baseHeaders, limits)
        if ("_tag" in sent) return Effect.fail(sent)
        observe.sent(current)
        return use(sent)
      }
      return Effect.suspend(() => version !== undefined ? run(version) : Effect.flatMap(negotiateOnce, run))
    }

    const failFor = (request: EngineRequest, sent: DockerRequest, status: number, body: Uint8Array) =>
      Effect.fail(statusError(sent.method, sent.path, status, body, request.resource, request.expect))

    /** Sends a buffered request; a success status goes to `onSuccess` in the same step. */
    const sendThen = <A, E>(
      request: EngineRequest,
      onSuccess: (response: DockerResponse) => Effect.Effect<A, E>
    ): Effect.Effect<A, E | EngineError> =>
      telemetry.request(request, (observe) =>
        prepared(
          request,
          observe,
          (sent) =>
            Effect.flatMap(
              transport.request(sent),
              (response): Effect.Effect<A, E | EngineStatusError> => {
                observe.status(response.status)
                return isSuccess(response.status)
                  ? onSuccess(response)
                  : failFor(request, sent, response.status, response.body)
              }
            )
        ))

    const send = (request: EngineRequest) => sendThen(request, Effect.succeed)

    const json = <A, I>(schema: Schema.Schema<A, I>, request: EngineRequest) => {
      const decode = decodeJson(Prepare.nameOf(request), schema)
      // The decoding in the same step as the status check (the hot path of most calls).
      return Telemetry.warns(request)
        ? sendThen(
          request,
          (response) => Effect.tap(decode(response.body), (answer) => Telemetry.warnings(request, answer))
        )
        : sendThen(request, (response) => decode(response.body))
    }

    const stream = (request: EngineRequest) =>
      telemetry.scoped(request, (observe, count) =>
        prepared(
          request,
          observe,
          (sent) =>
            Effect.flatMap(transport.stream(sent), (response) => {
              observe.status(response.status)
              return isSuccess(response.status)
                ? Effect.succeed({ ...response, body: count.read(response.body) })
                : Effect.flatMap(
                  // What the engine says, within the limit of an error message; a body that breaks
                  // off still leaves the status to report.
                  Effect.catchIf(
                    collectAtMost(response.body, limits.errorBytes),
                    (error) => error._tag !== "DockerLimitError",
                    () => Effect.succeed(new Uint8Array(0))
                  ),
                  (body) => failFor(request, sent, response.status, body)
                )
            })
        ))

    /** A connection that `open` takes over from HTTP: a hijacked one, or a WebSocket. */
    const takeOver = (
      open: (
        sent: DockerRequest
      ) => Effect.Effect<DockerUpgradedConnection | DockerResponse, TransportError, Scope.Scope>
    ) =>
    (request: EngineRequest) =>
      telemetry.scoped(request, (observe, count) =>
        prepared(request, observe, (sent) =>
          Effect.flatMap(
            open(sent),
            (result) => {
              observe.status(result.status)
              if (!isUpgraded(result)) return failFor(request, sent, result.status, result.body)
              return Effect.succeed({
                ...result,
                output: count.read(result.output),
                write: (chunk: Uint8Array) => Effect.tap(result.write(chunk), () => count.written(chunk.length))
              })
            }
          )))

    // `tcp` unless the request names its protocol (`h2c` for a BuildKit session).
    const upgrade = takeOver((sent) =>
      transport.upgrade({ ...sent, headers: { upgrade: "tcp", ...sent.headers, connection: "Upgrade" } })
    )
    const websocket = takeOver((sent) =>
      transport.websocket?.(sent) ?? Effect.fail(Prepare.noWebsocket(transport.host))
    )

    // The error union of a request is its `expect` list's (statusError keeps to it): the casts
    // below only say so to the compiler.
    return DockerEngine.of({
      host: transport.host,
      limits,
      tracing,
      apiVersion,
      request: send as DockerEngine["Type"]["request"],
      json: json as DockerEngine["Type"]["json"],
      stream,
      upgrade,
      websocket
    })
  })

const isSuccess = (status: number) => status >= 200 && status < 300

/**
 * A decoder of JSON answers for `operation`: whatever the bytes (not JSON, not of the schema,
 * nested deeper than the stack), the outcome is a value or a {@link DockerDecodeError}.
 *
 * @since 0.2.0
 * @category constructors
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { DockerEngine } from "@effect-docker/client"
 *
 * const decode = DockerEngine.decodeJson("Example", Schema.Struct({ Id: Schema.String }))
 * decode(new TextEncoder().encode('{"Id":"abc"}')) // Effect.succeed({ Id: "abc" })
 * ```
 */
export const decodeJson: typeof Decode.decodeJson = Decode.decodeJson

/**
 * Decodes a parsed value; a schema that throws (a stack overflow on a value nested 100k deep)
 * is a decode failure, not a defect.
 *
 * @since 0.2.0
 * @category constructors
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { DockerEngine } from "@effect-docker/client"
 *
 * DockerEngine.decodeValue("Example", Schema.Number, 1) // Effect.succeed(1)
 * ```
 */
export const decodeValue: typeof Decode.decodeValue = Decode.decodeValue

/**
 * The body of a streamed request as a Stream that owns its connection: the request is sent when
 * the stream runs, and the connection ends with the stream (done, failed or interrupted).
 *
 * @since 0.1.0
 * @category combinators
 */
export const bodyStream = (
  engine: DockerEngine["Type"],
  request: EngineRequest
): Stream.Stream<Uint8Array, EngineError> =>
  Stream.unwrapScoped(Effect.map(engine.stream(request), (response) => response.body))

/**
 * Reads a body stream to its end.
 *
 * @since 0.1.0
 * @category combinators
 */
export const collect: typeof Body.collect = Body.collect

/**
 * Reads a body stream to its end, failing with `DockerLimitError` (`errorBytes`) past `maxBytes`
 * (the stream is ended there, so that its connection closes).
 *
 * @since 0.2.0
 * @category combinators
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { DockerEngine } from "@effect-docker/client"
 *
 * DockerEngine.collectAtMost(Stream.make(new Uint8Array(10)), 5) // fails: DockerLimitError
 * ```
 */
export const collectAtMost: typeof Body.collectAtMost = Body.collectAtMost

/**
 * Joins byte chunks.
 *
 * @since 0.1.0
 * @category utils
 */
export const concat: typeof Bytes.concat = Bytes.concat

/**
 * The engine on the transport in context, with the API version pinned or negotiated.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options?: Options
): Layer.Layer<DockerEngine, DockerConfigError | DockerVersionError, DockerTransport> =>
  Layer.effect(DockerEngine, make(options))
