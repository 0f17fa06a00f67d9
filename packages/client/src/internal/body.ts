/** Bodies read to their end, with or without a bound. */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { DockerLimitError } from "../DockerError.js"
import * as Limits from "../Limits.js"
import { concat } from "./bytes.js"

/** The whole body. */
export const collect = <E>(body: Stream.Stream<Uint8Array, E>): Effect.Effect<Uint8Array, E> =>
  Effect.map(Stream.runCollect(body), (chunks) => concat(Chunk.toReadonlyArray(chunks)))

/** The whole body, or `DockerLimitError` (`errorBytes`) once it is longer than `maxBytes`. */
export const collectAtMost = <E>(
  body: Stream.Stream<Uint8Array, E>,
  maxBytes: number
): Effect.Effect<Uint8Array, E | DockerLimitError> =>
  Effect.suspend(() => {
    const chunks: Array<Uint8Array> = []
    let bytes = 0
    return body.pipe(
      Stream.runForEachChunk((chunk) => {
        for (const part of chunk) {
          bytes += part.length
          chunks.push(part)
        }
        return bytes > maxBytes ? Effect.fail(Limits.exceeded("errorBytes", maxBytes, "an error answer")) : Effect.void
      }),
      Effect.map(() => concat(chunks))
    )
  })
