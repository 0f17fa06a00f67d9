/**
 * The model of the Engine API that the emitted code is written from: every definition's schema
 * expression in dependency order, and every operation with its parameters, body, answer, error
 * statuses and the version that introduced it.
 */
import {
  durationSeconds,
  extraFields,
  extraParams,
  fieldPresence,
  fieldTypes,
  groupOf,
  hiddenParams,
  optionRenames,
  optionTypes,
  platformParams,
  responseOverrides,
  sinceOverrides,
  streamingOperations,
  voidResponses
} from "../generate-api.overrides.js"
import { newestVersion, type Node, type Specification } from "./read.js"
import { camel, doc, firstParagraph, quoteKey, refName } from "./text.js"

export interface Param {
  readonly name: string
  readonly option: string
  readonly in: "path" | "query" | "header" | "body"
  readonly required: boolean
  readonly type: string
  readonly description: string | undefined
  readonly since: string | undefined
}

export interface Operation {
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

export const errorClass: Record<number, string> = {
  304: "NotModified",
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  409: "Conflict",
  500: "ServerError",
  503: "ServiceUnavailable"
}

export interface ApiModel {
  readonly spec: Node
  /** Every schema to emit, definitions first in dependency order, then the inline bodies. */
  readonly schemas: ReadonlyArray<
    { readonly name: string; readonly expr: string; readonly description: string | undefined }
  >
  /** The operations that answer with a value: generated whole. */
  readonly operations: ReadonlyArray<Operation>
  /** The streaming operations: their options and requests are generated, their answers handled by hand. */
  readonly streamingOps: ReadonlyArray<Operation>
  /** Newer than 1.41 without a CHANGELOG version (assumed 1.42). */
  readonly unknownSince: ReadonlyArray<string>
}

const compareVersions = (a: string, b: string) => {
  const [am, an] = a.split(".").map(Number)
  const [bm, bn] = b.split(".").map(Number)
  return am! !== bm! ? am! - bm! : an! - bn!
}

export const model = ({ changelog, oldest, spec }: Specification): ApiModel => {
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

  const mentions = (bullet: string, method: string, path: string) =>
    bullet.includes(`\`${method} ${path}`) || bullet.includes(`${method} ${path}\``)

  /** The first version whose CHANGELOG mentions the operation (and the parameter, when given). */
  const sinceFromChangelog = (method: string, path: string, param?: string): string | undefined =>
    changelogSections.find(({ bullets }) =>
      bullets.some((bullet) =>
        mentions(bullet, method, path) && (param === undefined || bullet.includes(`\`${param}\``))
      )
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

  /** Merges `allOf` parts into one object node (the generator never emits a class extending itself). */
  const flatten = (node: Node, defs: Record<string, Node> = definitions): Node => {
    if (!node.allOf) return node
    const merged: Node = { type: "object", properties: {}, required: [] as Array<string> }
    for (const part of node.allOf as Array<Node>) {
      const resolved = flatten(part.$ref ? defs[refName(part.$ref)]! : part, defs)
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

  // Which version has which field: the newest specification against 1.41's, dated by the CHANGELOG.
  const oldDefinitions: Record<string, Node> = oldest.definitions
  const resolveOld = (node: Node | undefined): Node | undefined =>
    node?.$ref ? resolveOld(oldDefinitions[refName(node.$ref)]) : node && flatten(node, oldDefinitions)
  /** 1.41's node at a schema path (`Definition.Field[]{}...`), where 1.41 has it. */
  const oldNodeAt = (path: string): Node | undefined => {
    const [name, ...steps] = path.split(/(?=[.[{])/)
    let node = resolveOld(oldDefinitions[name!])
    for (const step of steps) {
      if (step === "[]") node = resolveOld(node?.items)
      else if (step === "{}") {
        node = resolveOld(typeof node?.additionalProperties === "object" ? node.additionalProperties : undefined)
      } else node = resolveOld(node?.properties?.[step.slice(1)])
    }
    return node
  }
  /** The oldest CHANGELOG section (after 1.41) whose bullets name the field, and say what `words` say. */
  const changelogNaming = (key: string, words?: RegExp) => {
    const named = new RegExp(`\`(?:[\\w.]+\\.)?${key}\``)
    return changelogSections.find(({ bullets }) =>
      bullets.some((bullet) => named.test(bullet) && (words === undefined || words.test(bullet)))
    )?.version
  }
  /** The version note of a field that 1.41's specification lacks. */
  const newerNote = (key: string) => {
    const since = changelogNaming(key)
    return since === undefined ? "Newer than API 1.41." : `Since API ${since}.`
  }
  /** The version note of a field that only 1.41's specification has. */
  const olderNote = (key: string) => {
    const gone = changelogNaming(key, /remov|deprecat|no longer|omit/i)
    return `Sent by older engines (API 1.41 has it)${
      gone === undefined ? "" : `; deprecated or removed by the CHANGELOG of API ${gone}`
    }; not in the newest specification, so a newer engine may leave it out.`
  }
  /** A 1.41 node with each reference to a definition the newest specification dropped written out. */
  const inlineDropped = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(inlineDropped)
    if (node === null || typeof node !== "object") return node
    const ref = (node as Node).$ref
    if (typeof ref === "string" && definitions[refName(ref)] === undefined) {
      return inlineDropped(oldDefinitions[refName(ref)])
    }
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, inlineDropped(value)]))
  }
  /** The fields a definition had in 1.41 itself (not from its `allOf` references) that it has lost. */
  const droppedFields = (path: string, node: Node, old: Node | undefined): Array<[string, Node]> => {
    if (old === undefined) return []
    const original = path.includes(".") || path.includes("[") ? undefined : oldDefinitions[path]
    const fromParents = new Set<string>(
      (original?.allOf ?? []).filter((part: Node) => part.$ref).flatMap((part: Node) =>
        Object.keys(resolveOld(part)?.properties ?? {})
      )
    )
    return Object.entries<Node>(old.properties ?? {}).filter(([key]) =>
      !fromParents.has(key) && node.properties?.[key] === undefined && extraFields[path]?.[key] === undefined
    )
  }

  const withNote = (text: string | undefined, note: string | undefined) =>
    note === undefined ? text : text === undefined || text.trim() === "" ? note : `${text.trim()}\n\n${note}`

  /** The schema expression of a node; `path` names it (`Definition.Property`). */
  const schemaOf = (node: Node | undefined, path: string): string => {
    if (node === undefined) return "Schema.Unknown"
    if (fieldTypes[path] !== undefined) return fieldTypes[path]
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
        // A schema is built on first use, so its fields come from its builder (`Name_`).
        const spreads = spreadable.map((part: Node) => `...${refName(part.$ref)}_().fields`)
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
        const old = oldNodeAt(path)
        const fields = properties.map(([key, value]) => {
          const expr = schemaOf(value, `${path}.${key}`)
          const note = old !== undefined && old.properties?.[key] === undefined ? newerNote(key) : undefined
          const presence = fieldPresence[`${path}.${key}`] ?? (required.has(key) ? "required" : "optional")
          const field = presence === "optional"
            ? `optional(${expr})`
            : emptyOf(value) !== undefined
            // Engines send `null` (or nothing) for an empty list or map: decode it as the empty one.
            ? `requiredCollection(${expr}, () => ${emptyOf(value)})`
            : expr
          return `${doc(withNote(firstParagraph(value.description), note), "  ")}  ${quoteKey(key)}: ${field}`
        })
        for (const [key, value] of droppedFields(path, node, old)) {
          const expr = schemaOf(inlineDropped(value) as Node, `${path}.${key}`)
          fields.push(
            `${doc(withNote(firstParagraph(value.description), olderNote(key)), "  ")}  ${
              quoteKey(key)
            }: optional(${expr})`
          )
        }
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
            : platformParams.has(`${id}.${p.name}`)
            ? p.type === "array" ? "ReadonlyArray<Operation.Platform>" : "Operation.Platform"
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
  return {
    spec,
    schemas: [
      ...order.map((name) => ({
        name,
        expr: schemaOf(definitions[name], name),
        description: definitions[name]!.description
      })),
      ...extraSchemas
    ],
    operations,
    streamingOps,
    unknownSince: unknownSince.sort()
  }
}
