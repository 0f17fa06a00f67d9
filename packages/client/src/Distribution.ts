/**
 * Registry information about an image: `docker.distribution.inspect`, with the registry's
 * credentials as for pulls.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type { DockerEngine } from "./DockerEngine.js"
import type { DockerConfigError } from "./DockerError.js"
import * as EnginePath from "./EnginePath.js"
import type { DistributionInspectError } from "./generated/Operations.js"
import * as Schemas from "./generated/Schemas.js"
import * as RegistryAuth from "./RegistryAuth.js"

/**
 * `docker.distribution`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Distribution {
  /**
   * The image's descriptor and platforms as its registry has them (`GET /distribution/{name}/json`),
   * without pulling it. Credentials: `registryAuth`, else the `RegistryCredentials` service's.
   */
  readonly inspect: (
    name: string,
    options?: { readonly registryAuth?: Redacted.Redacted<string> }
  ) => Effect.Effect<Schemas.DistributionInspect, DistributionInspectError | DockerConfigError>
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  engine: DockerEngine["Type"],
  credentials?: RegistryAuth.RegistryCredentials["Type"]
): Distribution => ({
  inspect: (name, options = {}) =>
    Effect.flatMap(
      RegistryAuth.header(credentials, name, options.registryAuth),
      (headers) =>
        engine.json(Schemas.DistributionInspect, {
          method: "GET",
          path: EnginePath.make`/distribution/${name}/json`,
          headers,
          expect: [401, 500],
          resource: "image",
          operation: "DistributionInspect"
        })
    )
})
