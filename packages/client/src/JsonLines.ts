/**
 * Streams of JSON values, one per line, as the engine sends events, stats and progress.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import type * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import { DockerDecodeError, type DockerLimitError } from "./DockerError.js"
import { type ByteDecoder, decodeWith } from "./internal/byteDecoder.js"
import * as Bytes from "./internal/bytes.js"
import * as FastDecode from "./internal/fastDecode.js"
import * as Limits from "./Limits.js"

const newline = 10
/** RFC 7464's record separator, before each value of `application/json-seq`. */
const recordSeparator = 0x1e
const textDecoder = new TextDecoder()

/**
 * Splits bytes into lines (whatever the chunking) and decodes each non-empty line with `schema`
 * (newline-delimited JSON, as `application/json`, `application/x-ndjson` and `application/jsonl`
 * are sent, or `application/json-seq`, whose values each start with a record separator);
 * a line that is not JSON, or not of the schema, fails the stream with `DockerDecodeError` (for
 * `operation`, `what` by default), as a buffered answer would, and a line longer than
 * `maxLineBytes` (default `Limits.defaults.lineBytes`) with `DockerLimitError` before it is held
 * whole in memory.
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
 * @category combinators
 */
export const decode = <A, I>(
  schema: Schema.Schema<A, I>,
  what: string,
  options: { readonly operation?: string | undefined; readonly maxLineBytes?: number | undefined } = {}
) => {
  const operation = options.operation ?? what
  const maxLineBytes = options.maxLineBytes ?? Limits.defaults.lineBytes
  const decodeValue = FastDecode.decoder(schema)
  /** A line's value, nothing for a blank line, or why it is not a value. */
  const decodeLine = (bytes: Uint8Array): A | undefined | DockerDecodeError => {
    const line = textDecoder.decode(bytes[0] === recordSeparator ? bytes.subarray(1) : bytes)
    if (line.trim() === "") return undefined
    try {
      const value = decodeValue(JSON.parse(line))
      return Either.isRight(value)
        ? value.right
        : new DockerDecodeError({
          operation,
          message: `${what} has an unexpected shape: ${ParseResult.TreeFormatter.formatIssueSync(value.left)}`
        })
    } catch (error) {
      // Not JSON, or nested deeper than the decoder's stack.
      return new DockerDecodeError({
        operation,
        message: error instanceof SyntaxError
          ? `${what} is not JSON: ${line.slice(0, 200)}`
          : `${what} cannot be decoded: ${String(error)}`
      })
    }
  }
  return <E, R>(
    bytes: Stream.Stream<Uint8Array, E, R>
  ): Stream.Stream<A, E | DockerDecodeError | DockerLimitError, R> =>
    decodeWith((): ByteDecoder<A, DockerDecodeError | DockerLimitError> => {
      // The start of a line whose end has not arrived yet.
      let pending: Array<Uint8Array> = []
      let pendingBytes = 0
      const tooLong = () => Limits.exceeded("lineBytes", maxLineBytes, what)
      /** Decodes one line into `out`; an error ends the stream. */
      const line = (bytes: Uint8Array, out: Array<A>) => {
        const value = decodeLine(bytes)
        if (value instanceof DockerDecodeError) return value
        if (value !== undefined) out.push(value)
        return undefined
      }
      return {
        push: (chunk, out) => {
          let start = 0
          let end: number
          while ((end = chunk.indexOf(newline, start)) !== -1) {
            let bytes = chunk.subarray(start, end)
            start = end + 1
            if (pendingBytes > 0) {
              pending.push(bytes)
              bytes = Bytes.concat(pending)
              pending = []
              pendingBytes = 0
            }
            if (bytes.length > maxLineBytes) return tooLong()
            const error = line(bytes, out)
            if (error !== undefined) return error
          }
          if (start < chunk.length) {
            pending.push(chunk.subarray(start))
            pendingBytes += chunk.length - start
            if (pendingBytes > maxLineBytes) return tooLong()
          }
          return undefined
        },
        // The last line may end without a newline.
        end: (out) => pendingBytes === 0 ? undefined : line(Bytes.concat(pending), out)
      }
    })(bytes)
}
