/**
 * Container operations: `docker.containers.*`.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import { identity } from "effect/Function"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { bodyStream, decodeValue, type DockerEngine, type EngineError } from "./DockerEngine.js"
import {
  ContainerExitError,
  type DockerConfigError,
  DockerDecodeError,
  type DockerReadinessError,
  DockerStreamError,
  type PullError
} from "./DockerError.js"
import type { DockerHeaders, TransportError } from "./DockerTransport.js"
import type { Exec } from "./Exec.js"
import * as FastDecode from "./FastDecode.js"
import * as Groups from "./generated/Groups.js"
import * as Requests from "./generated/Requests.js"
import { type ContainerInspectResponse, ContainerStatsResponse } from "./generated/Schemas.js"
import type { Images } from "./Images.js"
import * as DetachKeys from "./internal/detachKeys.js"
import { endCheck } from "./internal/sessionEnd.js"
import * as JsonLines from "./JsonLines.js"
import * as Logs from "./Logs.js"

export type {
  /** @since 0.1.0 */
  LogsOptions,
  /** @since 0.1.0 */
  LogStreamOptions
} from "./Logs.js"
import * as Multiplexed from "./Multiplexed.js"
import * as Readiness from "./Readiness.js"
import * as Release from "./Release.js"
import * as RunOptionsModule from "./RunOptions.js"

/**
 * @since 0.1.0
 */
export interface AttachOptions {
  readonly stdin?: boolean
  /** Attach to stdout; default `true`. */
  readonly stdout?: boolean
  /** Attach to stderr; default `true`. */
  readonly stderr?: boolean
  /** Replay the output written so far before the live output. */
  readonly logs?: boolean
  /**
   * `false`: no live output, only what `logs` replays, then the end (docker-py's
   * `attach(stream=False, logs=True)`). Default `true`.
   */
  readonly stream?: boolean
  /** e.g. `ctrl-p,ctrl-q` (the engine's default): writing these to stdin detaches. */
  readonly detachKeys?: string
}

/**
 * An attached container, alive until its scope closes.
 *
 * @since 0.1.0
 */
export type AttachSession = Multiplexed.Session

/**
 * The stat of a path in a container, as the engine reports it in `X-Docker-Container-Path-Stat`.
 *
 * @since 0.1.0
 */
export const PathStat = Schema.Struct({
  name: Schema.String,
  size: Schema.Number,
  mode: Schema.Number,
  mtime: Schema.String,
  linkTarget: Schema.String
})

/**
 * @since 0.1.0
 */
export type PathStat = typeof PathStat.Type

/**
 * @since 0.1.0
 */
export interface Archive {
  readonly stat: PathStat
  /** The path as a tar stream (a directory with its content). */
  readonly content: Stream.Stream<Uint8Array, TransportError>
}

/**
 * @since 0.1.0
 */
export interface PutArchiveOptions {
  /** Refuse to replace a directory with a non-directory, and the other way round. */
  readonly noOverwriteDirNonDir?: boolean
  /** Give the files the container user's ids instead of the tar's. */
  readonly copyUIDGID?: boolean
}

/**
 * Options of {@link Containers.run}: the docker-py `containers.run` shape, in camelCase.
 *
 * @since 0.1.0
 */
export type RunOptions = RunOptionsModule.RunOptions

/**
 * What `run` can fail with.
 *
 * @since 0.1.0
 */
export type RunError = EngineError | DockerDecodeError | DockerStreamError | PullError | DockerConfigError

/**
 * A container port published on the host, as {@link Containers.port} reads it.
 *
 * @since 0.2.0
 * @category models
 */
export interface PublishedPort {
  readonly hostIp: string
  readonly hostPort: number
}

/**
 * Options of {@link Containers.scoped}: run options, the readiness to wait for, and how to release.
 *
 * @since 0.1.0
 */
export interface ScopedOptions extends Omit<RunOptions, "detach" | "remove"> {
  /** Waited for after the start; the container is handed over only once it holds. */
  readonly readiness?: Readiness.Readiness | undefined
  /** How long the release's stop lets the container end before the engine kills it; default 10 seconds. */
  readonly stopTimeout?: Duration.DurationInput | undefined
  /** Remove the container's anonymous volumes with it. */
  readonly removeVolumes?: boolean | undefined
  /** Where a failed release step goes; default {@link Release.logReleaseError}. */
  readonly onReleaseError?: Release.OnReleaseError | undefined
}

/**
 * `docker.containers`: the generated operations, plus logs (demultiplexed by the container's TTY
 * setting), attach, archives, stats and `run`.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Docker } from "@effect-docker/client"
 *
 * // Follow a container's output, line by line, until it stops or the fiber is interrupted.
 * const tail = (id: string) =>
 *   Effect.flatMap(Docker.Docker, (docker) =>
 *     docker.containers.logStream(id, { follow: true }).pipe(
 *       Stream.map((frame) => frame.data),
 *       Stream.decodeText(),
 *       Stream.splitLines,
 *       Stream.runForEach((line) => Effect.log(line))
 *     ))
 * ```
 *
 * @since 0.1.0
 */
export interface Containers
  extends Groups.Containers, Logs.Readable<EngineError | DockerDecodeError | DockerStreamError>
{
  /**
   * Attaches to a container over a hijacked connection, closed with the scope: its output as
   * frames (demultiplexed unless it has a TTY), and its stdin when `stdin` is set (the container
   * needs `OpenStdin`). Attach before `start` to miss nothing; `logs` replays what was written.
   */
  readonly attach: (
    id: string,
    options?: AttachOptions
  ) => Effect.Effect<AttachSession, EngineError | DockerDecodeError, Scope.Scope>
  /**
   * docker-py's `containers.get`: the container's inspect data, asked of the engine on every
   * call (there is no cached object to `reload`). The same operation as `inspect`.
   */
  readonly get: Groups.Containers["inspect"]
  /**
   * docker-py's `port()`: where a container port (`80` or `"80/tcp"`) is published on the host,
   * read from fresh inspect data; empty when it is not published.
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { Docker } from "@effect-docker/client"
   *
   * const url = (id: string) =>
   *   Effect.flatMap(Docker.Docker, (docker) => docker.containers.port(id, 80)).pipe(
   *     Effect.map(([first]) => `http://127.0.0.1:${first?.hostPort}`)
   *   )
   * ```
   */
  readonly port: (
    id: string,
    port: number | string
  ) => Effect.Effect<ReadonlyArray<PublishedPort>, EngineError | DockerDecodeError>
  /** The container's filesystem as a tar stream. */
  readonly export: (id: string) => Stream.Stream<Uint8Array, EngineError>
  /**
   * A path in the container as a tar stream, with its stat. The stream belongs to the scope:
   * read it before the scope closes.
   */
  readonly getArchive: (
    id: string,
    path: string
  ) => Effect.Effect<Archive, EngineError | DockerDecodeError, Scope.Scope>
  /** A path's stat, without its content (`HEAD`); a missing path fails with `NotFound` (`path`). */
  readonly archiveInfo: (id: string, path: string) => Effect.Effect<PathStat, EngineError | DockerDecodeError>
  /** Extracts a tar stream into a directory of the container. */
  readonly putArchive: (
    id: string,
    path: string,
    tar: Stream.Stream<Uint8Array, unknown>,
    options?: PutArchiveOptions
  ) => Effect.Effect<void, EngineError>
  /** One sample of the container's resource usage (`stream=false`). */
  readonly stats: (
    id: string,
    options?: { readonly oneShot?: boolean }
  ) => Effect.Effect<ContainerStatsResponse, EngineError | DockerDecodeError | DockerStreamError>
  /** Resource usage samples, one a second, until the container stops or the stream is interrupted. */
  readonly statsStream: (id: string) => Stream.Stream<ContainerStatsResponse, EngineError | DockerStreamError>
  /**
   * Creates and starts a container, pulling its image first when it is missing.
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { Docker } from "@effect-docker/client"
   *
   * const hello = Effect.gen(function*() {
   *   const docker = yield* Docker.Docker
   *   return yield* docker.containers.run({ image: "busybox", cmd: ["echo", "hello"], remove: true })
   * }) // Effect<string, ContainerExitError | ...>: "hello\n"
   * ```
   */
  readonly run: {
    (options: RunOptions & { readonly detach: true }): Effect.Effect<ContainerInspectResponse, RunError>
    (options: RunOptions & { readonly detach?: false }): Effect.Effect<string, RunError | ContainerExitError>
  }
  /**
   * Runs a container and streams its output while it runs (docker-py's `run(stream=True)`); the
   * stream fails with {@link ContainerExitError} when the container exits with a non-zero code,
   * and with `remove` the container is removed when the stream ends, however it ends.
   */
  readonly runStream: (
    options: Omit<RunOptions, "detach">
  ) => Stream.Stream<Multiplexed.Frame, RunError | ContainerExitError>
  /**
   * A container that lives as long as the scope: created (pulling its image when needed), started,
   * and handed over with fresh inspect data once `readiness` holds. When the scope closes, on
   * success, failure, interruption or defect alike, it is stopped (`stopTimeout`) and removed
   * (with its volumes when `removeVolumes`); a failed step is reported to `onReleaseError` and
   * does not stop the next one.
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { Docker, Readiness } from "@effect-docker/client"
   *
   * const program = Effect.scoped(Effect.gen(function*() {
   *   const docker = yield* Docker.Docker
   *   const web = yield* docker.containers.scoped({
   *     image: "busybox",
   *     cmd: ["httpd", "-f", "-p", "8080"],
   *     readiness: Readiness.listening(8080)
   *   })
   *   return web.Id // stopped and removed when the scope closes
   * }))
   * ```
   */
  readonly scoped: (
    options: ScopedOptions
  ) => Effect.Effect<ContainerInspectResponse, RunError | DockerReadinessError, Scope.Scope>
}

const decoder = new TextDecoder()
const decodePathStat = FastDecode.decoder(PathStat)

/**
 * @since 0.1.0
 */
export const make = (engine: DockerEngine["Type"], images: Images, exec: Exec): Containers => {
  const generated = Groups.containers(engine)
  const { create, inspect, remove, start, stop, wait } = generated

  const { logStream, logs } = Logs.readable(
    engine,
    inspect,
    (info) => ({ id: info.Id, tty: info.Config?.Tty === true }),
    Requests.ContainerLogs
  )

  /** The attach session of a container whose id and TTY setting are known. */
  const attachTo = (id: string, tty: boolean, options: AttachOptions) =>
    Effect.gen(function*() {
      const streaming = options.stream !== false
      const connection = yield* engine.upgrade(Requests.ContainerAttach(id, {
        ...options,
        stream: streaming,
        stdout: options.stdout ?? true,
        stderr: options.stderr ?? true
      }))
      // The engine ends a live attach when the container stops, or when stdin detaches it.
      const detach = DetachKeys.matcher(options.detachKeys)
      const running = Effect.map(inspect(id), (state) => state.State?.Running === true && !detach.seen)
      const session = Multiplexed.session(connection, {
        tty,
        maxErrorFrameBytes: engine.limits.frameBytes,
        endCheck: streaming ? endCheck(engine.host, `the attach to ${id.slice(0, 12)}`, running) : Effect.void
      })
      return {
        ...session,
        write: (data) => Effect.zipRight(Effect.sync(() => detach.feed(data)), session.write(data))
      } satisfies AttachSession
    })

  const attach = (id: string, options: AttachOptions = {}) =>
    Effect.flatMap(inspect(id), (info) => attachTo(info.Id, info.Config?.Tty === true, options))

  const statHeader = (id: string, headers: DockerHeaders) => {
    const raw = headers["x-docker-container-path-stat"]
    if (raw === undefined) {
      return Effect.fail(
        new DockerDecodeError({ operation: "ContainerArchiveInfo", message: `no path stat for ${id}` })
      )
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(decoder.decode(Uint8Array.from(atob(raw), (c) => c.charCodeAt(0))))
    } catch {
      parsed = raw
    }
    return decodeValue("ContainerArchiveInfo", decodePathStat, parsed)
  }

  const statsBody = (id: string, stream: boolean, oneShot?: boolean) =>
    JsonLines.decode(ContainerStatsResponse, "a stats sample", engine.limits.lineBytes)(
      bodyStream(engine, Requests.ContainerStats(id, { stream, oneShot }))
    )

  const stats = (id: string, options: { readonly oneShot?: boolean } = {}) =>
    Effect.flatMap(
      Stream.runHead(statsBody(id, false, options.oneShot)),
      (sample) =>
        sample._tag === "Some"
          ? Effect.succeed(sample.value)
          : Effect.fail(new DockerStreamError({ message: `the engine sent no stats for ${id}` }))
    )

  const createPulling = (
    options: RunOptions,
    pulling: <A, E>(pull: Effect.Effect<A, E>) => Effect.Effect<A, E> = identity
  ) => {
    const body = RunOptionsModule.toCreateBody(options)
    const createOptions = {
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(options.platform !== undefined ? { platform: options.platform } : {})
    }
    const pullOptions = options.platform !== undefined ? { platform: options.platform } : {}
    const pull = pulling(images.pull(options.image, pullOptions))
    const policy = options.pull ?? "missing"
    const attempt = Effect.flatMap(body, (body) => create(body, createOptions))
    if (policy === "always") return Effect.zipRight(pull, attempt)
    if (policy === "never") return attempt
    return attempt.pipe(
      Effect.catchIf(
        (error) => error._tag === "NotFound" && error.resource === "image",
        () => Effect.zipRight(pull, attempt)
      )
    )
  }

  /**
   * Starts a created container with its output attached first, as the docker CLI does: nothing
   * is lost, whatever the log driver (`none` included) and however soon the engine removes the
   * container (`AutoRemove`). The exit code comes from a wait sent before the start when the
   * engine removes the container, else after its output ended.
   */
  const startAttached = (id: string, options: RunOptions) =>
    Effect.gen(function*() {
      const session = yield* attachTo(id, options.tty === true, {})
      const autoRemove = (options.hostConfig?.AutoRemove ?? options.config?.HostConfig?.AutoRemove) === true
      const removed = autoRemove ? yield* Effect.forkScoped(wait(id, { condition: "removed" })) : undefined
      yield* start(id)
      const exitCode = Effect.map(removed === undefined ? wait(id) : Fiber.join(removed), (_) => _.StatusCode)
      return { output: session.output, exitCode }
    })

  const runAttached = (options: RunOptions) =>
    Effect.flatMap(createPulling(options), ({ Id }) => {
      const body = Effect.scoped(Effect.gen(function*() {
        const { exitCode, output } = yield* startAttached(Id, options)
        const text = yield* Multiplexed.collectText(output)
        const code = yield* exitCode
        if (code !== 0) return yield* exitError(Id, options, code, text.stderr)
        return text.stdout
      }))
      return options.remove === true
        ? Effect.ensuring(body, Effect.ignore(remove(Id, { force: true })))
        : body
    })

  const runDetached = (options: RunOptions) =>
    Effect.flatMap(createPulling(options), ({ Id }) => Effect.zipRight(start(Id), inspect(Id)))

  /** Creates the container and adds its release to the scope in one step that cannot be cut in two. */
  const createReleased = (options: RunOptions, release: (id: string) => Effect.Effect<void>) =>
    Effect.uninterruptibleMask((restore) =>
      Effect.tap(createPulling(options, restore), ({ Id }) => Effect.addFinalizer(() => release(Id)))
    )

  const exitError = (id: string, options: RunOptions, exitCode: number, stderr: string) => {
    const command = options.cmd === undefined
      ? undefined
      : Either.getOrUndefined(RunOptionsModule.commandList(options.cmd))
    const what = command === undefined ? "The default command" : `Command '[${command.join(" ")}]'`
    return new ContainerExitError({
      containerId: id,
      image: options.image,
      command,
      exitCode,
      stderr,
      message: `${what} in image '${options.image}' returned non-zero exit status ${exitCode}` +
        (stderr.trim() === "" ? "" : `: ${stderr.trim().slice(-500)}`)
    })
  }

  const runStream = (options: Omit<RunOptions, "detach">) =>
    Stream.unwrapScoped(Effect.gen(function*() {
      const { Id } = options.remove === true
        ? yield* createReleased(options, (id) =>
          Release.step("container", id, "remove", remove(id, { force: true }), Release.logReleaseError))
        : yield* createPulling(options)
      const { exitCode, output } = yield* startAttached(Id, options)
      // The last stderr lines, for the error of a non-zero exit.
      let stderr = ""
      const decoder = new TextDecoder()
      const exit = Effect.flatMap(exitCode, (code) =>
        code === 0 ? Effect.void : Effect.fail(exitError(Id, options, code, stderr + decoder.decode())))
      return Stream.concat(
        Stream.tap(output, (frame) =>
          Effect.sync(() => {
            if (frame.stream === "stderr") {
              stderr = (stderr + decoder.decode(frame.data, { stream: true })).slice(-4096)
            }
          })),
        Stream.drain(Stream.fromEffect(exit))
      )
    }))

  const scoped = (options: ScopedOptions) =>
    Effect.gen(function*() {
      const onError = options.onReleaseError ?? Release.logReleaseError
      const { Id } = yield* createReleased(options, (id) =>
        Effect.zipRight(
          Release.step("container", id, "stop", stop(id, { timeout: options.stopTimeout ?? "10 seconds" }), onError),
          Release.step("container", id, "remove", remove(id, { force: true, volumes: options.removeVolumes }), onError)
        ))
      yield* start(Id)
      if (options.readiness !== undefined) {
        yield* Readiness.wait({ id: Id, containers: { inspect, logs, logStream, wait }, exec }, options.readiness)
      }
      return yield* inspect(Id)
    })

  return {
    ...generated,
    logs,
    logStream,
    attach,
    get: inspect,
    port: (id, port) =>
      Effect.map(inspect(id), (info) => {
        const key = RunOptionsModule.portKey(String(port))
        return (info.NetworkSettings?.Ports?.[key] ?? []).map((binding) => ({
          hostIp: binding.HostIp ?? "",
          hostPort: Number(binding.HostPort)
        }))
      }),
    export: (id) => bodyStream(engine, Requests.ContainerExport(id)),
    // A 404 without a message (HEAD has no body) is the path's.
    getArchive: (id, path) =>
      Effect.flatMap(
        engine.stream({ ...Requests.ContainerArchive(id, { path }), resource: "path" }),
        (response) => Effect.map(statHeader(id, response.headers), (stat) => ({ stat, content: response.body }))
      ),
    archiveInfo: (id, path) =>
      Effect.flatMap(
        engine.request({ ...Requests.ContainerArchiveInfo(id, { path }), resource: "path" }),
        (response) => statHeader(id, response.headers)
      ),
    putArchive: (id, path, tar, options = {}) =>
      Effect.asVoid(engine.request({
        ...Requests.PutContainerArchive(id, { ...options, path }),
        headers: { "content-type": "application/x-tar" },
        body: tar,
        resource: "path",
        timeoutMillis: 0
      })),
    stats,
    statsStream: (id) => statsBody(id, true),
    run: ((options: RunOptions) => options.detach === true ? runDetached(options) : runAttached(options)) as Containers[
      "run"
    ],
    runStream,
    scoped
  }
}
