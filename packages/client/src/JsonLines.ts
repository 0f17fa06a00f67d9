/**
 * Streams of JSON values, one per line, as the engine sends events, stats and progress.
 *
 * @since 0.1.0
 */
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { type DockerLimitError, DockerStreamError } from "./DockerError.js"
import * as FastDecode from "./FastDecode.js"
import * as Bytes from "./internal/bytes.js"
import * as Limits from "./Limits.js"

const newline = 10
const textDecoder = new TextDecoder()

/**
 * Splits bytes into lines (whatever the chunking) and decodes each non-empty line with `schema`;
 * a line that is not JSON, or not of the schema, fails the stream with {@link DockerStreamError},
 * and a line longer than `maxLineBytes` (default `Limits.defaults.lineBytes`) with
 * `DockerLimitError` before it is held whole in memory.
 *
 * @example
 * ```ts
 * import { Schema, Stream } from "effect"
 * import { JsonLines } from "@effect-docker/client"
 *
 * const bytes = Stream.make(new TextEncoder().encode('{"a":1}\n{"a"'), new TextEncoder().encode(':2}\n'))
 * JsonLines.decode(Schema.Struct({ a: Schema.Number }), "line")(bytes) // { a: 1 }, { a: 2 }
 * ```
 *
 * @since 0.1.0
 */
export const decode = <A, I>(schema: Schema.Schema<A, I>, what: string, maxLineBytes = Limits.defaults.lineBytes) => {
  const decodeValue = FastDecode.decoder(schema)
  /** A line's value, nothing for a blank line, or why it is not a value. */
  const decodeLine = (bytes: Uint8Array): A | undefined | DockerStreamError => {
    const line = textDecoder.decode(bytes)
    if (line.trim() === "") return undefined
    try {
      const value = decodeValue(JSON.parse(line))
      return Either.isRight(value)
        ? value.right
        : new DockerStreamError({
          message: `${what} has an unexpected shape: ${ParseResult.TreeFormatter.formatIssueSync(value.left)}`
        })
    } catch (error) {
      // Not JSON, or nested deeper than the decoder's stack.
      return new DockerStreamError({
        message: error instanceof SyntaxError
          ? `${what} is not JSON: ${line.slice(0, 200)}`
          : `${what} cannot be decoded: ${String(error)}`
      })
    }
  }
  return <E, R>(
    bytes: Stream.Stream<Uint8Array, E, R>
  ): Stream.Stream<A, E | DockerStreamError | DockerLimitError, R> =>
    Stream.pipeThroughChannel(
      bytes,
      Channel.suspend(() => {
        // The start of a line whose end has not arrived yet.
        let pending: Array<Uint8Array> = []
        let pendingBytes = 0
        const tooLong = () => Channel.fail(Limits.exceeded("lineBytes", maxLineBytes, what))
        const loop: Channel.Channel<
          Chunk.Chunk<A>,
          Chunk.Chunk<Uint8Array>,
          E | DockerStreamError | DockerLimitError,
          E,
          unknown,
          unknown
        > = Channel.readWithCause({
          onInput: (chunks: Chunk.Chunk<Uint8Array>) => {
            const out: Array<A> = []
            for (const chunk of chunks) {
              let start = 0
              let end: number
              while ((end = chunk.indexOf(newline, start)) !== -1) {
                let line = chunk.subarray(start, end)
                start = end + 1
                if (pendingBytes > 0) {
                  pending.push(line)
                  line = Bytes.concat(pending)
                  pending = []
                  pendingBytes = 0
                }
                if (line.length > maxLineBytes) return tooLong()
                const value = decodeLine(line)
                if (value instanceof DockerStreamError) return Channel.fail(value)
                if (value !== undefined) out.push(value)
              }
              if (start < chunk.length) {
                pending.push(chunk.subarray(start))
                pendingBytes += chunk.length - start
                if (pendingBytes > maxLineBytes) return tooLong()
              }
            }
            return out.length === 0 ? loop : Channel.zipRight(Channel.write(Chunk.unsafeFromArray(out)), loop)
          },
          onFailure: Channel.failCause,
          onDone: () => {
            // The last line may end without a newline.
            if (pendingBytes === 0) return Channel.void
            const value = decodeLine(Bytes.concat(pending))
            if (value instanceof DockerStreamError) return Channel.fail(value)
            return value === undefined ? Channel.void : Channel.write(Chunk.of(value))
          }
        })
        return loop
      })
    )
}
