/**
 * Commands in running containers: `docker.exec.*`, with sessions whose stdin can be written and
 * half-closed while their output streams.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import type { DockerEngine, EngineError } from "./DockerEngine.js"
import { type DockerDecodeError, DockerStreamError } from "./DockerError.js"
import * as EnginePath from "./EnginePath.js"
import * as Groups from "./generated/Groups.js"
import * as Multiplexed from "./Multiplexed.js"

/**
 * @since 0.1.0
 */
export interface SessionOptions {
  readonly cmd: ReadonlyArray<string>
  /** `["KEY=value"]`. */
  readonly env?: ReadonlyArray<string>
  readonly workingDir?: string
  readonly user?: string
  readonly privileged?: boolean
  /** A TTY: output is raw (all `stdout`), as a terminal shows it. */
  readonly tty?: boolean
  /** Attach stdin, to write to the process. */
  readonly stdin?: boolean
}

/**
 * A running exec session, alive until its scope closes.
 *
 * @since 0.1.0
 */
export interface Session extends Multiplexed.Session {
  readonly id: string
  /** The exit code, once the process has ended (read `output` to its end first). */
  readonly exitCode: Effect.Effect<number, EngineError | DockerDecodeError | DockerStreamError>
}

/**
 * What {@link Exec.run} returns.
 *
 * @since 0.1.0
 */
export interface RunResult {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * `docker.exec`: the generated operations, plus sessions.
 *
 * @since 0.1.0
 */
export interface Exec extends Groups.Exec {
  /**
   * Creates and starts an exec session over a hijacked connection, closed with the scope.
   *
   * @example
   * ```ts
   * import { Effect, Stream } from "effect"
   * import { Docker, Multiplexed } from "@effect-docker/client"
   *
   * const upper = (containerId: string) =>
   *   Effect.scoped(Effect.gen(function*() {
   *     const docker = yield* Docker.Docker
   *     const session = yield* docker.exec.session(containerId, { cmd: ["tr", "a-z", "A-Z"], stdin: true })
   *     yield* session.write("hello\n")
   *     yield* session.closeStdin
   *     const { stdout } = yield* Multiplexed.collectText(session.output)
   *     return stdout // "HELLO\n"
   *   }))
   * ```
   */
  readonly session: (
    containerId: string,
    options: SessionOptions
  ) => Effect.Effect<Session, EngineError | DockerDecodeError, Scope.Scope>
  /**
   * Runs a command to its end, with optional stdin, and returns its exit code and output (as
   * docker-py's `exec_run`).
   */
  readonly run: (
    containerId: string,
    options: Omit<SessionOptions, "stdin"> & { readonly stdin?: string | Uint8Array }
  ) => Effect.Effect<RunResult, EngineError | DockerDecodeError | DockerStreamError>
}

/**
 * @since 0.1.0
 */
export const make = (engine: DockerEngine["Type"]): Exec => {
  const generated = Groups.exec(engine)

  const session = (containerId: string, options: SessionOptions) =>
    Effect.gen(function*() {
      const tty = options.tty === true
      const { Id } = yield* generated.create(containerId, {
        Cmd: options.cmd,
        AttachStdin: options.stdin === true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: tty,
        ...(options.env !== undefined ? { Env: options.env } : {}),
        ...(options.workingDir !== undefined ? { WorkingDir: options.workingDir } : {}),
        ...(options.user !== undefined ? { User: options.user } : {}),
        ...(options.privileged !== undefined ? { Privileged: options.privileged } : {})
      })
      const connection = yield* engine.upgrade({
        method: "POST",
        path: EnginePath.make`/exec/${Id}/start`,
        json: { Detach: false, Tty: tty },
        resource: "exec",
        timeoutMillis: 0
      })
      // The engine marks the exec ended a moment after its output ends: ask until it says so.
      const exitCode = generated.inspect(Id).pipe(
        Effect.filterOrFail(
          (info) => info.Running !== true && info.ExitCode !== undefined,
          () => new DockerStreamError({ message: `exec ${Id} is still running` })
        ),
        Effect.retry({
          schedule: Schedule.spaced("20 millis"),
          times: 250,
          while: (error) => error._tag === "DockerStreamError"
        }),
        Effect.map((info) => info.ExitCode!)
      )
      return { id: Id, ...Multiplexed.session(connection, tty), exitCode } satisfies Session
    })

  const run: Exec["run"] = (containerId, { stdin, ...options }) =>
    Effect.scoped(Effect.gen(function*() {
      const started = yield* session(containerId, { ...options, stdin: stdin !== undefined })
      if (stdin !== undefined) {
        yield* started.write(stdin)
        yield* started.closeStdin
      }
      const output = yield* Multiplexed.collectText(started.output)
      return { exitCode: yield* started.exitCode, stdout: output.stdout, stderr: output.stderr }
    }))

  return { ...generated, session, run }
}
