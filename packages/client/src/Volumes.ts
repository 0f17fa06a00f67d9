/**
 * Volume operations: `docker.volumes.*`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as ApiVersion from "./ApiVersion.js"
import type { DockerEngine } from "./DockerEngine.js"
import * as Groups from "./generated/Groups.js"
import type { VolumeCreateError, VolumePruneError, VolumePruneOptions } from "./generated/Operations.js"
import type { Volume, VolumeCreateRequest, VolumePruneResponse } from "./generated/Schemas.js"
import * as Release from "./Release.js"

/**
 * `docker.volumes`: the generated operations, plus {@link Volumes.scoped}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Volumes extends Omit<Groups.Volumes, "prune"> {
  /**
   * Removes unused volumes. Since API 1.42 the engine removes only anonymous volumes unless asked;
   * `all: true` removes named ones too, on every engine (API 1.41 removes all of them anyway and
   * knows no `all` filter, so none is sent there).
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { Docker } from "@effect-docker/client"
   *
   * const program = Effect.flatMap(Docker.Docker, (docker) =>
   *   docker.volumes.prune({ all: true, filters: { label: ["app=demo"] } }))
   * ```
   */
  readonly prune: (
    options?: VolumePruneOptions & { readonly all?: boolean | undefined }
  ) => Effect.Effect<VolumePruneResponse, VolumePruneError>
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
    prune: ({ all, ...options } = {}) =>
      all === true
        ? Effect.matchEffect(engine.apiVersion, {
          // Where the version cannot be had, the operation itself fails with the reason, typed.
          onFailure: () => generated.prune(options),
          onSuccess: (version) =>
            generated.prune(
              ApiVersion.compare(version, "1.42") >= 0
                ? { ...options, filters: { ...options.filters, all: ["true"] } }
                : options
            )
        })
        : generated.prune(options),
    scoped: (body = {}, options = {}) =>
      Release.removedWithScope("volume", generated.create(body), ({ Name }) => Name, generated.remove, {
        onReleaseError: options.onReleaseError,
        tracing: engine.tracing
      })
  }
}
