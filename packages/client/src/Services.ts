/**
 * Swarm services: `docker.services.*`, with their logs.
 *
 * @since 0.1.0
 */
import type { DockerEngine, EngineError } from "./DockerEngine.js"
import type { DockerDecodeError, DockerStreamError } from "./DockerError.js"
import * as EnginePath from "./EnginePath.js"
import * as Groups from "./generated/Groups.js"
import * as Logs from "./Logs.js"

/**
 * `docker.services`: the generated operations, plus logs (the engine needs the json-file or
 * journald log driver).
 *
 * @since 0.1.0
 */
export interface Services extends Groups.Services, Logs.Readable<EngineError | DockerDecodeError | DockerStreamError> {}

/**
 * @since 0.1.0
 */
export const make = (engine: DockerEngine["Type"]): Services => {
  const generated = Groups.services(engine)
  return {
    ...generated,
    ...Logs.readable(
      engine,
      "service",
      generated.inspect,
      (info) => ({ id: info.ID, tty: info.Spec?.TaskTemplate?.ContainerSpec?.TTY === true }),
      (id) => EnginePath.make`/services/${id}/logs`
    )
  }
}
