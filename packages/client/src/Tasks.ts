/**
 * Swarm tasks: `docker.tasks.*`, with their logs.
 *
 * @since 0.1.0
 */
import type { DockerEngine, EngineError } from "./DockerEngine.js"
import type { DockerDecodeError, DockerStreamError } from "./DockerError.js"
import * as Groups from "./generated/Groups.js"
import * as Requests from "./generated/Requests.js"
import * as Logs from "./Logs.js"

/**
 * `docker.tasks`: the generated operations, plus logs (the engine needs the json-file or
 * journald log driver).
 *
 * @since 0.1.0
 * @category models
 */
export interface Tasks
  extends Groups.Tasks, Logs.Readable<EngineError | DockerDecodeError | DockerStreamError, Requests.TaskLogsOptions>
{}

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = (engine: DockerEngine["Type"]): Tasks => {
  const generated = Groups.tasks(engine)
  return {
    ...generated,
    ...Logs.readable(
      engine,
      generated.inspect,
      (info) => ({ id: info.ID, tty: info.Spec?.ContainerSpec?.TTY === true }),
      Requests.TaskLogs
    )
  }
}
