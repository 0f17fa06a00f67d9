/**
 * The errors of effect-docker: every failure of every operation is one of these tagged classes in
 * the error channel, so `Effect.catchTag("NotFound", ...)` and `Effect.retry` compose with them.
 *
 * - transport: {@link DockerConnectionError}, {@link DockerTimeoutError}
 * - engine, one class per status the Engine uses: {@link BadRequest}, {@link Unauthorized},
 *   {@link Forbidden}, {@link NotFound}, {@link Conflict}, {@link NotModified},
 *   {@link ServerError}, {@link ServiceUnavailable}, and {@link UnexpectedStatus} for the rest
 * - configuration and versions: {@link DockerConfigError}, {@link DockerVersionError}
 * - decoding: {@link DockerDecodeError}
 * - in-band failures: {@link DockerStreamError}, {@link PullError}, {@link PushError}, {@link BuildError},
 *   {@link ImageLoadError}, {@link ContainerExitError}
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * Why a connection to the engine failed.
 *
 * @since 0.1.0
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
 * A setting that cannot work: a malformed host string, missing TLS material, a bad option.
 * Raised when a layer is built, before anything is sent.
 *
 * @since 0.1.0
 */
export class DockerConfigError extends Schema.TaggedError<DockerConfigError>(
  "@effect-docker/client/DockerConfigError"
)("DockerConfigError", {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {}

/**
 * The engine's API version is older than this client supports, or an operation needs a newer
 * version than the one in use.
 *
 * @since 0.1.0
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
 * The engine answered with a body that does not match the operation's schema.
 *
 * @since 0.1.0
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
 */
export class BadRequest extends Schema.TaggedError<BadRequest>("@effect-docker/client/BadRequest")(
  "BadRequest",
  EngineErrorFields
) {}

/**
 * 401: registry or engine credentials missing or refused.
 *
 * @since 0.1.0
 */
export class Unauthorized extends Schema.TaggedError<Unauthorized>("@effect-docker/client/Unauthorized")(
  "Unauthorized",
  EngineErrorFields
) {}

/**
 * 403: the engine forbids the operation (an authorization plugin, a swarm manager rule).
 *
 * @since 0.1.0
 */
export class Forbidden extends Schema.TaggedError<Forbidden>("@effect-docker/client/Forbidden")(
  "Forbidden",
  EngineErrorFields
) {}

/**
 * What kind of thing a {@link NotFound} could not find.
 *
 * @since 0.1.0
 */
export const ResourceKind = Schema.Literal(
  "container",
  "image",
  "network",
  "volume",
  "exec",
  "node",
  "service",
  "task",
  "secret",
  "config",
  "plugin",
  "swarm",
  "path",
  "resource"
)

/**
 * @since 0.1.0
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
 */
export class NotFound extends Schema.TaggedError<NotFound>("@effect-docker/client/NotFound")("NotFound", {
  ...EngineErrorFields,
  resource: ResourceKind
}) {}

/**
 * 409: a name in use, a container that is running when it must not be, an image in use.
 *
 * @since 0.1.0
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
 */
export class NotModified extends Schema.TaggedError<NotModified>("@effect-docker/client/NotModified")(
  "NotModified",
  EngineErrorFields
) {}

/**
 * 500: the engine failed.
 *
 * @since 0.1.0
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
 */
export class ServiceUnavailable extends Schema.TaggedError<ServiceUnavailable>(
  "@effect-docker/client/ServiceUnavailable"
)("ServiceUnavailable", EngineErrorFields) {}

/**
 * Any status the operation does not expect and the classes above do not cover (a redirect, a
 * 406 from an old engine, a proxy's 502).
 *
 * @since 0.1.0
 */
export class UnexpectedStatus extends Schema.TaggedError<UnexpectedStatus>(
  "@effect-docker/client/UnexpectedStatus"
)("UnexpectedStatus", EngineErrorFields) {}

/**
 * Every error that an engine status can map to.
 *
 * @since 0.1.0
 */
export type EngineStatusError =
  | BadRequest
  | Unauthorized
  | Forbidden
  | NotFound
  | Conflict
  | NotModified
  | ServerError
  | ServiceUnavailable
  | UnexpectedStatus

/**
 * A stream from the engine broke its format: a multiplexed stream that ended inside a frame, an
 * error frame (stream type 3) from the engine, a progress line that is not JSON.
 *
 * @since 0.1.0
 */
export class DockerStreamError extends Schema.TaggedError<DockerStreamError>(
  "@effect-docker/client/DockerStreamError"
)("DockerStreamError", {
  message: Schema.String
}) {}

/**
 * A pull's progress stream reported an error (an unknown tag, a registry that refused).
 *
 * @since 0.1.0
 */
export class PullError extends Schema.TaggedError<PullError>("@effect-docker/client/PullError")("PullError", {
  image: Schema.String,
  message: Schema.String
}) {}

/**
 * A push's progress stream reported an error (a registry that refused or cannot be reached).
 *
 * @since 0.1.0
 */
export class PushError extends Schema.TaggedError<PushError>("@effect-docker/client/PushError")("PushError", {
  image: Schema.String,
  message: Schema.String
}) {}

/**
 * A build's output stream reported an error (a step that failed, a Dockerfile that does not parse).
 *
 * @since 0.1.0
 */
export class BuildError extends Schema.TaggedError<BuildError>("@effect-docker/client/BuildError")("BuildError", {
  message: Schema.String,
  /** The build's output up to the error, to show what happened. */
  output: Schema.String
}) {}

/**
 * An image load's progress stream reported an error (a tar that is not an image archive).
 *
 * @since 0.1.0
 */
export class ImageLoadError extends Schema.TaggedError<ImageLoadError>("@effect-docker/client/ImageLoadError")(
  "ImageLoadError",
  { message: Schema.String }
) {}

/**
 * A container run that waited for its exit ended with a non-zero exit code.
 *
 * @since 0.1.0
 */
export class ContainerExitError extends Schema.TaggedError<ContainerExitError>(
  "@effect-docker/client/ContainerExitError"
)("ContainerExitError", {
  containerId: Schema.String,
  image: Schema.String,
  exitCode: Schema.Number,
  /** What the container wrote to stderr. */
  stderr: Schema.String,
  message: Schema.String
}) {}
