/**
 * Logs of containers, services and tasks: their requests generated from the specification,
 * demultiplexed unless the source has a TTY.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { bodyStream, type DockerEngine, type EngineError, type EngineRequest } from "./DockerEngine.js"
import type { DockerStreamError } from "./DockerError.js"
import type * as Requests from "./generated/Requests.js"
import * as Multiplexed from "./Multiplexed.js"

/**
 * The options of a container's logs read to their end: every query parameter of the engine's
 * `ContainerLogs` but `follow`. `stdout` and `stderr` default to `true` here (the engine's
 * default is neither).
 *
 * @since 0.1.0
 * @category models
 */
export type LogsOptions = Omit<Requests.ContainerLogsOptions, "follow">

/**
 * The options of a container's logs as a stream: every query parameter of `ContainerLogs`.
 *
 * @since 0.1.0
 * @category models
 */
export type LogStreamOptions = Requests.ContainerLogsOptions

/**
 * What every logs endpoint reads.
 *
 * @since 0.2.0
 * @category models
 */
export interface CommonOptions {
  readonly follow?: boolean | undefined
  readonly stdout?: boolean | undefined
  readonly stderr?: boolean | undefined
}

/**
 * The frames of a logs request; `tty` says whether the source writes raw (TTY) output.
 *
 * @example
 * ```ts
 * import { DockerEngine, Logs, Requests } from "@effect-docker/client"
 *
 * const frames = (engine: DockerEngine.DockerEngine["Type"], id: string) =>
 *   Logs.frames(engine, Requests.ContainerLogs(id, { stdout: true, tail: 10 }), false)
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const frames = (engine: DockerEngine["Type"], request: EngineRequest, tty: boolean) => {
  const bytes = bodyStream(engine, request)
  return tty ? Multiplexed.raw(bytes) : Multiplexed.demux(bytes, engine.limits.frameBytes)
}

/**
 * Reading the logs of one kind of thing: `logs` (to the end, as text) and `logStream` (frames).
 *
 * @since 0.1.0
 * @category models
 */
export interface Readable<E, Options extends CommonOptions = LogStreamOptions> {
  /** The logs written so far, as text per stream. */
  readonly logs: (id: string, options?: Omit<Options, "follow">) => Effect.Effect<Multiplexed.Output, E>
  /**
   * The logs as frames tagged `stdout` / `stderr` (a TTY source's output is all `stdout`, known
   * from its configuration). With `follow`, the stream goes on while the source runs, with no
   * idle timeout; interrupting it closes the connection.
   */
  readonly logStream: (id: string, options?: Options) => Stream.Stream<Multiplexed.Frame, E>
}

/**
 * `logs` and `logStream` for a kind of thing: `inspect` tells its canonical id and whether it
 * has a TTY, `request` is its generated logs request.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { DockerEngine, Logs, Requests } from "@effect-docker/client"
 *
 * const readable = (engine: DockerEngine.DockerEngine["Type"]) =>
 *   Logs.readable(
 *     engine,
 *     (id: string) => Effect.succeed({ id }),
 *     (info) => ({ id: info.id, tty: false }),
 *     Requests.ContainerLogs
 *   )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const readable = <I, E, Options extends CommonOptions>(
  engine: DockerEngine["Type"],
  inspect: (id: string) => Effect.Effect<I, E>,
  describe: (info: I) => { readonly id: string; readonly tty: boolean },
  request: (id: string, options: Options) => EngineRequest
): Readable<E | EngineError | DockerStreamError, Options> => {
  const logStream = (id: string, options: Options = {} as Options) =>
    Stream.unwrap(Effect.map(inspect(id), (info) => {
      const { id: canonical, tty } = describe(info)
      return frames(
        engine,
        request(canonical, { ...options, stdout: options.stdout ?? true, stderr: options.stderr ?? true }),
        tty
      )
    }))
  return {
    logStream,
    logs: (id, options = {} as Omit<Options, "follow">) => Multiplexed.collectText(logStream(id, options as Options))
  }
}
