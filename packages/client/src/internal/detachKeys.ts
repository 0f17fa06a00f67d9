/**
 * The detach sequence of an attach (`ctrl-p,ctrl-q` unless set), watched for in what is written
 * to stdin: after it, the engine ends the session while the container goes on.
 */

const encoder = new TextEncoder()

/** The bytes of a `detachKeys` setting, as the engine reads it (`ctrl-<x>` or one character per key). */
export const bytes = (keys: string): Uint8Array =>
  Uint8Array.from(
    keys.split(",").map((key) => {
      const ctrl = /^ctrl-(.)$/.exec(key)
      if (ctrl === null) return encoder.encode(key)[0] ?? 0
      const code = ctrl[1]!.toLowerCase().charCodeAt(0)
      // ctrl-a is 1 ... ctrl-z is 26; ctrl-@ 0, ctrl-[ 27, ctrl-\ 28, ctrl-] 29, ctrl-^ 30, ctrl-_ 31.
      return code >= 97 && code <= 122 ? code - 96 : code - 64
    })
  )

/** Watches written data for the sequence; `seen` once it went by whole. */
export const matcher = (keys: string | undefined) => {
  const sequence = bytes(keys === undefined || keys === "" ? "ctrl-p,ctrl-q" : keys)
  let matched = 0
  const state = {
    seen: false,
    feed: (data: string | Uint8Array) => {
      const input = typeof data === "string" ? encoder.encode(data) : data
      for (const byte of input) {
        matched = byte === sequence[matched] ? matched + 1 : byte === sequence[0] ? 1 : 0
        if (matched === sequence.length) {
          state.seen = true
          matched = 0
        }
      }
    }
  }
  return state
}
