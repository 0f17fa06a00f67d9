/**
 * The failures of operations that go on after the engine has answered: a pull, push, build or
 * load whose progress stream reports an error (the engine answered 200 first), a run whose
 * container exits with a non-zero code, a readiness condition that is not met, and a release step
 * of a scoped resource that fails. Like those of `DockerError`, each is a tagged class in the
 * error channel.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Docker, WorkflowError } from "@effect-docker/client"
 *
 * const exitCode = Effect.flatMap(Docker.Docker, (docker) =>
 *   docker.containers.run({ image: "busybox", cmd: ["false"], remove: true })
 * ).pipe(
 *   Effect.as(0),
 *   Effect.catchTag("ContainerExitError", (error: WorkflowError.ContainerExitError) => Effect.succeed(error.exitCode))
 * )
 * ```
 *
 * @since 0.2.0
 */
import * as Schema from "effect/Schema"

/**
 * A pull's progress stream reported an error (an unknown tag, a registry that refused).
 *
 * @since 0.1.0
 * @category errors
 */
export class PullError extends Schema.TaggedError<PullError>("@effect-docker/client/PullError")("PullError", {
  image: Schema.String,
  message: Schema.String
}) {}

/**
 * A push's progress stream reported an error (a registry that refused or cannot be reached).
 *
 * @since 0.1.0
 * @category errors
 */
export class PushError extends Schema.TaggedError<PushError>("@effect-docker/client/PushError")("PushError", {
  image: Schema.String,
  message: Schema.String
}) {}

/**
 * A build's output stream reported an error (a step that failed, a Dockerfile that does not parse).
 *
 * @since 0.1.0
 * @category errors
 */
export class BuildError extends Schema.TaggedError<BuildError>("@effect-docker/client/BuildError")("BuildError", {
  message: Schema.String,
  /** The engine's `errorDetail.code`: a failed `RUN` step's exit code, when the engine gives one. */
  code: Schema.optional(Schema.Number),
  /** The build's output up to the error, to show what happened. */
  output: Schema.String,
  /** BuildKit's step that failed: its digest and name (`[2/3] RUN make`). */
  step: Schema.optional(Schema.Struct({ digest: Schema.String, name: Schema.String })),
  /** The last lines the failed step wrote (BuildKit). */
  logs: Schema.optional(Schema.String)
}) {}

/**
 * An image load's progress stream reported an error (a tar that is not an image archive).
 *
 * @since 0.1.0
 * @category errors
 */
export class ImageLoadError extends Schema.TaggedError<ImageLoadError>("@effect-docker/client/ImageLoadError")(
  "ImageLoadError",
  { message: Schema.String }
) {}

/**
 * A container run that waited for its exit ended with a non-zero exit code.
 *
 * @since 0.1.0
 * @category errors
 */
export class ContainerExitError extends Schema.TaggedError<ContainerExitError>(
  "@effect-docker/client/ContainerExitError"
)("ContainerExitError", {
  containerId: Schema.String,
  image: Schema.String,
  /** The command that was run, when it was given (absent: the image's default). */
  command: Schema.optional(Schema.Array(Schema.String)),
  exitCode: Schema.Number,
  /** What the container wrote to stderr. */
  stderr: Schema.String,
  message: Schema.String
}) {}

/**
 * Why a readiness condition was not met.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ReadinessFailure = Schema.Literal(
  /** The condition did not hold within its timeout. */
  "Timeout",
  /** The container stopped (or was removed) before the condition held. */
  "Exited",
  /** The engine's health check reported `unhealthy`. */
  "Unhealthy",
  /** A health condition on a container without a health check. */
  "NoHealthCheck",
  /** The container exited, but with another exit code than the one awaited. */
  "ExitCode",
  /** The check itself cannot run in this container (e.g. no `cat` to read `/proc/net/tcp`). */
  "Unsupported"
)

/**
 * @since 0.1.0
 * @category errors
 */
export type ReadinessFailure = typeof ReadinessFailure.Type

/**
 * A container did not become ready: which condition failed, why, and the container's last log
 * lines.
 *
 * @since 0.1.0
 * @category errors
 */
export class DockerReadinessError extends Schema.TaggedError<DockerReadinessError>(
  "@effect-docker/client/DockerReadinessError"
)("DockerReadinessError", {
  containerId: Schema.String,
  /** The condition, as described by its readiness value (e.g. `log line matching /ready/`). */
  condition: Schema.String,
  reason: ReadinessFailure,
  /** The last lines the container wrote (stdout and stderr, up to 50). */
  lastLogs: Schema.String,
  message: Schema.String
}) {}

/**
 * A step of releasing a scoped resource failed (the stop or the removal of a container, the
 * removal of a network, volume, service, secret or config). The other steps still ran; the error is handed to the
 * resource's `onReleaseError`, which logs it by default.
 *
 * @since 0.1.0
 * @category errors
 */
export class DockerReleaseError extends Schema.TaggedError<DockerReleaseError>(
  "@effect-docker/client/DockerReleaseError"
)("DockerReleaseError", {
  resource: Schema.Literal("container", "network", "volume", "service", "secret", "config"),
  id: Schema.String,
  step: Schema.Literal("stop", "remove"),
  /** The failure of the step: one of the engine or transport errors. */
  cause: Schema.Unknown,
  message: Schema.String
}) {}

/**
 * Why a swarm service did not converge.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ConvergenceFailure = Schema.Literal(
  /** Its tasks were not all running (or, for a job, completed) within the timeout. */
  "Timeout",
  /** An update failed and the engine paused it (`UpdateConfig.FailureAction: pause`, the default). */
  "UpdatePaused",
  /** An update failed and the engine rolled the service back to its previous spec. */
  "RolledBack",
  /** A rollback failed and the engine paused it. */
  "RollbackPaused",
  /** The service was removed while it was awaited. */
  "Removed"
)

/**
 * @since 0.2.0
 * @category schemas
 */
export type ConvergenceFailure = typeof ConvergenceFailure.Type

/**
 * A task of a service that failed or was rejected, as the engine reported it.
 *
 * @since 0.2.0
 * @category schemas
 */
export const TaskFailure = Schema.Struct({
  taskId: Schema.String,
  nodeId: Schema.optional(Schema.String),
  /** The task's state: `failed`, `rejected`, ... */
  state: Schema.String,
  /** The engine's error for it (`Status.Err`), or its status message. */
  error: Schema.String
})

/**
 * @since 0.2.0
 * @category models
 */
export type TaskFailure = typeof TaskFailure.Type

/**
 * A swarm service did not converge: its tasks were not all running in time, or its update was
 * paused or rolled back. Carries the task counts last seen and the latest task failures, which
 * say why (an image no node can pull, a constraint no node meets, a network a node cannot join).
 *
 * @since 0.2.0
 * @category errors
 */
export class ServiceConvergenceError extends Schema.TaggedError<ServiceConvergenceError>(
  "@effect-docker/client/ServiceConvergenceError"
)("ServiceConvergenceError", {
  serviceId: Schema.String,
  reason: ConvergenceFailure,
  runningTasks: Schema.Number,
  desiredTasks: Schema.Number,
  /** The latest distinct task failures, newest first (up to 5). */
  taskFailures: Schema.Array(TaskFailure),
  message: Schema.String
}) {}
