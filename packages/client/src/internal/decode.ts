/** JSON answers decoded with schemas, whatever the bytes: a value or a `DockerDecodeError`. */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import type * as Schema from "effect/Schema"
import { DockerDecodeError } from "../DockerError.js"
import * as FastDecode from "./fastDecode.js"

const decoder = new TextDecoder()

export const decodeJson = <A, I>(operation: string, schema: Schema.Schema<A, I>) => {
  const decode = FastDecode.decoder(schema)
  return (body: Uint8Array): Effect.Effect<A, DockerDecodeError> => {
    let parsed: unknown
    try {
      parsed = JSON.parse(decoder.decode(body))
    } catch (error) {
      return Effect.fail(
        new DockerDecodeError({ operation, message: `the engine's answer is not JSON: ${(error as Error).message}` })
      )
    }
    return decodeWith(operation, decode, parsed)
  }
}

/** A parsed value decoded with `schema` (the compiled fast path where it has one). */
export const decodeValue = <A, I>(
  operation: string,
  schema: Schema.Schema<A, I>,
  value: unknown
): Effect.Effect<A, DockerDecodeError> => decodeWith(operation, FastDecode.decoder(schema), value)

const decodeWith = <A>(
  operation: string,
  decode: (input: unknown) => Either.Either<A, ParseResult.ParseIssue>,
  value: unknown
): Effect.Effect<A, DockerDecodeError> => {
  try {
    const result = decode(value)
    return Either.isRight(result)
      ? Effect.succeed(result.right)
      : Effect.fail(
        new DockerDecodeError({ operation, message: ParseResult.TreeFormatter.formatIssueSync(result.left) })
      )
  } catch (error) {
    return Effect.fail(
      new DockerDecodeError({ operation, message: `the engine's answer cannot be decoded: ${String(error)}` })
    )
  }
}
