/**
 * Swarm secrets: `docker.secrets.*`.
 *
 * @since 0.2.0
 */
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { DockerEngine } from "./DockerEngine.js"
import * as Groups from "./generated/Groups.js"
import type { SecretCreateError } from "./generated/Operations.js"
import type { SecretCreateBody, SecretCreateResponse } from "./generated/Schemas.js"
import * as Release from "./Release.js"

/**
 * `docker.secrets`: the generated operations, plus {@link Secrets.scoped}.
 *
 * @since 0.2.0
 * @category models
 */
export interface Secrets extends Groups.Secrets {
  /**
   * A secret that lives as long as the scope: created now, removed when the scope closes, after
   * the services acquired later in the same scope (which the engine requires: a secret in use by a
   * service cannot be removed). A failed removal goes to `onReleaseError`.
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { Docker } from "@effect-docker/client"
   *
   * const program = Effect.scoped(Effect.gen(function*() {
   *   const docker = yield* Docker.Docker
   *   const secret = yield* docker.secrets.scoped({ Name: "db-password", Data: btoa("s3cret") })
   *   yield* docker.services.scoped({
   *     Name: "app",
   *     TaskTemplate: {
   *       ContainerSpec: { Image: "busybox", Args: ["sleep", "60"], Secrets: [{ SecretID: secret.Id, SecretName: "db-password" }] }
   *     }
   *   })
   * }))
   * ```
   */
  readonly scoped: (
    body: SecretCreateBody,
    options?: { readonly onReleaseError?: Release.OnReleaseError | undefined }
  ) => Effect.Effect<SecretCreateResponse, SecretCreateError, Scope.Scope>
}

/**
 * @since 0.2.0
 * @category constructors
 */
export const make = (engine: DockerEngine["Type"]): Secrets => {
  const generated = Groups.secrets(engine)
  return {
    ...generated,
    scoped: (body, options = {}) =>
      Release.removedWithScope("secret", generated.create(body), ({ Id }) => Id, generated.remove, {
        onReleaseError: options.onReleaseError,
        tracing: engine.tracing
      })
  }
}
