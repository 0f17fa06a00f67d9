/**
 * Engine-wide operations: `docker.system.*`.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import { bodyStream, type DockerEngine, type EngineError } from "./DockerEngine.js"
import type { DockerDecodeError } from "./DockerError.js"
import * as EnginePath from "./EnginePath.js"
import * as Groups from "./generated/Groups.js"
import type { SystemAuthError } from "./generated/Operations.js"
import * as Requests from "./generated/Requests.js"
import { AuthResponse, EventMessage } from "./generated/Schemas.js"
import * as JsonLines from "./JsonLines.js"
import * as RegistryAuth from "./RegistryAuth.js"

/**
 * @since 0.1.0
 * @category models
 */
export type EventsOptions = Requests.SystemEventsOptions

/**
 * `docker.system`: the generated operations, plus `events`.
 *
 * @since 0.1.0
 * @category models
 */
export interface System extends Omit<Groups.System, "auth"> {
  /**
   * Checks credentials against a registry, as `docker login` does (`POST /auth`); some registries
   * answer with an identity token to use instead of the password. The password stays
   * `Redacted` until the request is written, and appears in no error.
   *
   * @example
   * ```ts
   * import { Effect, Redacted } from "effect"
   * import { Docker } from "@effect-docker/client"
   *
   * const login = Effect.flatMap(Docker.Docker, (docker) =>
   *   docker.system.auth({ serverAddress: "registry.example:5000", username: "ci", password: Redacted.make("s3cret") })
   * ) // { Status: "Login Succeeded" }
   * ```
   */
  readonly auth: (auth: RegistryAuth.AuthConfig) => Effect.Effect<AuthResponse, SystemAuthError>
  /**
   * The engine's events as they happen (and those since `since`), decoded. Without `until` the
   * stream has no end and no idle timeout: interrupt it, or take what you need.
   *
   * @example
   * ```ts
   * import { Effect, Stream } from "effect"
   * import { Docker } from "@effect-docker/client"
   *
   * const nextDeath = Effect.flatMap(Docker.Docker, (docker) =>
   *   docker.system.events({ filters: { type: ["container"], event: ["die"] } }).pipe(Stream.runHead)
   * )
   * ```
   */
  readonly events: (options?: EventsOptions) => Stream.Stream<EventMessage, EngineError | DockerDecodeError>
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = (engine: DockerEngine["Type"]): System => {
  const decodeEvents = JsonLines.decode(EventMessage, "an event", {
    operation: "SystemEvents",
    maxLineBytes: engine.limits.lineBytes
  })
  return {
    ...Groups.system(engine),
    auth: (auth) =>
      engine.json(AuthResponse, {
        method: "POST",
        path: EnginePath.make`/auth`,
        json: RegistryAuth.toJson(auth),
        expect: [401, 500],
        operation: "SystemAuth"
      }),
    // Engines that negotiate (API 1.52+) are asked for newline-delimited JSON; the decoder reads
    // json-seq too, and older engines send lines as `application/json` whatever is asked.
    events: (options = {}) =>
      decodeEvents(
        bodyStream(engine, { ...Requests.SystemEvents(options), headers: { accept: "application/x-ndjson" } })
      )
  }
}
