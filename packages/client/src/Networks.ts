/**
 * Network operations: `docker.networks.*`.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { DockerEngine } from "./DockerEngine.js"
import * as Groups from "./generated/Groups.js"
import type { NetworkCreateError } from "./generated/Operations.js"
import type { NetworkCreateBody, NetworkCreateResponse } from "./generated/Schemas.js"
import * as Release from "./Release.js"

/**
 * `docker.networks`: the generated operations, plus {@link Networks.scoped}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Networks extends Groups.Networks {
  /**
   * A network that lives as long as the scope: created now, removed when the scope closes (after
   * what was acquired later in the same scope, such as its containers, is released). A failed
   * removal (a container from elsewhere still attached) goes to `onReleaseError`.
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { Docker } from "@effect-docker/client"
   *
   * const program = Effect.scoped(Effect.gen(function*() {
   *   const docker = yield* Docker.Docker
   *   const network = yield* docker.networks.scoped({ Name: "app-net", Labels: { app: "demo" } })
   *   yield* docker.containers.scoped({ image: "busybox", cmd: ["sleep", "60"], network: "app-net" })
   *   return network.Id
   * }))
   * ```
   */
  readonly scoped: (
    body: NetworkCreateBody,
    options?: { readonly onReleaseError?: Release.OnReleaseError | undefined }
  ) => Effect.Effect<NetworkCreateResponse, NetworkCreateError, Scope.Scope>
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = (engine: DockerEngine["Type"]): Networks => {
  const generated = Groups.networks(engine)
  return {
    ...generated,
    scoped: (body, options = {}) =>
      Release.removedWithScope("network", generated.create(body), ({ Id }) => Id, generated.remove, {
        onReleaseError: options.onReleaseError,
        tracing: engine.tracing
      })
  }
}
