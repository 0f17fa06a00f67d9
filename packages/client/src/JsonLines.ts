/**
 * Streams of JSON values, one per line, as the engine sends events, stats and progress.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { DockerStreamError } from "./DockerError.js"
import * as FastDecode from "./FastDecode.js"

/**
 * Splits bytes into lines (whatever the chunking) and decodes each non-empty line with `schema`;
 * a line that is not JSON, or not of the schema, fails the stream with {@link DockerStreamError}.
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
export const decode = <A, I>(schema: Schema.Schema<A, I>, what: string) => {
  const decodeValue = FastDecode.decoder(schema)
  return <E, R>(bytes: Stream.Stream<Uint8Array, E, R>): Stream.Stream<A, E | DockerStreamError, R> =>
    bytes.pipe(
      Stream.decodeText(),
      Stream.splitLines,
      Stream.filter((line) => line.trim() !== ""),
      Stream.mapEffect((line) => {
        let json: unknown
        try {
          json = JSON.parse(line)
        } catch {
          return Effect.fail(new DockerStreamError({ message: `${what} is not JSON: ${line.slice(0, 200)}` }))
        }
        const value = decodeValue(json)
        return Either.isRight(value)
          ? Effect.succeed(value.right)
          : Effect.fail(
            new DockerStreamError({
              message: `${what} has an unexpected shape: ${ParseResult.TreeFormatter.formatIssueSync(value.left)}`
            })
          )
      })
    )
}
