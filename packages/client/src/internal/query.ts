/** Query strings as the engine reads them: lists repeat the key, filters are JSON. */
/** A query parameter's value (the engine core's `QueryValue`). */
type QueryValue =
  | string
  | number
  | boolean
  | ReadonlyArray<string>
  | { readonly [key: string]: ReadonlyArray<string> }
  | undefined

/** A query parameter that cannot be sent: its name. */
interface InvalidQuery {
  readonly invalid: string
}

export const encodeQuery = (query: Readonly<Record<string, QueryValue>> | undefined): string | InvalidQuery => {
  if (query === undefined) return ""
  let out = ""
  for (const key in query) {
    const value = query[key]
    if (value === undefined) continue
    const add = (v: string) => {
      out += (out === "" ? "" : "&") + encodeURIComponent(key) + "=" + encodeURIComponent(v)
    }
    if (typeof value === "string") add(value)
    else if (typeof value === "number") {
      // NaN and Infinity would be sent as words the engine reads as zero or refuses.
      if (!Number.isFinite(value)) return { invalid: key }
      add(String(value))
    } else if (typeof value === "boolean") add(String(value))
    else if (Array.isArray(value)) { for (const v of value) add(v) }
    else add(JSON.stringify(value))
  }
  return out
}
