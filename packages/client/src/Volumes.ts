/**
 * Volume operations: `docker.volumes.*`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { DockerEngine } from "./DockerEngine.js"
import * as Groups from "./generated/Groups.js"
import type { VolumeCreateError } from "./generated/Operations.js"
import type { Volume, VolumeCreateRequest } from "./generated/Schemas.js"
import * as Release from "./Release.js"

/**
 * `docker.volumes`: the generated operations, plus {@link Volumes.scoped}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Volumes extends Groups.Volumes {
  /**
   * A volume that lives as long as the scope: created now, removed with its data when the scope
   * closes (after the containers acquired later in the same scope are removed). A failed removal
   * (a container from elsewhere still using it) goes to `onReleaseError`.
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { Docker } from "@effect-docker/client"
   *
   * const program = Effect.scoped(Effect.gen(function*() {
   *   const docker = yield* Docker.Docker
   *   const data = yield* docker.volumes.scoped({ Labels: { app: "demo" } })
   *   return yield* docker.containers.run({ image: "busybox", cmd: ["ls", "/data"], volumes: [`${data.Name}:/data`] })
   * }))
   * ```
   */
  readonly scoped: (
    body?: VolumeCreateRequest,
    options?: { readonly onReleaseError?: Release.OnReleaseError | undefined }
  ) => Effect.Effect<Volume, VolumeCreateError, Scope.Scope>
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = (engine: DockerEngine["Type"]): Volumes => {
  const generated = Groups.volumes(engine)
  return {
    ...generated,
    scoped: (body = {}, options = {}) =>
      Effect.acquireRelease(
        generated.create(body),
        ({ Name }) =>
          Release.step(
            "volume",
            Name,
            "remove",
            generated.remove(Name),
            options.onReleaseError ?? Release.logReleaseError
          )
      )
  }
}
