/**
 * Swarm configs: `docker.configs.*`.
 *
 * @since 0.2.0
 */
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { DockerEngine } from "./DockerEngine.js"
import * as Groups from "./generated/Groups.js"
import type { ConfigCreateError } from "./generated/Operations.js"
import type { ConfigCreateBody, ConfigCreateResponse } from "./generated/Schemas.js"
import * as Release from "./Release.js"

/**
 * `docker.configs`: the generated operations, plus {@link Configs.scoped}.
 *
 * @since 0.2.0
 * @category models
 */
export interface Configs extends Groups.Configs {
  /**
   * A config that lives as long as the scope: created now, removed when the scope closes, after
   * the services acquired later in the same scope (which the engine requires: a config in use by a
   * service cannot be removed). A failed removal goes to `onReleaseError`.
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { Docker } from "@effect-docker/client"
   *
   * const program = Effect.scoped(Effect.gen(function*() {
   *   const docker = yield* Docker.Docker
   *   const config = yield* docker.configs.scoped({ Name: "app-config", Data: btoa("level=debug") })
   *   yield* docker.services.scoped({
   *     Name: "app",
   *     TaskTemplate: {
   *       ContainerSpec: { Image: "busybox", Args: ["sleep", "60"], Configs: [{ ConfigID: config.Id, ConfigName: "app-config" }] }
   *     }
   *   })
   * }))
   * ```
   */
  readonly scoped: (
    body: ConfigCreateBody,
    options?: { readonly onReleaseError?: Release.OnReleaseError | undefined }
  ) => Effect.Effect<ConfigCreateResponse, ConfigCreateError, Scope.Scope>
}

/**
 * @since 0.2.0
 * @category constructors
 */
export const make = (engine: DockerEngine["Type"]): Configs => {
  const generated = Groups.configs(engine)
  return {
    ...generated,
    scoped: (body, options = {}) =>
      Release.removedWithScope("config", generated.create(body), ({ Id }) => Id, generated.remove, {
        onReleaseError: options.onReleaseError,
        tracing: engine.tracing
      })
  }
}
