/**
 * The failures of test containers that are not the engine's own: a reaper that cannot start, a
 * port asked for that the container does not publish. The engine's errors, readiness failures
 * (`DockerReadinessError`, with the last logs) and the rest come from `@effect-docker/client`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { TestContainer } from "@effect-docker/testcontainers"
 *
 * const port = (web: TestContainer.StartedTestContainer) =>
 *   web.mappedPort(8080).pipe(Effect.catchTag("PortNotMappedError", () => Effect.succeed(0)))
 * ```
 *
 * @since 0.2.0
 */
import * as Schema from "effect/Schema"

/**
 * The session's reaper could not be made or started, or did not say it was watching.
 *
 * @since 0.2.0
 * @category errors
 */
export class ReaperError extends Schema.TaggedError<ReaperError>("@effect-docker/testcontainers/ReaperError")(
  "ReaperError",
  { message: Schema.String, cause: Schema.optional(Schema.Defect) }
) {}

/**
 * `mappedPort` asked for a container port that is not published on the host.
 *
 * @since 0.2.0
 * @category errors
 */
export class PortNotMappedError extends Schema.TaggedError<PortNotMappedError>(
  "@effect-docker/testcontainers/PortNotMappedError"
)("PortNotMappedError", {
  containerId: Schema.String,
  port: Schema.String,
  /** The ports the container does publish, as `"80/tcp"`. */
  published: Schema.Array(Schema.String),
  message: Schema.String
}) {}
