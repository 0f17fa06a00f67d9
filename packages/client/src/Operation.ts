/**
 * What the generated operations share at run time.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as ApiVersion from "./ApiVersion.js"
import type { DockerEngine, EngineRequest } from "./DockerEngine.js"
import type { DockerVersionError, UnexpectedStatus } from "./DockerError.js"
import type { TransportError } from "./DockerTransport.js"

/**
 * What every operation can fail with, whatever the statuses the specification lists for it.
 *
 * @since 0.1.0
 */
export type OperationError = TransportError | DockerVersionError | UnexpectedStatus

/**
 * Header parameters: secrets stay `Redacted` until they are put on the wire; absent ones are left out.
 *
 * @since 0.1.0
 */
export const headers = (
  values: Readonly<Record<string, Redacted.Redacted<string> | undefined>>
): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const name in values) {
    const value = values[name]
    if (value !== undefined) out[name] = Redacted.value(value)
  }
  return out
}

/**
 * The newest version among the parameters that are set: what the request needs.
 *
 * @since 0.1.0
 */
export const newest = (versions: ReadonlyArray<readonly [version: string, value: unknown]>): string | undefined => {
  let needed: string | undefined
  for (const [version, value] of versions) {
    if (value !== undefined && (needed === undefined || ApiVersion.compare(version, needed) > 0)) needed = version
  }
  return needed
}

const decoder = new TextDecoder()

/**
 * Sends a request whose answer is plain text.
 *
 * @since 0.1.0
 */
export const text = (engine: DockerEngine["Type"], request: EngineRequest) =>
  Effect.map(engine.request(request), (response) => decoder.decode(response.body))
