/**
 * Commands in running containers: `docker.exec.*`, with sessions whose stdin can be written and
 * half-closed while their output streams.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import type { DockerEngine, EngineError } from "./DockerEngine.js"
import { type DockerDecodeError, DockerInputError, DockerStreamError } from "./DockerError.js"
import * as Groups from "./generated/Groups.js"
import * as Requests from "./generated/Requests.js"
import type { ExecInspectResponse } from "./generated/Schemas.js"
import { endCheck } from "./internal/sessionEnd.js"
import * as Multiplexed from "./Multiplexed.js"
import * as ContainerRunOptions from "./RunOptions.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface SessionOptions {
  /** The command: a list, or one string split as a shell splits it (docker-py's `exec_run(cmd: str)`). */
  readonly cmd: ReadonlyArray<string> | string
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
 * Options of {@link Exec.start} for an attached start.
 *
 * @since 0.2.0
 * @category models
 */
export interface StartOptions {
  /**
   * Whether the output comes raw rather than multiplexed. Defaults to the exec's own TTY
   * setting; an exec created with a TTY may be started without one (its output then comes as
   * multiplexed `stdout` frames), as docker-py's `exec_start(tty=False)`.
   */
  readonly tty?: boolean
}

/**
 * A running exec session, alive until its scope closes.
 *
 * @since 0.1.0
 * @category models
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
 * @category models
 */
export interface RunResult {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * What {@link Exec.run} returns with `demux: false`: stdout and stderr as one text, in the order
 * the process wrote them (docker-py's `exec_run(demux=False)`).
 *
 * @since 0.2.0
 * @category models
 */
export interface CombinedRunResult {
  readonly exitCode: number
  readonly output: string
}

/**
 * Options of {@link Exec.run}.
 *
 * @since 0.2.0
 * @category models
 */
export interface RunOptions extends Omit<SessionOptions, "stdin"> {
  /** Written to the process's stdin, which is then closed. */
  readonly stdin?: string | Uint8Array
  /** `false`: return stdout and stderr as one text (`output`). Default `true`. */
  readonly demux?: boolean
}

/**
 * `docker.exec`: the generated operations, plus sessions.
 *
 * @since 0.1.0
 * @category models
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
   * Starts an exec made with `create`: detached (the engine runs it and answers at once, as
   * docker-py's `exec_start(detach=True)`), or attached as a session closed with the scope.
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { Docker } from "@effect-docker/client"
   *
   * const touch = (containerId: string) =>
   *   Effect.gen(function*() {
   *     const docker = yield* Docker.Docker
   *     const { Id } = yield* docker.exec.create(containerId, { Cmd: ["touch", "/tmp/ran"] })
   *     yield* docker.exec.start(Id, { detach: true })
   *   })
   * ```
   */
  readonly start: {
    (execId: string, options: { readonly detach: true }): Effect.Effect<void, EngineError | DockerDecodeError>
    (
      execId: string,
      options?: StartOptions & { readonly detach?: false }
    ): Effect.Effect<Session, EngineError | DockerDecodeError, Scope.Scope>
  }
  /**
   * Runs a command to its end, with optional stdin, and returns its exit code and output (as
   * docker-py's `exec_run`).
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { Docker } from "@effect-docker/client"
   *
   * const both = (containerId: string) =>
   *   Effect.flatMap(Docker.Docker, (docker) =>
   *     docker.exec.run(containerId, { cmd: ["sh", "-c", "echo out; echo err >&2"], demux: false }))
   * // { exitCode: 0, output: "out\nerr\n" }
   * ```
   */
  readonly run: {
    (
      containerId: string,
      options: RunOptions & { readonly demux: false }
    ): Effect.Effect<CombinedRunResult, EngineError | DockerDecodeError | DockerStreamError>
    (
      containerId: string,
      options: RunOptions & { readonly demux?: true }
    ): Effect.Effect<RunResult, EngineError | DockerDecodeError | DockerStreamError>
  }
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = (engine: DockerEngine["Type"]): Exec => {
  const generated = Groups.exec(engine)

  const startRequest = (execId: string, detach: boolean, tty: boolean) => ({
    ...Requests.ExecStart(execId),
    json: { Detach: detach, Tty: tty }
  })

  /** The session of a created exec; `created` is its inspect data, `tty` how its output comes. */
  const attached = (created: ExecInspectResponse, tty: boolean) =>
    Effect.gen(function*() {
      const id = created.ID
      const connection = yield* engine.upgrade(startRequest(id, false, tty))
      // The engine marks the exec ended a moment after its output ends: the end check waits for
      // that, and the exit code it saw is kept.
      let ended: ExecInspectResponse | undefined
      const running = Effect.map(generated.inspect(id), (info) => {
        if (info.Running !== true && info.ExitCode !== undefined) ended = info
        return ended === undefined
      })
      const exitCode = Effect.suspend(() =>
        ended !== undefined ? Effect.succeed(ended.ExitCode!) : generated.inspect(id).pipe(
          Effect.filterOrFail(
            (info) => info.Running !== true && info.ExitCode !== undefined,
            () => new DockerStreamError({ message: `exec ${id} is still running` })
          ),
          Effect.retry({
            schedule: Schedule.spaced("20 millis"),
            times: 250,
            while: (error) => error._tag === "DockerStreamError"
          }),
          Effect.map((info) => info.ExitCode!)
        )
      )
      const session = Multiplexed.session(connection, {
        tty,
        maxErrorFrameBytes: engine.limits.frameBytes,
        endCheck: endCheck(engine.host, `exec ${id}`, running)
      })
      return { id, ...session, exitCode } satisfies Session
    })

  const session = (containerId: string, options: SessionOptions) =>
    Effect.gen(function*() {
      const tty = options.tty === true
      const cmd = yield* Either.mapLeft(
        ContainerRunOptions.commandList(options.cmd),
        (reason) => new DockerInputError({ reason: "Option", operation: "ContainerExec", message: `cmd: ${reason}` })
      )
      const { Id } = yield* generated.create(containerId, {
        Cmd: cmd,
        AttachStdin: options.stdin === true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: tty,
        ...(options.env !== undefined ? { Env: options.env } : {}),
        ...(options.workingDir !== undefined ? { WorkingDir: options.workingDir } : {}),
        ...(options.user !== undefined ? { User: options.user } : {}),
        ...(options.privileged !== undefined ? { Privileged: options.privileged } : {})
      })
      return yield* attached({ ID: Id, ProcessConfig: { tty } }, tty)
    })

  const start = ((execId: string, options: StartOptions & { readonly detach?: boolean } = {}) =>
    options.detach === true
      ? Effect.asVoid(engine.request(startRequest(execId, true, options.tty === true)))
      : Effect.flatMap(generated.inspect(execId), (info) =>
        attached(info, options.tty ?? info.ProcessConfig?.tty === true))) as Exec["start"]

  const run = ((containerId: string, { demux, stdin, ...options }: RunOptions) =>
    Effect.scoped(Effect.gen(function*() {
      const started = yield* session(containerId, { ...options, stdin: stdin !== undefined })
      if (stdin !== undefined) {
        yield* started.write(stdin)
        yield* started.closeStdin
      }
      const output = yield* Multiplexed.collectText(started.output)
      const exitCode = yield* started.exitCode
      return demux === false
        ? { exitCode, output: output.combined }
        : { exitCode, stdout: output.stdout, stderr: output.stderr }
    }))) as Exec["run"]

  return { ...generated, session, start, run }
}
