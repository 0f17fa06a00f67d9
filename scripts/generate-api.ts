/**
 * Generates `packages/client/src/generated/` from the Engine API specification:
 * - `Schemas.ts`: an Effect Schema for every definition and for every inline request or response body;
 * - `Operations.ts`: one typed function for every operation that answers with a value (the streaming
 *   ones are written by hand on top of the engine's streams), with its parameters, its error union
 *   (from the statuses the specification lists) and the API version it needs;
 * - `Groups.ts`: the operations gathered into the `Docker` service's groups.
 *
 * The newest specification is the source; the oldest supported one (1.41) and the CHANGELOG tell
 * which operations and parameters are newer than 1.41. The output is deterministic; `pnpm generate`
 * runs this and then formats the files, and CI checks that the committed files are current.
 *
 *   tsx scripts/generate-api.ts [path/to/engine-api]
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { parse } from "yaml"
import {
  durationSeconds,
  engineWaits,
  extraFields,
  extraParams,
  fieldPresence,
  groupOf,
  groupResource,
  hiddenParams,
  jsonParams,
  optionRenames,
  optionTypes,
  requestTimeouts,
  responseOverrides,
  sinceOverrides,
  streamingOperations,
  voidResponses
} from "./generate-api.overrides.js"

const root = Path.resolve(import.meta.dirname, "..")
const specDir = process.argv[2] ?? process.env.EFFECT_DOCKER_SPEC_DIR ?? Path.resolve(root, "../shared/engine-api")
if (!Fs.existsSync(Path.join(specDir, "v1.55.yaml"))) {
  console.error(`no Engine API specification in ${specDir}: pass its folder, or set EFFECT_DOCKER_SPEC_DIR`)
  process.exit(1)
}
const outDir = Path.join(root, "packages/client/src/generated")
const newestVersion = "1.55"

type Node = Record<string, any>
const spec: Node = parse(Fs.readFileSync(Path.join(specDir, `v${newestVersion}.yaml`), "utf8"))
const oldest: Node = parse(Fs.readFileSync(Path.join(specDir, "v1.41.yaml"), "utf8"))
const changelog = Fs.readFileSync(Path.join(specDir, "CHANGELOG.md"), "utf8")
const definitions: Record<string, Node> = spec.definitions

// ---------------------------------------------------------------------------------------------
// Versions: which operations and query parameters are newer than 1.41, and since when.

/** The CHANGELOG's bullets per version, oldest version first (1.42 onwards). */
const changelogSections: Array<{ version: string; bullets: Array<string> }> = changelog
  .split(/^## v(\d+\.\d+) API changes$/m)
  .slice(1)
  .reduce<Array<{ version: string; bullets: Array<string> }>>((acc, part, i, all) => {
    if (i % 2 === 0) acc.push({ version: part, bullets: all[i + 1]!.split(/^\* /m).slice(1) })
    return acc
  }, [])
  .filter((section) =>
    compareVersions(section.version, "1.41") > 0 && compareVersions(section.version, newestVersion) <= 0
  )
  .sort((a, b) => compareVersions(a.version, b.version))

function compareVersions(a: string, b: string) {
  const [am, an] = a.split(".").map(Number)
  const [bm, bn] = b.split(".").map(Number)
  return am! !== bm! ? am! - bm! : an! - bn!
}

const mentions = (bullet: string, method: string, path: string) =>
  bullet.includes(`\`${method} ${path}`) || bullet.includes(`${method} ${path}\``)

/** The first version whose CHANGELOG mentions the operation (and the parameter, when given). */
const sinceFromChangelog = (method: string, path: string, param?: string): string | undefined =>
  changelogSections.find(({ bullets }) =>
    bullets.some((bullet) => mentions(bullet, method, path) && (param === undefined || bullet.includes(`\`${param}\``)))
  )?.version

const oldOperations = new Map<string, Node>()
for (const [, item] of Object.entries<Node>(oldest.paths)) {
  for (const [, op] of Object.entries<Node>(item)) if (op?.operationId) oldOperations.set(op.operationId, op)
}

/** Newer than 1.41 and the CHANGELOG does not say since when: the most careful answer. */
const unknownSince: Array<string> = []
const sinceFor = (what: string, found: string | undefined) => {
  if (found !== undefined) return found
  if (sinceOverrides[what] !== undefined) return sinceOverrides[what]
  unknownSince.push(what)
  return "1.42"
}

// ---------------------------------------------------------------------------------------------
// Schemas.

const identifier = (name: string) => name.replace(/[^A-Za-z0-9_]/g, "_")
const quoteKey = (key: string) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key))
const refName = (ref: string) => identifier(ref.split("/").pop()!)

const doc = (text: string | undefined, indent = "") => {
  if (text === undefined || text.trim() === "") return ""
  const lines = text.trim().replace(/\*\//g, "*\\/").split("\n").map((line) => line.trimEnd())
  return `${indent}/**\n${
    lines.map((line) => `${indent} *${line === "" ? "" : " " + line}`).join("\n")
  }\n${indent} */\n`
}

/** Merges `allOf` parts into one object node (the generator never emits a class extending itself). */
const flatten = (node: Node): Node => {
  if (!node.allOf) return node
  const merged: Node = { type: "object", properties: {}, required: [] as Array<string> }
  for (const part of node.allOf as Array<Node>) {
    const resolved = flatten(part.$ref ? definitions[refName(part.$ref)]! : part)
    Object.assign(merged.properties, resolved.properties ?? {})
    merged.required.push(...(resolved.required ?? []))
    if (resolved.additionalProperties !== undefined) merged.additionalProperties = resolved.additionalProperties
  }
  // Properties beside `allOf` belong to the object too (e.g. NetworkInspect's Containers).
  Object.assign(merged.properties, node.properties ?? {})
  merged.required.push(...(node.required ?? []))
  for (const [key, value] of Object.entries(node)) if (key !== "allOf") merged[key] ??= value
  return merged
}

/** The schema expression of a node; `path` names it (`Definition.Property`). */
const schemaOf = (node: Node | undefined, path: string): string => {
  if (node === undefined) return "Schema.Unknown"
  if (node.$ref) return refName(node.$ref)
  // `allOf` with one reference and nothing beside it only documents the reference (MountPoint.Type).
  if (node.allOf?.length === 1 && node.properties === undefined && node.allOf[0].$ref) {
    const expr = refName(node.allOf[0].$ref)
    return node["x-nullable"] === true ? `Schema.NullOr(${expr})` : expr
  }
  const original = node
  node = flatten(node)
  const nullable = node["x-nullable"] === true
  const wrap = (expr: string) => (nullable ? `Schema.NullOr(${expr})` : expr)
  switch (node.type) {
    case "string":
      if (node.format === "binary") return wrap("Schema.Uint8ArrayFromSelf")
      return wrap(
        Array.isArray(node.enum) && node.enum.length > 0
          ? `openEnum(${node.enum.map((v: unknown) => JSON.stringify(String(v))).join(", ")})`
          : "Schema.String"
      )
    case "integer":
    case "number":
      return wrap("Schema.Number")
    case "boolean":
      return wrap("Schema.Boolean")
    case "array":
      return wrap(`Schema.Array(${schemaOf(node.items, `${path}[]`)})`)
    case undefined:
    case "object": {
      // The fields of referenced parts are spread from their schemas, not written out again.
      const spreadable = (original.allOf ?? []).filter((part: Node) => {
        const target = part.$ref ? definitions[refName(part.$ref)]! : undefined
        return target !== undefined && target["x-nullable"] !== true && flatten(target).properties !== undefined
      })
      const spreads = spreadable.map((part: Node) => `...${refName(part.$ref)}.fields`)
      const inherited = new Set<string>(
        spreadable.flatMap((part: Node) => Object.keys(flatten(definitions[refName(part.$ref)]!).properties))
      )
      const properties = Object.entries<Node>(node.properties ?? {}).filter(([key]) => !inherited.has(key))
      const extra = node.additionalProperties
      const record = extra === undefined || extra === false
        ? undefined
        : `Schema.Record({ key: Schema.String, value: ${
          extra === true ? "Schema.Unknown" : schemaOf(extra, `${path}{}`)
        } })`
      if (properties.length === 0 && spreads.length === 0) {
        if (node.type === undefined && record === undefined) return "Schema.Unknown"
        return wrap(record ?? "Schema.Record({ key: Schema.String, value: Schema.Unknown })")
      }
      const required = new Set<string>(node.required ?? [])
      const fields = properties.map(([key, value]) => {
        const expr = schemaOf(value, `${path}.${key}`)
        const presence = fieldPresence[`${path}.${key}`] ?? (required.has(key) ? "required" : "optional")
        const field = presence === "optional"
          ? `optional(${expr})`
          : emptyOf(value) !== undefined
          // Engines send `null` (or nothing) for an empty list or map: decode it as the empty one.
          ? `requiredCollection(${expr}, () => ${emptyOf(value)})`
          : expr
        return `${doc(firstParagraph(value.description), "  ")}  ${quoteKey(key)}: ${field}`
      })
      for (const [key, field] of Object.entries(extraFields[path] ?? {})) fields.push(`  ${quoteKey(key)}: ${field}`)
      const struct = `Schema.Struct({\n${
        [...spreads.map((spread: string) => `  ${spread}`), ...fields].join(",\n")
      }\n}${record ? `, ${record}` : ""})`
      return wrap(struct)
    }
    default:
      return "Schema.Unknown"
  }
}

/** `[]` or `{}` for a list or map node, whatever `$ref` leads to it. */
const emptyOf = (node: Node): string | undefined => {
  const resolved = node.$ref ? definitions[refName(node.$ref)]! : node
  if (resolved.type === "array") return "[]"
  const isMap = (resolved.type === "object" || resolved.type === undefined) && resolved.properties === undefined &&
    resolved.additionalProperties !== undefined && resolved.additionalProperties !== false
  return isMap ? "({})" : undefined
}

const firstParagraph = (text: string | undefined) => text?.trim().split(/\n\s*\n/)[0]

/** Definitions in dependency order (the specification has no cycles; checked here). */
const order: Array<string> = []
{
  const state = new Map<string, "visiting" | "done">()
  const refsOf = (node: unknown, out: Set<string>) => {
    if (Array.isArray(node)) node.forEach((n) => refsOf(n, out))
    else if (node && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) {
        if (key === "$ref" && typeof value === "string") out.add(refName(value))
        else if (!key.startsWith("x-")) refsOf(value, out)
      }
    }
  }
  const visit = (name: string) => {
    if (state.get(name) === "done") return
    if (state.get(name) === "visiting") throw new Error(`definition cycle through ${name}`)
    state.set(name, "visiting")
    const refs = new Set<string>()
    refsOf(definitions[name], refs)
    for (const ref of [...refs].sort()) visit(ref)
    state.set(name, "done")
    order.push(name)
  }
  for (const name of Object.keys(definitions).sort()) visit(name)
}

// ---------------------------------------------------------------------------------------------
// Operations.

interface Param {
  readonly name: string
  readonly option: string
  readonly in: "path" | "query" | "header" | "body"
  readonly required: boolean
  readonly type: string
  readonly description: string | undefined
  readonly since: string | undefined
}

interface Operation {
  readonly id: string
  readonly method: string
  readonly path: string
  readonly group: string
  readonly name: string
  readonly summary: string | undefined
  readonly params: Array<Param>
  readonly body: { readonly schema: string; readonly required: boolean; readonly raw: boolean } | undefined
  readonly response: { readonly kind: "json" | "void" | "text"; readonly schema: string | undefined }
  readonly errors: Array<number>
  readonly since: string | undefined
}

const errorClass: Record<number, string> = {
  304: "NotModified",
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  409: "Conflict",
  500: "ServerError",
  503: "ServiceUnavailable"
}

const camel = (name: string) =>
  name.replace(/^X-/, "").replace(/[-_]([a-zA-Z])/g, (_, c: string) => c.toUpperCase()).replace(
    /^[A-Z]/,
    (c) => c.toLowerCase()
  )

const extraSchemas: Array<{ name: string; expr: string; description: string | undefined }> = []

const queryType = (param: Node): string => {
  if (param.name === "filters") return "Filters"
  switch (param.type) {
    case "boolean":
      return "boolean"
    case "integer":
    case "number":
      return "number"
    case "array":
      return "ReadonlyArray<string>"
    default:
      return Array.isArray(param.enum)
        ? param.enum.map((v: unknown) => JSON.stringify(String(v))).join(" | ")
        : "string"
  }
}

const operations: Array<Operation> = []
/** The streaming operations: their options and requests are generated, their answers handled by hand. */
const streamingOps: Array<Operation> = []
for (const [path, item] of Object.entries<Node>(spec.paths)) {
  for (const [method, op] of Object.entries<Node>(item)) {
    if (!["get", "post", "put", "delete", "head"].includes(method)) continue
    const id: string = op.operationId
    const [group, name] = groupOf[id] ?? []
    if (group === undefined || name === undefined) {
      throw new Error(`no group for ${id}: add it to generate-api.overrides.ts`)
    }
    const streaming = streamingOperations.has(id)
    const METHOD = method.toUpperCase()
    const old = oldOperations.get(id)
    const oldParams = new Set<string>((old?.parameters ?? []).map((p: Node) => `${p.in}:${p.name}`))
    const params: Array<Param> = []
    let body: Operation["body"]
    for (const p of (op.parameters ?? []) as Array<Node>) {
      if (p.in === "body") {
        const raw = p.schema?.type === "string" && p.schema?.format === "binary"
        let schema: string
        if (p.schema?.$ref) schema = refName(p.schema.$ref)
        else if (streaming) schema = "unknown"
        else {
          schema = `${id}Body`
          extraSchemas.push({ name: schema, expr: schemaOf(p.schema, schema), description: p.description })
        }
        body = { schema, required: p.required === true, raw }
        continue
      }
      if (hiddenParams.has(`${id}.${p.name}`)) continue
      const since = old !== undefined && !oldParams.has(`${p.in}:${p.name}`)
        ? sinceFor(`${id} ${p.in} parameter ${p.name}`, sinceFromChangelog(METHOD, path, p.name))
        : undefined
      params.push({
        name: p.name,
        option: optionRenames[`${id}.${p.name}`] ?? camel(p.name),
        in: p.in,
        required: p.required === true,
        type: p.in === "header"
          ? "Redacted.Redacted<string>"
          : durationSeconds[`${id}.${p.name}`] !== undefined
          ? "Duration.DurationInput"
          : optionTypes[`${id}.${p.name}`] ?? queryType(p),
        description: durationSeconds[`${id}.${p.name}`] ?? p.description,
        since
      })
    }
    for (const extra of extraParams[id] ?? []) {
      params.push({ ...extra, option: camel(extra.name), required: false, since: undefined })
    }
    const errors = Object.keys(op.responses).map(Number).filter((s) => s >= 300 && s !== 101).sort()
    const since = old === undefined ? sinceFor(`${id}`, sinceFromChangelog(METHOD, path)) : undefined
    const summary = op.summary ?? firstParagraph(op.description)
    if (streaming) {
      const response = { kind: "void" as const, schema: undefined }
      streamingOps.push({ id, method: METHOD, path, group, name, summary, params, body, response, errors, since })
      continue
    }
    const success = Object.keys(op.responses).map(Number).filter((s) => s >= 200 && s < 300).sort()
    const successSchema = success.map((s) => op.responses[s]?.schema).find((s) => s !== undefined) as Node | undefined
    let response: Operation["response"]
    const produces: Array<string> = op.produces ?? []
    if (produces.includes("text/plain") && !produces.includes("application/json")) {
      response = { kind: "text", schema: undefined }
    } else if (successSchema === undefined || voidResponses.has(id)) {
      response = { kind: "void", schema: undefined }
    } else if (responseOverrides[id] !== undefined) {
      const override = responseOverrides[id]
      extraSchemas.push({ name: override.name, expr: override.expr, description: override.description })
      response = { kind: "json", schema: override.name }
    } else if (successSchema.$ref) {
      response = { kind: "json", schema: refName(successSchema.$ref) }
    } else {
      const schemaName = `${id}Response`
      extraSchemas.push({
        name: schemaName,
        expr: schemaOf(successSchema, schemaName),
        description: successSchema.description
      })
      response = { kind: "json", schema: schemaName }
    }
    operations.push({ id, method: METHOD, path, group, name, summary, params, body, response, errors, since })
  }
}
operations.sort((a, b) => a.id.localeCompare(b.id))

// ---------------------------------------------------------------------------------------------
// Output.

const header = (what: string) =>
  `/**
 * ${what}
 *
 * Generated by scripts/generate-api.ts from the Engine API ${newestVersion} specification. Do not edit:
 * change the generator or its overrides, then run \`pnpm generate\`.
 *
 * @since 0.1.0
 */
`

const schemasFile = [
  header("Schemas of the Engine API's objects."),
  `import * as Schema from "effect/Schema"\n`,
  "/** An optional field that may also arrive as `null`, as engines send for empty lists and maps. */",
  "const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { nullable: true })\n",
  "/**",
  " * A string the specification lists values for. Engines send values the specification does not",
  " * list yet (a service's `rollback_completed`), so any string decodes; the known ones are offered.",
  " */",
  "const openEnum = <const Values extends ReadonlyArray<string>>(..._known: Values) =>",
  "  Schema.String as unknown as Schema.Schema<Values[number] | (string & {})>\n",
  "/** A list or map that is always there once decoded, though engines send `null` or nothing for an empty one. */",
  "const requiredCollection = <S extends Schema.Schema.All>(schema: S, empty: () => Schema.Schema.Type<S>) =>",
  "  Schema.optionalWith(schema, { nullable: true, default: empty })\n",
  ...[
    ...order.map((name) => ({
      name,
      expr: schemaOf(definitions[name], name),
      description: definitions[name]!.description
    })),
    ...extraSchemas
  ]
    .map(({ description, expr, name }) =>
      `${doc(firstParagraph(description) ?? name)}export const ${identifier(name)} = ${expr}\n\n` +
      `/**\n * @since 0.1.0\n */\nexport type ${identifier(name)} = typeof ${identifier(name)}.Type\n`
    )
].join("\n")

const pathParams = (op: Operation) => op.params.filter((p) => p.in === "path")
const optionParams = (op: Operation) => op.params.filter((p) => p.in === "query" || p.in === "header")

const optionsType = (op: Operation) => `${op.id}Options`
const errorType = (op: Operation) => `${op.id}Error`
const successType = (op: Operation) =>
  op.response.kind === "json" ? `Schemas.${op.response.schema}` : op.response.kind === "text" ? "string" : "void"

const signature = (op: Operation) => {
  const args = pathParams(op).map((p) => `${p.option}: string`)
  const options = optionParams(op)
  const optionsRequired = options.some((p) => p.required)
  if (op.body !== undefined) {
    const type = op.body.raw ? "Uint8Array" : `Schemas.${op.body.schema}`
    // An optional body before required options must still be passed, as `undefined` if need be.
    args.push(op.body.required ? `body: ${type}` : optionsRequired ? `body: ${type} | undefined` : `body?: ${type}`)
  }
  if (options.length > 0) {
    args.push(optionsRequired ? `options: ${optionsType(op)}` : `options: ${optionsType(op)} = {}`)
  }
  return args.join(", ")
}

/** The options interface of an operation, with the specification's docs and version notes. */
const optionsInterface = (op: Operation, what: string) => {
  const options = optionParams(op)
  if (options.length === 0) return []
  const lines = [
    `/**\n * Options of {@link ${what}}.\n *\n * @since 0.1.0\n */`,
    `export interface ${optionsType(op)} {`
  ]
  for (const p of options) {
    const note = p.since !== undefined ? `${p.description?.trim() ?? ""}\n\nAPI ${p.since}+.` : p.description
    lines.push(
      `${doc(note, "  ")}  readonly ${quoteKey(p.option)}${p.required ? "" : "?"}: ${p.type}${
        p.required ? "" : " | undefined"
      }`
    )
  }
  lines.push("}\n")
  return lines
}

/** The fields of an operation's request (method, path, query, headers, expect, since, name), as code. */
const requestFields = (op: Operation) => {
  const options = optionParams(op)
  const template = op.path.replace(
    /\{([^}]+)\}/g,
    (_, name: string) => `\${${pathParams(op).find((p) => p.name === name)!.option}}`
  )
  const query = options.filter((p) => p.in === "query").map((p) =>
    `${quoteKey(p.name)}: ${
      durationSeconds[`${op.id}.${p.name}`] !== undefined
        ? `Operation.seconds(options.${p.option})`
        : jsonParams.has(`${op.id}.${p.name}`)
        ? `Operation.json(options.${p.option})`
        : `options.${p.option}`
    }`
  )
  const headers = options.filter((p) => p.in === "header")
  const versioned = options.filter((p) => p.since !== undefined)
  return [
    `method: "${op.method}"`,
    `path: EnginePath.make\`${template}\``,
    query.length > 0 ? `query: { ${query.join(", ")} }` : undefined,
    headers.length > 0
      ? `headers: Operation.headers({ ${
        headers.map((p) => `${JSON.stringify(p.name.toLowerCase())}: options.${p.option}`).join(", ")
      } })`
      : undefined,
    `expect: [${op.errors.join(", ")}]`,
    groupResource[op.group] !== undefined ? `resource: "${groupResource[op.group]}"` : undefined,
    requestTimeouts[op.id] !== undefined ? `timeoutMillis: ${requestTimeouts[op.id]}` : undefined,
    engineWaits[op.id] !== undefined ? `engineWaitMillis: ${engineWaits[op.id]}` : undefined,
    op.since !== undefined
      ? `since: "${op.since}"`
      : versioned.length > 0
      ? `since: Operation.newest([${versioned.map((p) => `["${p.since}", options.${p.option}]`).join(", ")}])`
      : undefined,
    `operation: "${op.id}"`
  ].filter((x) => x !== undefined)
}

const operationCode = (op: Operation) => {
  const lines: Array<string> = optionsInterface(op, op.id)
  const errors = op.errors.map((s) => errorClass[s]).filter((c): c is string => c !== undefined)
  lines.push(`/**\n * What {@link ${op.id}} can fail with.\n *\n * @since 0.1.0\n */`)
  lines.push(
    `export type ${errorType(op)} = ${[...new Set(errors)].join(" | ")}${errors.length ? " | " : ""}OperationError${
      op.response.kind === "json" ? " | DockerDecodeError" : ""
    }\n`
  )
  const request = requestFields(op)
  if (op.body !== undefined) {
    request.splice(request.findIndex((field) => field.startsWith("expect")), 0, op.body.raw ? "body" : "json: body")
  }
  const call = op.response.kind === "json"
    ? `engine.json(Schemas.${op.response.schema}, { ${request.join(", ")} })`
    : op.response.kind === "text"
    ? `Operation.text(engine, { ${request.join(", ")} })`
    : `Effect.asVoid(engine.request({ ${request.join(", ")} }))`
  const since = op.since !== undefined ? `\n *\n * API ${op.since}+.` : ""
  lines.push(`/**\n * ${op.summary ?? op.id} (\`${op.method} ${op.path}\`).${since}\n *\n * @since 0.1.0\n */`)
  lines.push(
    `export const ${op.id} = (engine: DockerEngine["Type"]) => (${signature(op)}): Effect.Effect<${successType(op)}, ${
      errorType(op)
    }> =>\n  ${call}\n`
  )
  return lines.join("\n")
}

/**
 * A streaming operation's request builder: path parameters and options in, the engine request
 * out; the caller adds the body and handles the answer.
 */
const requestCode = (op: Operation) => {
  const lines: Array<string> = optionsInterface(op, op.id)
  const args = pathParams(op).map((p) => `${p.option}: string`)
  const options = optionParams(op)
  if (options.length > 0) {
    args.push(options.some((p) => p.required) ? `options: ${optionsType(op)}` : `options: ${optionsType(op)} = {}`)
  }
  const since = op.since !== undefined ? `\n *\n * API ${op.since}+.` : ""
  lines.push(
    `/**\n * The request of ${
      op.summary ?? op.id
    } (\`${op.method} ${op.path}\`), to send with \`engine.stream\` or \`engine.upgrade\`.${since}\n *\n * @since 0.2.0\n */`
  )
  lines.push(
    `export const ${op.id} = (${args.join(", ")}): EngineRequest => ({ ${requestFields(op).join(", ")} })\n`
  )
  return lines.join("\n")
}

const requestsFile = [
  header("The requests of the Engine API operations whose answers arrive over time (logs, builds, sessions)."),
  `import type * as Redacted from "effect/Redacted"`,
  `import type { EngineRequest, Filters } from "../DockerEngine.js"`,
  `import * as EnginePath from "../EnginePath.js"`,
  `import * as Operation from "../Operation.js"\n`,
  ...streamingOps.map(requestCode)
].join("\n")

const usedErrors = [...new Set(operations.flatMap((op) => op.errors.map((s) => errorClass[s]).filter(Boolean)))].sort()
const operationsFile = [
  header("One function per Engine API operation that answers with a value."),
  `import type * as Duration from "effect/Duration"`,
  `import * as Effect from "effect/Effect"`,
  `import type * as Redacted from "effect/Redacted"`,
  `import type { DockerEngine, Filters } from "../DockerEngine.js"`,
  `import type { DockerDecodeError, ${usedErrors.join(", ")} } from "../DockerError.js"`,
  `import * as EnginePath from "../EnginePath.js"`,
  `import * as Operation from "../Operation.js"`,
  `import type { OperationError } from "../Operation.js"`,
  `import * as Schemas from "./Schemas.js"\n`,
  ...operations.map(operationCode)
].join("\n")

const groups = [...new Set(operations.map((op) => op.group))].sort()
const groupsFile = [
  header("The generated operations, gathered into the `Docker` service's groups."),
  `import type { DockerEngine } from "../DockerEngine.js"`,
  `import * as Operations from "./Operations.js"\n`,
  ...groups.map((group) => {
    const ops = operations.filter((op) => op.group === group).sort((a, b) => a.name.localeCompare(b.name))
    const typeName = group[0]!.toUpperCase() + group.slice(1)
    return [
      `/**\n * The generated operations of \`docker.${group}\`.\n *\n * @since 0.1.0\n */`,
      `export interface ${typeName} {`,
      ...ops.map((op) =>
        `${
          doc(`${op.summary ?? op.id} (\`${op.method} ${op.path}\`).`, "  ")
        }  readonly ${op.name}: ReturnType<typeof Operations.${op.id}>`
      ),
      "}\n",
      `/**\n * @since 0.1.0\n */`,
      `export const ${group} = (engine: DockerEngine["Type"]): ${typeName} => ({`,
      ops.map((op) => `  ${op.name}: Operations.${op.id}(engine)`).join(",\n"),
      "})\n"
    ].join("\n")
  })
].join("\n")

/** What the coverage report reads: every operation of the specification and its place. */
const manifest = {
  version: newestVersion,
  operations: Object.entries<Node>(spec.paths).flatMap(([path, item]) =>
    Object.entries<Node>(item).filter(([m]) => ["get", "post", "put", "delete", "head"].includes(m)).map((
      [method, op]
    ) => ({
      id: op.operationId as string,
      method: method.toUpperCase(),
      path,
      group: groupOf[op.operationId]![0],
      name: groupOf[op.operationId]![1],
      generated: !streamingOperations.has(op.operationId)
    }))
  ).sort((a, b) => a.id.localeCompare(b.id)),
  sinceUnknown: unknownSince.sort()
}

Fs.mkdirSync(outDir, { recursive: true })
Fs.writeFileSync(Path.join(outDir, "Schemas.ts"), schemasFile)
Fs.writeFileSync(Path.join(outDir, "Operations.ts"), operationsFile)
Fs.writeFileSync(Path.join(outDir, "Groups.ts"), groupsFile)
Fs.writeFileSync(Path.join(outDir, "Requests.ts"), requestsFile)
Fs.writeFileSync(Path.join(outDir, "operations.json"), JSON.stringify(manifest, null, 2) + "\n")
console.log(
  `generated ${
    order.length + extraSchemas.length
  } schemas and ${operations.length} of ${manifest.operations.length} operations` +
    (unknownSince.length > 0
      ? `; ${unknownSince.length} newer than 1.41 without a CHANGELOG version (assumed 1.42)`
      : "")
)
