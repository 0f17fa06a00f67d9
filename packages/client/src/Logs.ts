/**
 * Logs of containers, services and tasks: one request shape, demultiplexed unless the source has
 * a TTY.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { bodyStream, type DockerEngine, type EngineError } from "./DockerEngine.js"
import type { DockerStreamError, ResourceKind } from "./DockerError.js"
import type { EnginePath } from "./EnginePath.js"
import * as Multiplexed from "./Multiplexed.js"

/**
 * @since 0.1.0
 */
export interface LogsOptions {
  readonly stdout?: boolean
  readonly stderr?: boolean
  /** Unix time in seconds: only logs since then. */
  readonly since?: number
  /** Unix time in seconds: only logs before then (containers). */
  readonly until?: number
  readonly timestamps?: boolean
  /** Only this many lines from the end. */
  readonly tail?: number
}

/**
 * @since 0.1.0
 */
export interface LogStreamOptions extends LogsOptions {
  /** Keep the stream open and pass on what is written until the source stops. */
  readonly follow?: boolean
}

/**
 * The frames of a logs endpoint; `tty` says whether the source writes raw (TTY) output.
 *
 * @since 0.1.0
 */
export const frames = (
  engine: DockerEngine["Type"],
  path: EnginePath,
  resource: ResourceKind,
  tty: boolean,
  options: LogStreamOptions
) => {
  const bytes = bodyStream(engine, {
    method: "GET",
    path,
    query: {
      follow: options.follow,
      stdout: options.stdout ?? true,
      stderr: options.stderr ?? true,
      since: options.since,
      until: options.until,
      timestamps: options.timestamps,
      tail: options.tail
    },
    resource
  })
  return tty ? Multiplexed.raw(bytes) : Multiplexed.demux(bytes, engine.limits.frameBytes)
}

/**
 * Reading the logs of one kind of thing: `logs` (to the end, as text) and `logStream` (frames).
 *
 * @since 0.1.0
 */
export interface Readable<E> {
  /** The logs written so far, as text per stream. */
  readonly logs: (id: string, options?: LogsOptions) => Effect.Effect<Multiplexed.Output, E>
  /**
   * The logs as frames tagged `stdout` / `stderr` (a TTY source's output is all `stdout`, known
   * from its configuration). With `follow`, the stream goes on while the source runs, with no
   * idle timeout; interrupting it closes the connection.
   */
  readonly logStream: (id: string, options?: LogStreamOptions) => Stream.Stream<Multiplexed.Frame, E>
}

/**
 * `logs` and `logStream` for a kind of thing: `inspect` tells its canonical id and whether it
 * has a TTY, `path` where its logs are.
 *
 * @since 0.1.0
 */
export const readable = <I, E>(
  engine: DockerEngine["Type"],
  resource: ResourceKind,
  inspect: (id: string) => Effect.Effect<I, E>,
  describe: (info: I) => { readonly id: string; readonly tty: boolean },
  path: (id: string) => EnginePath
): Readable<E | EngineError | DockerStreamError> => {
  const logStream = (id: string, options: LogStreamOptions = {}) =>
    Stream.unwrap(Effect.map(inspect(id), (info) => {
      const { id: canonical, tty } = describe(info)
      return frames(engine, path(canonical), resource, tty, options)
    }))
  return { logStream, logs: (id, options = {}) => Multiplexed.collectText(logStream(id, options)) }
}
