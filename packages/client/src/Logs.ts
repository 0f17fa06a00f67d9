/**
 * Logs of containers, services and tasks: one request shape, demultiplexed unless the source has
 * a TTY.
 *
 * @since 0.1.0
 */
import { bodyStream, type DockerEngine } from "./DockerEngine.js"
import type { ResourceKind } from "./DockerError.js"
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
  return tty ? Multiplexed.raw(bytes) : Multiplexed.demux(bytes)
}
