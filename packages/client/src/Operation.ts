/**
 * What the generated operations share at run time.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as ApiVersion from "./ApiVersion.js"
import type { DockerEngine, EngineRequest } from "./DockerEngine.js"
import type { DockerInputError, DockerVersionError, UnexpectedStatus } from "./DockerError.js"
import type { TransportError } from "./DockerTransport.js"
import * as DurationInput from "./internal/duration.js"

/**
 * What every operation can fail with, whatever the statuses the specification lists for it.
 *
 * @since 0.1.0
 * @category errors
 */
export type OperationError = TransportError | DockerVersionError | DockerInputError | UnexpectedStatus

/**
 * Header parameters: secrets stay `Redacted` until they are put on the wire; absent ones are left out.
 *
 * @since 0.1.0
 * @category combinators
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
 * @category combinators
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
 * @category combinators
 */
export const text = <const Expect extends ReadonlyArray<number> | undefined = undefined>(
  engine: DockerEngine["Type"],
  request: EngineRequest<Expect>
) => Effect.map(engine.request(request), (response) => decoder.decode(response.body))

/**
 * A duration option as the engine's whole seconds, rounded up; an infinite one is the engine's
 * `-1` (no limit). One that is not a duration (`NaN`, negative) is `NaN`, which the engine core
 * refuses with `DockerInputError` before sending.
 *
 * @example
 * ```ts
 * import { Operation } from "@effect-docker/client"
 *
 * Operation.seconds("1500 millis") // 2
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const seconds = (input: Duration.DurationInput | undefined): number | undefined =>
  input === undefined ? undefined : Either.match(DurationInput.toMillis(input), {
    onLeft: () => Number.NaN,
    onRight: (millis) => millis === Infinity ? -1 : Math.ceil(millis / 1000)
  })

/**
 * How long the engine waits before it answers, given a grace-period option (a stop's
 * `timeout`): the option, else the engine's default. Infinite when the option is.
 *
 * @example
 * ```ts
 * import { Operation } from "@effect-docker/client"
 *
 * Operation.graceMillis(undefined, 10_000) // 10000
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const graceMillis = (input: Duration.DurationInput | undefined, engineDefaultMillis: number): number => {
  const wait = seconds(input ?? engineDefaultMillis)!
  return wait === -1 ? Infinity : Number.isNaN(wait) ? 0 : wait * 1000
}

/**
 * A parameter the engine reads as JSON (a build's `buildargs`, `labels`, `cachefrom`), encoded;
 * absent stays absent.
 *
 * @example
 * ```ts
 * import { Operation } from "@effect-docker/client"
 *
 * Operation.json({ VERSION: "1" }) // '{"VERSION":"1"}'
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const json = (value: unknown): string | undefined => value === undefined ? undefined : JSON.stringify(value)

/**
 * An OCI platform as the docker CLI takes it (`linux/arm64/v8`: os, architecture and variant), or
 * as the engine's `OCIPlatform` object.
 *
 * @since 0.2.0
 * @category models
 */
export type Platform = string | {
  readonly os?: string | undefined
  readonly architecture?: string | undefined
  readonly variant?: string | undefined
  readonly "os.version"?: string | undefined
  readonly "os.features"?: ReadonlyArray<string> | undefined
}

const platformJson = (platform: Platform) => {
  if (typeof platform !== "string") return JSON.stringify(platform)
  const [os, architecture, variant] = platform.split("/")
  return JSON.stringify({ os, architecture, ...(variant === undefined ? {} : { variant }) })
}

/**
 * A platform parameter the engine reads as a JSON-encoded OCI platform (push, save, load, inspect,
 * history), or a list of them, encoded; absent stays absent.
 *
 * @example
 * ```ts
 * import { Operation } from "@effect-docker/client"
 *
 * Operation.platform("linux/arm64/v8") // '{"os":"linux","architecture":"arm64","variant":"v8"}'
 * Operation.platform(["linux/amd64"]) // ['{"os":"linux","architecture":"amd64"}']
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const platform: {
  (value: Platform | undefined): string | undefined
  (value: ReadonlyArray<Platform> | undefined): ReadonlyArray<string> | undefined
} = ((value: Platform | ReadonlyArray<Platform> | undefined) =>
  value === undefined
    ? undefined
    : Array.isArray(value)
    ? value.map(platformJson)
    : platformJson(value as Platform)) as never
