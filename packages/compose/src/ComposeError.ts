/**
 * The failures of running a Compose project: an `up` that could not finish (what it made is
 * removed again; the error names the service and carries its last lines). A file that cannot be
 * read is `ComposeProject.ComposeFileError`; the engine's own errors come from the client.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Compose, ComposeProject } from "@effect-docker/compose"
 *
 * const stack = Effect.flatMap(ComposeProject.load("./compose.yaml"), (project) => Compose.up(project)).pipe(
 *   Effect.tapErrorTag("ComposeUpError", (error) => Effect.logError(`${error.service} failed:\n${error.logs}`))
 * )
 * ```
 *
 * @since 0.2.0
 */
import * as Schema from "effect/Schema"

/**
 * An `up` that failed: what it had made is gone; the service that failed and its last lines.
 *
 * @since 0.2.0
 * @category errors
 */
export class ComposeUpError extends Schema.TaggedError<ComposeUpError>("@effect-docker/compose/ComposeUpError")(
  "ComposeUpError",
  {
    project: Schema.String,
    service: Schema.UndefinedOr(Schema.String),
    /** The failing service's last log lines (up to 50 a container). */
    logs: Schema.String,
    message: Schema.String,
    cause: Schema.optional(Schema.Defect)
  }
) {}
