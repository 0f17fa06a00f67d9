/**
 * A stream stage for a stateful decoder of byte chunks (frames, lines): a channel of its own
 * rather than `mapChunksEffect`, so that a chunk costs one step and no effect.
 */
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import * as Stream from "effect/Stream"

/** A decoder, made once per run of the stream. */
export interface ByteDecoder<A, E> {
  /** Decodes a chunk; `out` receives the values. Returns an error to end the stream with it. */
  readonly push: (chunk: Uint8Array, out: Array<A>) => E | undefined
  /** The end of the input: the last values, or an error (the input ended inside a value). */
  readonly end: (out: Array<A>) => E | undefined
}

/** Pipes `self` through the decoder `make` builds. */
export const decodeWith =
  <A, E2>(make: () => ByteDecoder<A, E2>) =>
  <E, R>(self: Stream.Stream<Uint8Array, E, R>): Stream.Stream<A, E | E2, R> =>
    Stream.pipeThroughChannel(
      self,
      Channel.suspend(() => {
        const decoder = make()
        const emit = (out: Array<A>) => Channel.write(Chunk.unsafeFromArray(out))
        const loop: Channel.Channel<Chunk.Chunk<A>, Chunk.Chunk<Uint8Array>, E | E2, E, unknown, unknown> = Channel
          .readWithCause({
            onInput: (chunks: Chunk.Chunk<Uint8Array>) => {
              const out: Array<A> = []
              for (const chunk of chunks) {
                const error = decoder.push(chunk, out)
                if (error !== undefined) {
                  return out.length === 0
                    ? Channel.fail(error)
                    : Channel.zipRight(emit(out), Channel.fail(error))
                }
              }
              return out.length === 0 ? loop : Channel.zipRight(emit(out), loop)
            },
            onFailure: Channel.failCause,
            onDone: () => {
              const out: Array<A> = []
              const error = decoder.end(out)
              const rest = out.length === 0 ? Channel.void : emit(out)
              return error === undefined ? rest : Channel.zipRight(rest, Channel.fail(error))
            }
          })
        return loop
      })
    )
