/**
 * Engine-wide operations: `docker.system.*`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type { DockerEngine, EngineError } from "./DockerEngine.js"
import type { DockerDecodeError } from "./DockerError.js"
import * as EnginePath from "./EnginePath.js"
import { SystemInfo, SystemVersion } from "./Schemas.js"

/**
 * `docker.system`.
 *
 * @since 0.1.0
 */
export interface System {
  /** Checks that the engine answers (`GET /_ping`); succeeds with its body, `"OK"`. */
  readonly ping: () => Effect.Effect<string, EngineError>
  /** The engine's version report (`GET /version`). */
  readonly version: () => Effect.Effect<SystemVersion, EngineError | DockerDecodeError>
  /** System-wide information (`GET /info`). */
  readonly info: () => Effect.Effect<SystemInfo, EngineError | DockerDecodeError>
}

const decoder = new TextDecoder()

/**
 * @since 0.1.0
 */
export const make = (engine: DockerEngine["Type"]): System => ({
  ping: () =>
    Effect.map(
      engine.request({ method: "GET", path: EnginePath.make`/_ping` }),
      (response) => decoder.decode(response.body)
    ),
  version: () => engine.json("SystemVersion", SystemVersion, { method: "GET", path: EnginePath.make`/version` }),
  info: () => engine.json("SystemInfo", SystemInfo, { method: "GET", path: EnginePath.make`/info` })
})
