/**
 * How much of an answer the client holds in memory at most. Whatever an engine (or something
 * posing as one) sends, a buffered body, an error message, a JSON line or an in-band error frame
 * past its limit fails the request with {@link DockerLimitError} and closes its connection,
 * instead of growing until the process runs out of memory. Streams themselves (logs, exports,
 * archives) are not limited: they are read with backpressure, a chunk at a time.
 *
 * @since 0.2.0
 */
import * as Either from "effect/Either"
import { DockerConfigError, DockerLimitError } from "./DockerError.js"

/**
 * The limits, in bytes.
 *
 * @since 0.2.0
 * @category models
 */
export interface Limits {
  /** A buffered (JSON) answer with a success status; default 256 MiB. */
  readonly bodyBytes: number
  /** The body of an answer with an error status, buffered or streamed; default 1 MiB. */
  readonly errorBytes: number
  /** One line of a JSON-lines stream (events, stats, pull, push and build progress); default 16 MiB. */
  readonly lineBytes: number
  /** The message of an in-band error frame (stream type 3) of a multiplexed stream; default 1 MiB. */
  readonly frameBytes: number
}

/**
 * The limits used when none are given.
 *
 * @example
 * ```ts
 * import { Limits } from "@effect-docker/client"
 *
 * Limits.defaults.bodyBytes // 268435456
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const defaults: Limits = {
  bodyBytes: 256 * 1024 * 1024,
  errorBytes: 1024 * 1024,
  lineBytes: 16 * 1024 * 1024,
  frameBytes: 1024 * 1024
}

/**
 * The defaults with `overrides` applied; a limit that is not a positive integer fails with
 * `DockerConfigError`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Limits } from "@effect-docker/client"
 *
 * Effect.gen(function*() {
 *   const limits = yield* Limits.make({ lineBytes: 1024 * 1024 }) // Either<Limits, DockerConfigError>
 *   return limits.lineBytes
 * })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (overrides: Partial<Limits> = {}): Either.Either<Limits, DockerConfigError> => {
  const limits = { ...defaults, ...overrides }
  for (const name of Object.keys(defaults) as Array<keyof Limits>) {
    const value = limits[name]
    if (!Number.isSafeInteger(value) || value < 1) {
      return Either.left(
        new DockerConfigError({ message: `limits.${name} must be a positive integer, got ${value}` })
      )
    }
  }
  return Either.right(limits)
}

/**
 * The error for a limit that was passed.
 *
 * @example
 * ```ts
 * import { Limits } from "@effect-docker/client"
 *
 * Limits.exceeded("lineBytes", 1024, "an event line") // DockerLimitError
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const exceeded = (limit: keyof Limits, maxBytes: number, what: string): DockerLimitError =>
  new DockerLimitError({
    limit,
    maxBytes,
    message: `${what} is larger than ${maxBytes} bytes (limits.${limit}): the request was ended`
  })
