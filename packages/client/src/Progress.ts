/**
 * The engine's progress streams (pull, push, build, load): one JSON object per line, where an
 * `error` / `errorDetail` line means the operation failed although the HTTP status was 200.
 *
 * @since 0.1.0
 */
import { CreateImageInfo } from "./generated/Schemas.js"
import * as JsonLines from "./JsonLines.js"

/**
 * One line of a progress stream.
 *
 * @since 0.1.0
 */
export type ProgressEvent = CreateImageInfo

/**
 * Parses a progress byte stream into events; a line that is not a progress object fails the
 * stream with `DockerStreamError`.
 *
 * @since 0.1.0
 */
export const events = JsonLines.decode(CreateImageInfo, "a progress line")

/**
 * The error an event reports, if any.
 *
 * @since 0.1.0
 */
export const errorMessage = (event: ProgressEvent): string | undefined => event.errorDetail?.message ?? event.error
