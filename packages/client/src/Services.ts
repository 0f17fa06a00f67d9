/**
 * Swarm services: `docker.services.*`, with their logs.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type { DockerEngine, EngineError } from "./DockerEngine.js"
import type { DockerConfigError, DockerDecodeError, DockerStreamError } from "./DockerError.js"
import * as Groups from "./generated/Groups.js"
import type * as Operations from "./generated/Operations.js"
import * as Requests from "./generated/Requests.js"
import type * as Schemas from "./generated/Schemas.js"
import * as Logs from "./Logs.js"
import * as RegistryAuth from "./RegistryAuth.js"

/**
 * `docker.services`: the generated operations, plus logs (the engine needs the json-file or
 * journald log driver).
 *
 * @since 0.1.0
 * @category models
 */
export interface Services
  extends
    Omit<Groups.Services, "create" | "update">,
    Logs.Readable<EngineError | DockerDecodeError | DockerStreamError, Requests.ServiceLogsOptions>
{
  /**
   * Creates a service (`POST /services/create`). Without `registryAuth`, the credentials for the
   * service's image come from the `RegistryCredentials` service, when provided, so that nodes can
   * pull from a private registry.
   */
  readonly create: (
    body: Schemas.ServiceCreateBody,
    options?: Operations.ServiceCreateOptions
  ) => Effect.Effect<Schemas.ServiceCreateResponse, Operations.ServiceCreateError | DockerConfigError>
  /** Updates a service (`POST /services/{id}/update`), with credentials as for {@link create}. */
  readonly update: (
    id: string,
    body: Schemas.ServiceUpdateBody,
    options: Operations.ServiceUpdateOptions
  ) => Effect.Effect<Schemas.ServiceUpdateResponse, Operations.ServiceUpdateError | DockerConfigError>
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  engine: DockerEngine["Type"],
  credentials?: RegistryAuth.RegistryCredentials["Type"]
): Services => {
  const generated = Groups.services(engine)
  const authFor = (body: Schemas.ServiceCreateBody, explicit: Operations.ServiceCreateOptions["registryAuth"]) =>
    RegistryAuth.resolve(credentials, body.TaskTemplate?.ContainerSpec?.Image, explicit)
  return {
    ...generated,
    create: (body, options = {}) =>
      Effect.flatMap(
        authFor(body, options.registryAuth),
        (registryAuth) => generated.create(body, { ...options, registryAuth })
      ),
    update: (id, body, options) =>
      Effect.flatMap(
        authFor(body, options.registryAuth),
        (registryAuth) => generated.update(id, body, { ...options, registryAuth })
      ),
    ...Logs.readable(
      engine,
      generated.inspect,
      (info) => ({ id: info.ID, tty: info.Spec?.TaskTemplate?.ContainerSpec?.TTY === true }),
      Requests.ServiceLogs
    )
  }
}
