/**
 * `docker.session`: the engine's interactive session (`POST /session`). The connection is
 * hijacked and then carries HTTP/2 gRPC with the engine as the client: BuildKit calls back the
 * services the session announces (registry credentials, secrets, an ssh-agent, files). The
 * Node package's `BuildKitSession` serves them; this is the operation for callers who serve
 * BuildKit's protocol themselves.
 *
 * @since 0.2.0
 */
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { DockerEngine, EngineError } from "./DockerEngine.js"
import type { DockerUpgradedConnection } from "./DockerTransport.js"
import * as Requests from "./generated/Requests.js"

/**
 * What a session announces to the engine.
 *
 * @since 0.2.0
 * @category models
 */
export interface StartOptions {
  /** The session's id, which builds name as their `session`. */
  readonly id: string
  /** The gRPC methods the session serves, e.g. `/moby.buildkit.secrets.v1.Secrets/GetSecret`. */
  readonly methods: ReadonlyArray<string>
  /** Its name in the engine's logs. */
  readonly name?: string | undefined
  /** The key BuildKit keeps the session's file-sync cache under; default the id. */
  readonly sharedKey?: string | undefined
}

/**
 * @since 0.2.0
 * @category models
 */
export interface Session {
  /**
   * Starts a session: the engine answers `101 Switching Protocols` to `h2c` and the connection,
   * until the scope closes, is the engine's HTTP/2 client connection to this process.
   *
   * @example
   * ```ts
   * import { Docker } from "@effect-docker/client"
   * import { Effect } from "effect"
   *
   * const session = Effect.flatMap(Docker.Docker, (docker) =>
   *   docker.session.start({ id: "0b9f5d3e", methods: ["/grpc.health.v1.Health/Check"] }))
   * ```
   */
  readonly start: (options: StartOptions) => Effect.Effect<DockerUpgradedConnection, EngineError, Scope.Scope>
}

/**
 * `docker.session` on an engine.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (engine: DockerEngine["Type"]): Session => ({
  start: ({ id, methods, name, sharedKey }) =>
    engine.upgrade({
      ...Requests.Session(),
      // The headers the docker CLI sends; one method per header line, as the engine reads them.
      headers: {
        upgrade: "h2c",
        "x-docker-expose-session-uuid": id,
        "x-docker-expose-session-name": name ?? "effect-docker",
        "x-docker-expose-session-sharedkey": sharedKey ?? id,
        "x-docker-expose-session-grpc-method": methods
      }
    })
})
