/**
 * A fast path for decoding engine answers with the generated schemas.
 *
 * Effect's general decoder measured 12x the cost of `JSON.parse` on a 1,000-container list
 * (bench/decode.ts). The generated schemas use a handful of AST shapes (structs, records, arrays,
 * unions of literals, primitives, and the `optionalWith` transformations that drop `null`s), so
 * they compile here to plain closures that produce the same value. A schema with any other shape
 * keeps the general decoder. When the fast path finds a mismatch it gives up, and the general
 * decoder runs to produce its report: errors read the same either way.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import type * as Schema from "effect/Schema"
import type * as AST from "effect/SchemaAST"

const mismatch: unique symbol = Symbol.for("@effect-docker/client/FastDecode/mismatch")
type Decode = (input: unknown) => unknown

const isObject = (input: unknown): input is Record<string, unknown> =>
  typeof input === "object" && input !== null && !Array.isArray(input)

type Step = AST.PropertySignatureTransformation["decode"]

/**
 * A struct: known properties decoded, excess ones dropped unless an index signature takes them.
 * `steps` are the `optionalWith` steps of the transformation the struct is the source of: they
 * decide what a null or absent property becomes (nothing, or a default).
 */
const compileTypeLiteral = (ast: AST.TypeLiteral, steps: ReadonlyMap<string, Step> = new Map()): Decode | undefined => {
  const properties: Array<{
    readonly name: string
    readonly optional: boolean
    readonly decode: Decode
    readonly step: Step | undefined
    /** The step leaves an absent (or null) property out: nothing to call for it. */
    readonly dropsAbsent: boolean
    readonly dropsNull: boolean
  }> = []
  for (const property of ast.propertySignatures) {
    const decode = compile(property.type)
    if (decode === undefined || typeof property.name !== "string") return undefined
    const step = steps.get(property.name)
    properties.push({
      name: property.name,
      optional: property.isOptional,
      decode,
      step,
      dropsAbsent: step !== undefined && Option.isNone(step(Option.none())),
      dropsNull: step !== undefined && Option.isNone(step(Option.some(null)))
    })
  }
  let index: Decode | undefined
  if (ast.indexSignatures.length > 1) return undefined
  if (ast.indexSignatures.length === 1) {
    const signature = ast.indexSignatures[0]!
    if (signature.parameter._tag !== "StringKeyword") return undefined
    index = compile(signature.type)
    if (index === undefined) return undefined
  }
  const known = new Set(properties.map((p) => p.name))
  return (input) => {
    if (!isObject(input)) return mismatch
    const out: Record<string, unknown> = {}
    for (const property of properties) {
      const value = input[property.name]
      if (value === null || value === undefined) {
        const present = value !== undefined || property.name in input
        if (present ? property.dropsNull && value === null : property.dropsAbsent) continue
        if (property.step !== undefined) {
          const result = property.step(present ? Option.some(value) : Option.none())
          if (Option.isSome(result)) out[property.name] = result.value
          continue
        }
        if (!present) {
          if (property.optional) continue
          return mismatch
        }
      }
      const decoded = property.decode(value)
      if (decoded === mismatch) return mismatch
      out[property.name] = decoded
    }
    if (index !== undefined) {
      for (const key in input) {
        if (known.has(key)) continue
        const decoded = index(input[key])
        if (decoded === mismatch) return mismatch
        out[key] = decoded
      }
    }
    return out
  }
}

const compileTransformation = (ast: AST.Transformation): Decode | undefined => {
  if (ast.transformation._tag !== "TypeLiteralTransformation" || ast.from._tag !== "TypeLiteral") return undefined
  // The generated schemas' steps (`optionalWith` nullable, with or without a default) keep a
  // present, non-null value as it is; only null and absent values need the step itself.
  const probe = {}
  const steps = new Map<string, Step>()
  for (const step of ast.transformation.propertySignatureTransformations) {
    const kept = step.decode(Option.some(probe))
    if (step.from !== step.to || typeof step.from !== "string" || !Option.isSome(kept) || kept.value !== probe) {
      return undefined
    }
    steps.set(step.from, step.decode)
  }
  return compileTypeLiteral(ast.from, steps)
}

/** Compiles an AST to a decoding closure, or `undefined` when it has a shape this does not know. */
const compile = (ast: AST.AST): Decode | undefined => {
  switch (ast._tag) {
    case "StringKeyword":
      return (input) => (typeof input === "string" ? input : mismatch)
    case "NumberKeyword":
      return (input) => (typeof input === "number" ? input : mismatch)
    case "BooleanKeyword":
      return (input) => (typeof input === "boolean" ? input : mismatch)
    case "UnknownKeyword":
    case "AnyKeyword":
      return (input) => input
    case "UndefinedKeyword":
      return (input) => (input === undefined ? input : mismatch)
    case "Literal": {
      const literal = ast.literal
      return (input) => (input === literal ? input : mismatch)
    }
    case "Union": {
      const members: Array<Decode> = []
      for (const member of ast.types) {
        const decode = compile(member)
        if (decode === undefined) return undefined
        members.push(decode)
      }
      return (input) => {
        for (const member of members) {
          const decoded = member(input)
          if (decoded !== mismatch) return decoded
        }
        return mismatch
      }
    }
    case "TupleType": {
      if (ast.elements.length > 0 || ast.rest.length !== 1) return undefined
      const item = compile(ast.rest[0]!.type)
      if (item === undefined) return undefined
      return (input) => {
        if (!Array.isArray(input)) return mismatch
        const out = new Array(input.length)
        for (let i = 0; i < input.length; i++) {
          const decoded = item(input[i])
          if (decoded === mismatch) return mismatch
          out[i] = decoded
        }
        return out
      }
    }
    case "TypeLiteral":
      return compileTypeLiteral(ast)
    case "Transformation":
      return compileTransformation(ast)
    default:
      return undefined
  }
}

const cache = new WeakMap<AST.AST, (input: unknown) => Either.Either<unknown, ParseResult.ParseIssue>>()

/**
 * A decoder for `schema` with `onExcessProperty: "ignore"`: the compiled fast path where the
 * schema allows it, the general decoder otherwise and for every failure's report.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { FastDecode } from "@effect-docker/client"
 *
 * const decode = FastDecode.decoder(Schema.Struct({ Id: Schema.String }))
 * decode({ Id: "abc", Extra: 1 }) // Right({ Id: "abc" })
 * ```
 *
 * @since 0.1.0
 */
export const decoder = <A, I>(
  schema: Schema.Schema<A, I>
): (input: unknown) => Either.Either<A, ParseResult.ParseIssue> => {
  const cached = cache.get(schema.ast)
  if (cached !== undefined) return cached as (input: unknown) => Either.Either<A, ParseResult.ParseIssue>
  const general = ParseResult.decodeUnknownEither(schema)
  const slow = (input: unknown) => general(input, { onExcessProperty: "ignore" })
  const fast = compile(schema.ast)
  const decode = fast === undefined ? slow : (input: unknown) => {
    const decoded = fast(input)
    return decoded === mismatch ? slow(input) : Either.right(decoded as A)
  }
  cache.set(schema.ast, decode)
  return decode
}
