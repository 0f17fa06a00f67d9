/**
 * The engine's progress streams (pull, push, build, load): one JSON object per line, where an
 * `error` / `errorDetail` line means the operation failed although the HTTP status was 200.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import { DockerStreamError } from "./DockerError.js"
import * as FastDecode from "./FastDecode.js"
import { CreateImageInfo } from "./generated/Schemas.js"

/**
 * One line of a progress stream.
 *
 * @since 0.1.0
 */
export type ProgressEvent = CreateImageInfo

const decodeEvent = FastDecode.decoder(CreateImageInfo)

/**
 * Parses a progress byte stream into events; a line that is not a progress object fails the
 * stream with {@link DockerStreamError}.
 *
 * @since 0.1.0
 */
export const events = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>
): Stream.Stream<ProgressEvent, E | DockerStreamError, R> =>
  bytes.pipe(
    Stream.decodeText(),
    Stream.splitLines,
    Stream.filter((line) => line.trim() !== ""),
    Stream.mapEffect((line) => {
      let json: unknown
      try {
        json = JSON.parse(line)
      } catch {
        return Effect.fail(new DockerStreamError({ message: `a progress line is not JSON: ${line.slice(0, 200)}` }))
      }
      const event = decodeEvent(json)
      return Either.isRight(event)
        ? Effect.succeed(event.right)
        : Effect.fail(
          new DockerStreamError({ message: `a progress line has an unexpected shape: ${line.slice(0, 200)}` })
        )
    })
  )

/**
 * The error an event reports, if any.
 *
 * @since 0.1.0
 */
export const errorMessage = (event: ProgressEvent): string | undefined => event.errorDetail?.message ?? event.error
