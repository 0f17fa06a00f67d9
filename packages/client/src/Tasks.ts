/**
 * Swarm tasks: `docker.tasks.*`, with their logs.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { DockerEngine, EngineError } from "./DockerEngine.js"
import type { DockerDecodeError, DockerStreamError } from "./DockerError.js"
import * as EnginePath from "./EnginePath.js"
import * as Groups from "./generated/Groups.js"
import * as Logs from "./Logs.js"
import * as Multiplexed from "./Multiplexed.js"

/**
 * `docker.tasks`: the generated operations, plus logs.
 *
 * @since 0.1.0
 */
export interface Tasks extends Groups.Tasks {
  /** The logs written so far, as text per stream (the engine needs the json-file or journald driver). */
  readonly logs: (
    id: string,
    options?: Logs.LogsOptions
  ) => Effect.Effect<Multiplexed.Output, EngineError | DockerDecodeError | DockerStreamError>
  /** The logs as frames tagged by stream; with `follow`, until interrupted. TTY is read from the spec. */
  readonly logStream: (
    id: string,
    options?: Logs.LogStreamOptions
  ) => Stream.Stream<Multiplexed.Frame, EngineError | DockerDecodeError | DockerStreamError>
}

/**
 * @since 0.1.0
 */
export const make = (engine: DockerEngine["Type"]): Tasks => {
  const generated = Groups.tasks(engine)
  const logStream = (id: string, options: Logs.LogStreamOptions = {}) =>
    Stream.unwrap(
      Effect.map(generated.inspect(id), (info) =>
        Logs.frames(
          engine,
          EnginePath.make`/tasks/${info.ID}/logs`,
          "task",
          info.Spec?.ContainerSpec?.TTY === true,
          options
        ))
    )
  return {
    ...generated,
    logStream,
    logs: (id, options = {}) => Multiplexed.collectText(logStream(id, options))
  }
}
