/**
 * Variable interpolation as the Compose specification defines it, on every string value of a
 * file (keys are left as they are): `$VAR`, `${VAR}`, `${VAR:-default}` (unset or empty),
 * `${VAR-default}` (unset), `${VAR:?error}`, `${VAR?error}`, `${VAR:+replacement}`,
 * `${VAR+replacement}`, and `$$` for a literal `$`. Defaults may hold further interpolation.
 */

/** A variable that `:?` or `?` requires is missing: its name and the file's message. */
export class MissingVariable {
  constructor(readonly name: string, readonly message: string) {}
}

const name = /^[A-Za-z_][A-Za-z0-9_]*/

/** Interpolates one string; throws {@link MissingVariable}. */
export const interpolateString = (text: string, env: Readonly<Record<string, string | undefined>>): string => {
  let out = ""
  let at = 0
  while (at < text.length) {
    const dollar = text.indexOf("$", at)
    if (dollar < 0) return out + text.slice(at)
    out += text.slice(at, dollar)
    const next = text[dollar + 1]
    if (next === "$") {
      out += "$"
      at = dollar + 2
    } else if (next === "{") {
      // The closing brace of this expression, past the braces of nested ones.
      let depth = 1
      let end = dollar + 2
      while (end < text.length && depth > 0) {
        if (text[end] === "{") depth++
        else if (text[end] === "}") depth--
        if (depth > 0) end++
      }
      if (depth > 0) throw new SyntaxError(`an unclosed \${ in ${JSON.stringify(text)}`)
      out += expand(text.slice(dollar + 2, end), env)
      at = end + 1
    } else {
      const matched = name.exec(text.slice(dollar + 1))?.[0]
      if (matched === undefined) {
        out += "$"
        at = dollar + 1
      } else {
        out += env[matched] ?? ""
        at = dollar + 1 + matched.length
      }
    }
  }
  return out
}

const expand = (inner: string, env: Readonly<Record<string, string | undefined>>): string => {
  const variable = name.exec(inner)?.[0]
  if (variable === undefined) throw new SyntaxError(`an invalid interpolation \${${inner}}`)
  const rest = inner.slice(variable.length)
  const value = env[variable]
  if (rest === "") return value ?? ""
  const operator = /^(:?[-?+])/.exec(rest)?.[1]
  if (operator === undefined) throw new SyntaxError(`an invalid interpolation \${${inner}}`)
  const argument = () => interpolateString(rest.slice(operator.length), env)
  const missing = operator.startsWith(":") ? value === undefined || value === "" : value === undefined
  switch (operator.replace(":", "")) {
    case "-":
      return missing ? argument() : value!
    case "?":
      if (missing) throw new MissingVariable(variable, argument() || `required variable ${variable} is missing a value`)
      return value!
    default:
      return missing ? "" : argument()
  }
}

/** The path of a value in the file, for errors: `["services", "web", "ports", 0]`. */
export type Path = ReadonlyArray<string | number>

/**
 * Interpolates every string value of a parsed file; `onError` is told the path of a value that
 * could not be interpolated, and what was wrong.
 */
export const interpolate = (
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
  onError: (path: Path, error: MissingVariable | SyntaxError) => never,
  path: Path = []
): unknown => {
  if (typeof value === "string") {
    try {
      return interpolateString(value, env)
    } catch (error) {
      return onError(path, error as MissingVariable | SyntaxError)
    }
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolate(item, env, onError, [...path, index]))
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolate(item, env, onError, [...path, key])])
    )
  }
  return value
}

/** A `.env` file's variables: `KEY=value` lines, `#` comments, quoted values, `export` prefixes. */
export const parseEnvFile = (text: string): Record<string, string> => {
  const variables: Record<string, string> = {}
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === "" || line.startsWith("#")) continue
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/.exec(line)
    if (match === null) continue
    let value = match[2]!
    const quote = value[0]
    if ((quote === "\"" || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1)
      if (quote === "\"") value = value.replace(/\\n/g, "\n").replace(/\\"/g, "\"")
    } else {
      value = value.replace(/\s+#.*$/, "")
    }
    variables[match[1]!] = value
  }
  return variables
}
