/**
 * Engine paths with parameters that stay one path segment each, whatever they contain.
 *
 * @since 0.1.0
 */

/**
 * An unversioned, percent-encoded path, or the reason it cannot be sent.
 *
 * @since 0.1.0
 * @category models
 */
export interface EnginePath {
  readonly encoded: string
  /** Set when a parameter cannot reach the engine as itself; the engine is then not asked. */
  readonly invalid: string | undefined
  /**
   * The path with each parameter as the specification names it (`/containers/{id}/json`), for
   * spans and logs that group requests by route. A path made by hand without it is reported by
   * its encoded form.
   */
  readonly template?: string | undefined
  /** The parameters, unencoded, in order. */
  readonly values?: ReadonlyArray<string> | undefined
}

// Each parameter's name in the specification's paths: `{name}` after `images`, `volumes`,
// `plugins` and `distribution` (which take names), `{id}` everywhere else.
const namedSegments: ReadonlySet<string> = new Set(["images", "volumes", "plugins", "distribution"])

/** A call site's strings are one frozen array, so each template is worked out once. */
const templates = new WeakMap<TemplateStringsArray, string>()

const templateOf = (strings: TemplateStringsArray): string => {
  let template = templates.get(strings)
  if (template === undefined) {
    template = strings[0]!
    for (let i = 1; i < strings.length; i++) {
      const segment = /([^/]+)\/$/.exec(template)?.[1]
      template += `{${segment !== undefined && namedSegments.has(segment) ? "name" : "id"}}${strings[i]!}`
    }
    templates.set(strings, template)
  }
  return template
}

// The engine's router decodes `%2F` and then cleans the path, so a parameter with an empty, `.`
// or `..` part between slashes would be redirected to another route. Such a value names nothing
// the engine can hold (image references may contain `/`, never those parts), so refuse it here.
const invalidReason = (value: string): string | undefined =>
  value.split("/").some((part) => part === "" || part === "." || part === "..")
    ? `${JSON.stringify(value)} is not a valid id or name: it is empty or has an empty, "." or ".." part`
    : undefined

/**
 * Builds an {@link EnginePath}: every interpolated value is encoded as exactly one segment.
 *
 * @example
 * ```ts
 * import { EnginePath } from "@effect-docker/client"
 *
 * EnginePath.make`/containers/${"a?b#c"}/json`.encoded // "/containers/a%3Fb%23c/json"
 * EnginePath.make`/containers/${"a?b#c"}/json`.template // "/containers/{id}/json"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (strings: TemplateStringsArray, ...values: ReadonlyArray<string>): EnginePath => {
  let encoded = strings[0]!
  let invalid: string | undefined
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!
    invalid ??= invalidReason(value)
    encoded += encodeURIComponent(value) + strings[i + 1]!
  }
  return { encoded, invalid, template: templateOf(strings), values }
}
