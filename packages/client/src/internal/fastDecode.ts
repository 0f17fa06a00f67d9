/**
 * A fast path for decoding engine answers with the generated schemas.
 *
 * Effect's general decoder measured 12x the cost of `JSON.parse` on a 1,000-container list
 * (bench/decode.ts). The generated schemas use a handful of AST shapes (structs, records, arrays,
 * unions of literals, primitives, and the `optionalWith` transformations that drop `null`s), so
 * they compile here, once per schema, to JavaScript source: one function per struct, array and
 * union, reading each property by its literal name, so that V8 sees one shape per read. What
 * needs no change (no null dropped, no default added, no excess property) is returned as it is;
 * the rest is copied only as far as it changes. A schema with any other shape, or a runtime that
 * forbids `new Function`, keeps the general decoder. When the fast path finds a mismatch it gives
 * up, and the general decoder runs to produce its report: errors read the same either way.
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

type Step = AST.PropertySignatureTransformation["decode"]

/** Thrown while generating when a shape is not one the fast path knows. */
class Unsupported {}

/**
 * What the generated code calls: a copy of a record up to a key, and a property set that keeps
 * a `__proto__` key (JSON.parse makes it an own property; a label may be called that) a property
 * instead of the copy's prototype.
 */
const helpers = {
  set: (out: Record<string, unknown>, key: string, value: unknown) => {
    if (key === "__proto__") {
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
    } else out[key] = value
  },
  copyUpTo: (
    out: Record<string, unknown>,
    input: Record<string, unknown>,
    upTo: string,
    known: ReadonlySet<string> | undefined
  ) => {
    for (const key in input) {
      if (key === upTo) break
      if (known === undefined || !known.has(key)) helpers.set(out, key, input[key])
    }
    return out
  },
  some: Option.some,
  none: Option.none()
}

class Generator {
  readonly functions: Array<string> = []
  readonly constants: Array<unknown> = []
  private readonly names = new Map<AST.AST, string>()

  constant(value: unknown): string {
    this.constants.push(value)
    return `K[${this.constants.length - 1}]`
  }

  /** An expression that is the decoded `v` (a variable name), or `M` on a mismatch. */
  expression(ast: AST.AST, v: string): string {
    // The generated schemas are built on first use (`Schema.suspend`): compile what they stand for.
    if (ast._tag === "Suspend") return this.expression(ast.f(), v)
    const check = this.check(ast, v)
    return check !== undefined ? `(${check} ? ${v} : M)` : `${this.function(ast)}(${v})`
  }

  /** A condition for shapes that decode to themselves; `undefined` for the others. */
  private check(ast: AST.AST, v: string): string | undefined {
    switch (ast._tag) {
      case "StringKeyword":
        return `typeof ${v} === "string"`
      case "NumberKeyword":
        return `typeof ${v} === "number"`
      case "BooleanKeyword":
        return `typeof ${v} === "boolean"`
      case "UnknownKeyword":
      case "AnyKeyword":
        return "true"
      case "UndefinedKeyword":
        return `${v} === undefined`
      case "Literal":
        return `${v} === ${this.constant(ast.literal)}`
      case "Union": {
        const checks = ast.types.map((member) => this.check(member, v))
        return checks.every((check) => check !== undefined)
          ? checks.map((check) => `(${check})`).join(" || ")
          : undefined
      }
      default:
        return undefined
    }
  }

  /** The name of a generated function that decodes `ast`, generated once per AST node. */
  private function(ast: AST.AST): string {
    const known = this.names.get(ast)
    if (known !== undefined) return known
    const name = `d${this.names.size}`
    this.names.set(ast, name)
    switch (ast._tag) {
      case "Union":
        this.functions.push(
          `function ${name}(v) { let r\n` +
            ast.types.map((member) => `r = ${this.expression(member, "v")}; if (r !== M) return r\n`).join("") +
            "return M }"
        )
        return name
      case "TupleType": {
        if (ast.elements.length > 0 || ast.rest.length !== 1) throw new Unsupported()
        this.functions.push(
          `function ${name}(a) {\n` +
            "if (!Array.isArray(a)) return M\n" +
            "let o\n" +
            "for (let x = 0; x < a.length; x++) {\n" +
            `const v = a[x], r = ${this.expression(ast.rest[0]!.type, "v")}\n` +
            "if (r === M) return M\n" +
            "if (r !== v && o === undefined) o = a.slice(0, x)\n" +
            "if (o !== undefined) o[x] = r }\n" +
            "return o === undefined ? a : o }"
        )
        return name
      }
      case "TypeLiteral":
        this.typeLiteral(name, ast, new Map())
        return name
      case "Transformation":
        this.typeLiteral(name, ...transformationSteps(ast))
        return name
      default:
        throw new Unsupported()
    }
  }

  /**
   * A struct: known properties decoded, excess ones dropped unless an index signature takes them.
   * `steps` are the `optionalWith` steps of the transformation the struct is the source of: they
   * decide what a null or absent property becomes (nothing, or a default). `o` is the copy, made
   * at the first change; `p` counts the properties present, to see excess ones.
   */
  private typeLiteral(name: string, ast: AST.TypeLiteral, steps: ReadonlyMap<string, Step>) {
    if (ast.indexSignatures.length > 1) throw new Unsupported()
    const properties = ast.propertySignatures.map((property) => {
      if (typeof property.name !== "string" || property.name === "__proto__") throw new Unsupported()
      return { name: property.name, type: property.type, isOptional: property.isOptional }
    })
    const copy = `${name}c`
    const body: Array<string> = [
      `function ${name}(i) {`,
      "if (typeof i !== \"object\" || i === null || Array.isArray(i)) return M",
      "let o, p = 0, v, r"
    ]
    properties.forEach((property, index) => {
      const key = JSON.stringify(property.name)
      const startCopy = `if (o === undefined) o = ${copy}(i, ${index})`
      const keep = [
        `r = ${this.expression(property.type, "v")}; if (r === M) return M; p++`,
        `if (r !== v) { ${startCopy} }`,
        `if (o !== undefined) o[${key}] = r`
      ].join("\n")
      body.push(`v = i[${key}]`)
      const step = steps.get(property.name)
      if (step === undefined) {
        body.push(
          `if (v === undefined && !(${key} in i)) { ${property.isOptional ? "" : "return M"} } else {\n${keep} }`
        )
        return
      }
      const stepFn = this.constant(step)
      const dropsAbsent = Option.isNone(step(Option.none()))
      const dropsNull = Option.isNone(step(Option.some(null)))
      body.push(
        "if (v === null || v === undefined) {",
        `if (v === null || ${key} in i) { p++`,
        dropsNull ? `if (v === null) { ${startCopy} } else {` : "{",
        `r = ${stepFn}(H.some(v))`,
        `if (r._tag === "Some" && r.value === v) { if (o !== undefined) o[${key}] = v }`,
        `else { ${startCopy}; if (r._tag === "Some") o[${key}] = r.value } }`,
        "} else {",
        dropsAbsent ? "" : `r = ${stepFn}(H.none); if (r._tag === "Some") { ${startCopy}; o[${key}] = r.value }`,
        `} } else {\n${keep} }`
      )
    })
    const names = properties.map((property) => property.name)
    if (ast.indexSignatures.length === 1) {
      const signature = ast.indexSignatures[0]!
      if (signature.parameter._tag !== "StringKeyword") throw new Unsupported()
      const known = names.length === 0 ? undefined : this.constant(new Set(names))
      body.push(
        "for (const key in i) {",
        known === undefined ? "" : `if (${known}.has(key)) continue`,
        `v = i[key]; r = ${this.expression(signature.type, "v")}; if (r === M) return M`,
        `if (r !== v && o === undefined) o = H.copyUpTo(${copy}(i, ${names.length}), i, key, ${known})`,
        "if (o !== undefined) H.set(o, key, r) }",
        "return o === undefined ? i : o }"
      )
    } else {
      // Excess properties are dropped, as the general decoder with `onExcessProperty: "ignore"` does.
      body.push(
        "if (o !== undefined) return o",
        "let n = 0; for (const _ in i) n++",
        `return n === p ? i : ${copy}(i, ${names.length}) }`
      )
    }
    this.functions.push(body.join("\n"))
    // The copy of the first `k` properties, made when the k-th one changes.
    this.functions.push(
      `function ${copy}(i, k) { const o = {}\n` +
        names.map((name, index) => {
          const key = JSON.stringify(name)
          return `if (k > ${index} && ${key} in i) o[${key}] = i[${key}]\n`
        }).join("") +
        "return o }"
    )
  }

  /** The decoding function of `ast`; throws {@link Unsupported} or what `new Function` throws. */
  compile(ast: AST.AST): Decode {
    const root = this.expression(ast, "input")
    const make = new Function("M", "K", "H", `${this.functions.join("\n")}\nreturn (input) => ${root}`)
    return make(mismatch, this.constants, helpers)
  }
}

/** The `optionalWith` steps of a transformation from a struct, or {@link Unsupported}. */
const transformationSteps = (ast: AST.Transformation): [AST.TypeLiteral, Map<string, Step>] => {
  if (ast.transformation._tag !== "TypeLiteralTransformation" || ast.from._tag !== "TypeLiteral") {
    throw new Unsupported()
  }
  // The generated schemas' steps (`optionalWith` nullable, with or without a default) keep a
  // present, non-null value as it is; only null and absent values need the step itself.
  const probe = {}
  const steps = new Map<string, Step>()
  for (const step of ast.transformation.propertySignatureTransformations) {
    const kept = step.decode(Option.some(probe))
    if (step.from !== step.to || typeof step.from !== "string" || !Option.isSome(kept) || kept.value !== probe) {
      throw new Unsupported()
    }
    steps.set(step.from, step.decode)
  }
  return [ast.from, steps]
}

/** Compiles an AST to a decoding function, or `undefined` when it has a shape this does not know. */
const compile = (ast: AST.AST): Decode | undefined => {
  try {
    return new Generator().compile(ast)
  } catch {
    // An unknown shape, or a runtime without `new Function` (a content security policy).
    return undefined
  }
}

const cache = new WeakMap<AST.AST, (input: unknown) => Either.Either<unknown, ParseResult.ParseIssue>>()

/**
 * A decoder for `schema` with `onExcessProperty: "ignore"`: the compiled fast path where the
 * schema allows it, the general decoder otherwise and for every failure's report.
 *
 * `decoder(Schema.Struct({ Id: Schema.String }))({ Id: "abc", Extra: 1 })` is `Right({ Id: "abc" })`.
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
