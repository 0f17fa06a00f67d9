/**
 * The errors of effect-docker: every failure of every operation is one of these tagged classes in
 * the error channel, so `Effect.catchTag("NotFound", ...)` and `Effect.retry` compose with them.
 *
 * - transport: {@link DockerConnectionError}, {@link DockerTimeoutError}, {@link DockerLimitError}
 * - engine, one class per status the Engine uses: {@link BadRequest}, {@link Unauthorized},
 *   {@link Forbidden}, {@link NotFound}, {@link Conflict}, {@link NotModified},
 *   {@link ServerError}, {@link ServiceUnavailable}, and {@link UnexpectedStatus} for the rest
 * - configuration, input and versions: {@link DockerConfigError}, {@link DockerInputError},
 *   {@link DockerVersionError}
 * - decoding and framing: {@link DockerDecodeError}, {@link DockerStreamError}
 *
 * The failures of what goes on after the engine's answer (a pull's progress, a run's exit, a
 * readiness condition, a release step) are in `WorkflowError`.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * Why a connection to the engine failed.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ConnectionFailure = Schema.Literal(
  "SocketNotFound",
  "ConnectionRefused",
  "PermissionDenied",
  "HostNotFound",
  "Tls",
  "ConnectionReset",
  "InvalidResponse",
  "RequestBody",
  /** The SSH server refused the identity offered (`ssh://` hosts). */
  "SshAuthentication",
  /** The SSH server's host key is not in `known_hosts`, or differs from it (`ssh://` hosts). */
  "SshHostKey",
  "Unknown"
)

/**
 * @since 0.1.0
 * @category errors
 */
export type ConnectionFailure = typeof ConnectionFailure.Type

/**
 * The engine could not be reached, or the connection broke before a whole answer arrived.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Docker } from "@effect-docker/client"
 *
 * const ping = Effect.flatMap(Docker.Docker, (docker) => docker.system.ping()).pipe(
 *   Effect.catchTag("DockerConnectionError", (e) => Effect.logError(e.reason, e.message))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class DockerConnectionError extends Schema.TaggedError<DockerConnectionError>(
  "@effect-docker/client/DockerConnectionError"
)("DockerConnectionError", {
  reason: ConnectionFailure,
  /** The engine's address as the user gave it, e.g. `unix:///var/run/docker.sock`. */
  host: Schema.String,
  message: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {}

/**
 * Connecting, or waiting for the engine's answer, took longer than the layer allows.
 *
 * @since 0.1.0
 * @category errors
 */
export class DockerTimeoutError extends Schema.TaggedError<DockerTimeoutError>(
  "@effect-docker/client/DockerTimeoutError"
)("DockerTimeoutError", {
  phase: Schema.Literal("connect", "request"),
  host: Schema.String,
  timeoutMillis: Schema.Number,
  message: Schema.String
}) {}

/**
 * The engine sent more than the client holds in memory for one thing: a buffered body, an error
 * message, a JSON line or an in-band error frame over its limit (see `Limits`). The request was
 * ended and its connection closed.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Docker } from "@effect-docker/client"
 *
 * const list = Effect.flatMap(Docker.Docker, (docker) => docker.containers.list({ all: true })).pipe(
 *   Effect.catchTag("DockerLimitError", (e) => Effect.logError(`${e.limit}: ${e.maxBytes}`))
 * )
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export class DockerLimitError extends Schema.TaggedError<DockerLimitError>(
  "@effect-docker/client/DockerLimitError"
)("DockerLimitError", {
  limit: Schema.Literal("bodyBytes", "errorBytes", "lineBytes", "frameBytes"),
  maxBytes: Schema.Number,
  message: Schema.String
}) {}

/**
 * A setting that cannot work: a malformed host string, missing TLS material, a bad option.
 * Raised when a layer is built, before anything is sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class DockerConfigError extends Schema.TaggedError<DockerConfigError>(
  "@effect-docker/client/DockerConfigError"
)("DockerConfigError", {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {}

/**
 * Why a request was refused before it was sent.
 *
 * @since 0.2.0
 * @category models
 */
export const InputFailure = Schema.Literal(
  /** A path parameter that cannot be sent as one path segment (empty, `.`, `..`). */
  "PathSegment",
  /** A header name or value with a line break, which would start another header. */
  "Header",
  /** An option out of its range: a duration or number that is `NaN`, infinite or negative. */
  "Option"
)

/**
 * @since 0.2.0
 * @category models
 */
export type InputFailure = typeof InputFailure.Type

/**
 * A request the client refused to send, because of what the caller gave it: nothing reached the
 * engine.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Docker } from "@effect-docker/client"
 *
 * const stop = (id: string) =>
 *   Effect.flatMap(Docker.Docker, (docker) => docker.containers.stop(id, { timeout: Number.NaN })).pipe(
 *     Effect.catchTag("DockerInputError", (e) => Effect.logError(e.reason, e.message))
 *   )
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export class DockerInputError extends Schema.TaggedError<DockerInputError>(
  "@effect-docker/client/DockerInputError"
)("DockerInputError", {
  reason: InputFailure,
  /** The operation, or `METHOD /path` when it has no name. */
  operation: Schema.String,
  message: Schema.String
}) {}

/**
 * The engine's API version is older than this client supports, or an operation needs a newer
 * version than the one in use.
 *
 * @since 0.1.0
 * @category errors
 */
export class DockerVersionError extends Schema.TaggedError<DockerVersionError>(
  "@effect-docker/client/DockerVersionError"
)("DockerVersionError", {
  /** The version in use: pinned by the user or announced by the engine. */
  version: Schema.String,
  /** The oldest version that would do. */
  required: Schema.String,
  message: Schema.String
}) {}

/**
 * The engine answered with a body, or a line of a JSON stream (events, stats, progress), that is
 * not JSON or does not match the operation's schema.
 *
 * @since 0.1.0
 * @category errors
 */
export class DockerDecodeError extends Schema.TaggedError<DockerDecodeError>(
  "@effect-docker/client/DockerDecodeError"
)("DockerDecodeError", {
  operation: Schema.String,
  message: Schema.String
}) {}

/**
 * The fields every engine error carries: the engine's own message and the request it answered.
 *
 * @since 0.1.0
 * @category constants
 */
export const EngineErrorFields = {
  /** The engine's `message`, never raw JSON. */
  message: Schema.String,
  status: Schema.Number,
  method: Schema.String,
  path: Schema.String
}

/**
 * 400: a parameter the engine refuses (or, raised before sending, a path parameter that cannot
 * be sent as one path segment).
 *
 * @since 0.1.0
 * @category errors
 */
export class BadRequest extends Schema.TaggedError<BadRequest>("@effect-docker/client/BadRequest")(
  "BadRequest",
  EngineErrorFields
) {}

/**
 * 401: registry or engine credentials missing or refused.
 *
 * @since 0.1.0
 * @category errors
 */
export class Unauthorized extends Schema.TaggedError<Unauthorized>("@effect-docker/client/Unauthorized")(
  "Unauthorized",
  EngineErrorFields
) {}

/**
 * 403: the engine forbids the operation (an authorization plugin, a swarm manager rule).
 *
 * @since 0.1.0
 * @category errors
 */
export class Forbidden extends Schema.TaggedError<Forbidden>("@effect-docker/client/Forbidden")(
  "Forbidden",
  EngineErrorFields
) {}

/**
 * What kind of thing a {@link NotFound} could not find.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResourceKind = Schema.Literal(
  ...["container", "image", "network", "volume", "exec", "node", "service", "task", "secret", "config"] as const,
  ...["plugin", "swarm", "path", "resource"] as const
)

/**
 * @since 0.1.0
 * @category models
 */
export type ResourceKind = typeof ResourceKind.Type

/**
 * 404: the container, image, network, ... does not exist. `resource` says which kind.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Docker } from "@effect-docker/client"
 *
 * const exists = (id: string) =>
 *   Effect.flatMap(Docker.Docker, (docker) => docker.containers.inspect(id)).pipe(
 *     Effect.as(true),
 *     Effect.catchTag("NotFound", () => Effect.succeed(false))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class NotFound extends Schema.TaggedError<NotFound>("@effect-docker/client/NotFound")("NotFound", {
  ...EngineErrorFields,
  resource: ResourceKind
}) {}

/**
 * 409: a name in use, a container that is running when it must not be, an image in use.
 *
 * @since 0.1.0
 * @category errors
 */
export class Conflict extends Schema.TaggedError<Conflict>("@effect-docker/client/Conflict")(
  "Conflict",
  EngineErrorFields
) {}

/**
 * 304: the engine did nothing because there was nothing to do (start a started container, stop
 * a stopped one).
 *
 * @since 0.1.0
 * @category errors
 */
export class NotModified extends Schema.TaggedError<NotModified>("@effect-docker/client/NotModified")(
  "NotModified",
  EngineErrorFields
) {}

/**
 * 500: the engine failed.
 *
 * @since 0.1.0
 * @category errors
 */
export class ServerError extends Schema.TaggedError<ServerError>("@effect-docker/client/ServerError")(
  "ServerError",
  EngineErrorFields
) {}

/**
 * 503: the engine is not ready for the operation (e.g. a swarm operation on a node that is not
 * a swarm manager).
 *
 * @since 0.1.0
 * @category errors
 */
export class ServiceUnavailable extends Schema.TaggedError<ServiceUnavailable>(
  "@effect-docker/client/ServiceUnavailable"
)("ServiceUnavailable", EngineErrorFields) {}

/**
 * Any status the operation does not expect and the classes above do not cover (a redirect, a
 * 406 from an old engine, a proxy's 502).
 *
 * @since 0.1.0
 * @category errors
 */
export class UnexpectedStatus extends Schema.TaggedError<UnexpectedStatus>(
  "@effect-docker/client/UnexpectedStatus"
)("UnexpectedStatus", EngineErrorFields) {}

/**
 * The error class of each status the Engine uses.
 *
 * @since 0.2.0
 * @category models
 */
export interface StatusErrors {
  readonly 304: NotModified
  readonly 400: BadRequest
  readonly 401: Unauthorized
  readonly 403: Forbidden
  readonly 404: NotFound
  readonly 409: Conflict
  readonly 500: ServerError
  readonly 503: ServiceUnavailable
}

/**
 * Every error that an engine status can map to.
 *
 * @since 0.1.0
 * @category errors
 */
export type EngineStatusError = StatusErrors[keyof StatusErrors] | UnexpectedStatus

/**
 * What a request that documents the error statuses `Expect` can fail with from the engine: their
 * classes, and `UnexpectedStatus` for any other status; without a list, any engine error.
 *
 * @example
 * ```ts
 * import type { DockerError } from "@effect-docker/client"
 *
 * type InspectErrors = DockerError.ExpectedStatusError<readonly [404, 500]> // NotFound | ServerError | UnexpectedStatus
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type ExpectedStatusError<Expect extends ReadonlyArray<number> | undefined> = Expect extends
  ReadonlyArray<infer Status> ? StatusErrors[Extract<Status, keyof StatusErrors>] | UnexpectedStatus
  : EngineStatusError

/**
 * A stream from the engine broke its framing: a multiplexed stream that ended inside a frame, an
 * error frame (stream type 3) from the engine, a stream that ended before the value it promised.
 * (A line of a JSON stream that is not of its schema is a {@link DockerDecodeError}.)
 *
 * @since 0.1.0
 * @category errors
 */
export class DockerStreamError extends Schema.TaggedError<DockerStreamError>(
  "@effect-docker/client/DockerStreamError"
)("DockerStreamError", {
  message: Schema.String
}) {}

const transientReasons: ReadonlySet<ConnectionFailure> = new Set(
  ["SocketNotFound", "ConnectionRefused", "ConnectionReset", "HostNotFound"] as const
)

/**
 * Whether sending the same request again may succeed: the engine could not be reached or went
 * away, did not answer in time, or answered 503. Retry only idempotent operations (reads, and
 * writes such as stop or remove that the engine treats as done when repeated): a create or a
 * start that failed on the way back may have happened.
 *
 * @example
 * ```ts
 * import { Effect, Schedule } from "effect"
 * import { Docker, DockerError } from "@effect-docker/client"
 *
 * // Up to 10 tries, 100 ms apart at first and doubling, while the engine restarts.
 * const inspect = (id: string) =>
 *   Effect.flatMap(Docker.Docker, (docker) => docker.containers.inspect(id)).pipe(
 *     Effect.retry({
 *       schedule: Schedule.exponential("100 millis").pipe(Schedule.intersect(Schedule.recurs(9))),
 *       while: DockerError.isTransient
 *     })
 *   )
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isTransient = (error: unknown): boolean => {
  const tag = typeof error === "object" && error !== null ? (error as { readonly _tag?: unknown })._tag : undefined
  switch (tag) {
    case "DockerTimeoutError":
    case "ServiceUnavailable":
      return true
    case "DockerConnectionError":
      return transientReasons.has((error as DockerConnectionError).reason)
    default:
      return false
  }
}
