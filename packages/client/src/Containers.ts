/**
 * Container operations: `docker.containers.*`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as ApiVersion from "./ApiVersion.js"
import { bodyStream, decodeValue, type DockerEngine, type EngineError } from "./DockerEngine.js"
import { DockerDecodeError, DockerStreamError } from "./DockerError.js"
import type { DockerHeaders, TransportError } from "./DockerTransport.js"
import type { Exec } from "./Exec.js"
import * as Groups from "./generated/Groups.js"
import * as Requests from "./generated/Requests.js"
import { ContainerStatsResponse } from "./generated/Schemas.js"
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
import * as Orchestration from "./Orchestration.js"
import * as RunOptionsModule from "./RunOptions.js"

/**
 * @since 0.1.0
 * @category models
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
 * @category models
 */
export type AttachSession = Multiplexed.Session

/**
 * The stat of a path in a container, as the engine reports it in `X-Docker-Container-Path-Stat`.
 *
 * @since 0.1.0
 * @category schemas
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
 * @category models
 */
export type PathStat = typeof PathStat.Type

/**
 * @since 0.1.0
 * @category models
 */
export interface Archive {
  readonly stat: PathStat
  /** The path as a tar stream (a directory with its content). */
  readonly content: Stream.Stream<Uint8Array, TransportError>
}

/**
 * @since 0.1.0
 * @category models
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
 * @category models
 */
export type RunOptions = RunOptionsModule.RunOptions

/**
 * What `run` can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type RunError = Orchestration.RunError

/**
 * Options of {@link Containers.scoped}.
 *
 * @since 0.1.0
 * @category models
 */
export type ScopedOptions = Orchestration.ScopedOptions

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
 * @category models
 */
export interface Containers
  extends
    Groups.Containers,
    Logs.Readable<EngineError | DockerDecodeError | DockerStreamError>,
    Orchestration.Orchestration
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
   * Attaches over a WebSocket (`/containers/{id}/attach/ws`), as browsers and proxies that pass
   * WebSockets but not hijacked connections do. The engine sends stdout and stderr as one raw
   * stream (frames marked `stdout`), each write is a message, and `closeStdin` closes the
   * WebSocket (the protocol has no half-close): output written after it is not received.
   */
  readonly attachWebsocket: (
    id: string,
    options?: Omit<AttachOptions, "stream">
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
  readonly statsStream: (id: string) => Stream.Stream<ContainerStatsResponse, EngineError | DockerDecodeError>
}

const decoder = new TextDecoder()

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = (engine: DockerEngine["Type"], images: Images, exec: Exec): Containers => {
  const generated = Groups.containers(engine)
  const { inspect } = generated

  const { logStream, logs } = Logs.readable(
    engine,
    inspect,
    (info) => ({ id: info.Id, tty: info.Config?.Tty === true }),
    Requests.ContainerLogs
  )

  /** A session whose writes are watched for the detach keys. */
  const detachable = (session: AttachSession, detach: ReturnType<typeof DetachKeys.matcher>): AttachSession => ({
    ...session,
    write: (data) => Effect.zipRight(Effect.sync(() => detach.feed(data)), session.write(data))
  })

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
      return detachable(session, detach)
    })

  const attach = (id: string, options: AttachOptions = {}) =>
    Effect.flatMap(inspect(id), (info) => attachTo(info.Id, info.Config?.Tty === true, options))

  const attachWebsocket = (id: string, options: Omit<AttachOptions, "stream"> = {}) =>
    Effect.gen(function*() {
      const info = yield* inspect(id)
      const { stderr = true, stdin, stdout = true, ...rest } = options
      // Before API 1.42 the engine attaches every stream and takes no choice of them: only a
      // choice it cannot honour is sent, to fail with DockerVersionError before sending.
      const chooses = ApiVersion.compare(yield* engine.apiVersion, "1.42") >= 0
      const streams = chooses
        ? { stdin, stdout, stderr }
        : { ...(stdout ? {} : { stdout }), ...(stderr ? {} : { stderr }) }
      const connection = yield* engine.websocket(
        Requests.ContainerAttachWebsocket(info.Id, { ...rest, ...streams, stream: true })
      )
      const detach = DetachKeys.matcher(options.detachKeys)
      // Closing the WebSocket ends its output too: then the end is ours, not a cut connection.
      let closed = false
      const running = Effect.map(
        inspect(info.Id),
        (state) => !closed && state.State?.Running === true && !detach.seen
      )
      const session = Multiplexed.session(connection, {
        tty: true,
        endCheck: endCheck(engine.host, `the websocket attach to ${info.Id.slice(0, 12)}`, running)
      })
      return detachable({
        ...session,
        closeStdin: Effect.zipRight(Effect.sync(() => (closed = true)), session.closeStdin)
      }, detach)
    })

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
    return decodeValue("ContainerArchiveInfo", PathStat, parsed)
  }

  const statsBody = (id: string, stream: boolean, oneShot?: boolean) =>
    JsonLines.decode(ContainerStatsResponse, "a stats sample", {
      operation: "ContainerStats",
      maxLineBytes: engine.limits.lineBytes
    })(
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

  const orchestration = Orchestration.make({
    engine,
    images,
    exec,
    containers: { ...generated, logs, logStream },
    attach: (id, tty) => attachTo(id, tty, {})
  })

  return {
    ...generated,
    logs,
    logStream,
    attach,
    attachWebsocket,
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
    ...orchestration
  }
}
