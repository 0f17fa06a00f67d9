/**
 * Container operations: `docker.containers.*`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { bodyStream, type DockerEngine, type EngineError } from "./DockerEngine.js"
import { ContainerExitError, DockerDecodeError, DockerStreamError, type PullError } from "./DockerError.js"
import type { DockerHeaders, TransportError } from "./DockerTransport.js"
import * as EnginePath from "./EnginePath.js"
import * as FastDecode from "./FastDecode.js"
import * as Groups from "./generated/Groups.js"
import { type ContainerCreateBody, type ContainerInspectResponse, ContainerStatsResponse } from "./generated/Schemas.js"
import type { Images } from "./Images.js"
import * as JsonLines from "./JsonLines.js"
import * as Logs from "./Logs.js"

export type {
  /** @since 0.1.0 */
  LogsOptions,
  /** @since 0.1.0 */
  LogStreamOptions
} from "./Logs.js"
import * as Multiplexed from "./Multiplexed.js"

/**
 * @since 0.1.0
 */
export interface AttachOptions {
  readonly stdin?: boolean
  /** Replay the output written so far before the live output. */
  readonly logs?: boolean
  /** e.g. `ctrl-p,ctrl-q`: writing these to stdin detaches. */
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
export interface RunOptions {
  readonly image: string
  readonly cmd?: ReadonlyArray<string>
  readonly entrypoint?: ReadonlyArray<string>
  /** `{ KEY: "value" }` or `["KEY=value"]`. */
  readonly env?: Readonly<Record<string, string>> | ReadonlyArray<string>
  readonly labels?: Readonly<Record<string, string>>
  readonly name?: string
  readonly tty?: boolean
  readonly user?: string
  readonly workingDir?: string
  readonly platform?: string
  /** The Engine's `HostConfig` (binds, port bindings, limits, ...). */
  readonly hostConfig?: Readonly<Record<string, unknown>>
  /** More Engine create fields, merged under the ones above. */
  readonly config?: ContainerCreateBody
  /** When to pull the image: `"missing"` (default), `"always"` or `"never"`. */
  readonly pull?: "missing" | "always" | "never"
  /**
   * Return once started, with the container's inspect data. Otherwise wait for it to exit and
   * return its stdout, failing with {@link ContainerExitError} on a non-zero exit code.
   */
  readonly detach?: boolean
  /** Remove the container when it ends (detached: the engine's `AutoRemove`). */
  readonly remove?: boolean
}

/**
 * What `run` can fail with.
 *
 * @since 0.1.0
 */
export type RunError = EngineError | DockerDecodeError | DockerStreamError | PullError

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
}

const decoder = new TextDecoder()
const decodePathStat = FastDecode.decoder(PathStat)

const envList = (env: RunOptions["env"]): ReadonlyArray<string> | undefined =>
  env === undefined || Array.isArray(env)
    ? env as ReadonlyArray<string> | undefined
    : Object.entries(env).map(([key, value]) => `${key}=${value}`)

/**
 * @since 0.1.0
 */
export const make = (engine: DockerEngine["Type"], images: Images): Containers => {
  const generated = Groups.containers(engine)
  const { create, inspect, remove, start, wait } = generated

  const frames = (id: string, tty: boolean, options: Logs.LogStreamOptions) =>
    Logs.frames(engine, EnginePath.make`/containers/${id}/logs`, "container", tty, options)

  const { logStream, logs } = Logs.readable(
    engine,
    "container",
    inspect,
    (info) => ({ id: info.Id, tty: info.Config?.Tty === true }),
    (id) => EnginePath.make`/containers/${id}/logs`
  )

  const attach = (id: string, options: AttachOptions = {}) =>
    Effect.gen(function*() {
      const info = yield* inspect(id)
      const connection = yield* engine.upgrade({
        method: "POST",
        path: EnginePath.make`/containers/${info.Id}/attach`,
        query: {
          stream: true,
          stdin: options.stdin,
          stdout: true,
          stderr: true,
          logs: options.logs,
          detachKeys: options.detachKeys
        },
        resource: "container",
        timeoutMillis: 0
      })
      return Multiplexed.session(connection, info.Config?.Tty === true)
    })

  const statHeader = (id: string, headers: DockerHeaders) => {
    const raw = headers["x-docker-container-path-stat"]
    if (raw === undefined) {
      return Effect.fail(
        new DockerDecodeError({ operation: "ContainerArchiveInfo", message: `no path stat for ${id}` })
      )
    }
    const decoded = decodePathStat(
      (() => {
        try {
          return JSON.parse(decoder.decode(Uint8Array.from(atob(raw), (c) => c.charCodeAt(0))))
        } catch {
          return raw
        }
      })()
    )
    return Either.isRight(decoded)
      ? Effect.succeed(decoded.right)
      : Effect.fail(
        new DockerDecodeError({
          operation: "ContainerArchiveInfo",
          message: ParseResult.TreeFormatter.formatIssueSync(decoded.left)
        })
      )
  }

  const archiveRequest = (id: string, path: string, method: "GET" | "HEAD") => ({
    method,
    path: EnginePath.make`/containers/${id}/archive`,
    query: { path },
    resource: "path" as const
  })

  const statsBody = (id: string, stream: boolean, oneShot?: boolean) =>
    JsonLines.decode(ContainerStatsResponse, "a stats sample")(bodyStream(engine, {
      method: "GET",
      path: EnginePath.make`/containers/${id}/stats`,
      query: { stream, "one-shot": oneShot },
      resource: "container"
    }))

  const stats = (id: string, options: { readonly oneShot?: boolean } = {}) =>
    Effect.flatMap(
      Stream.runHead(statsBody(id, false, options.oneShot)),
      (sample) =>
        sample._tag === "Some"
          ? Effect.succeed(sample.value)
          : Effect.fail(new DockerStreamError({ message: `the engine sent no stats for ${id}` }))
    )

  const createPulling = (options: RunOptions) => {
    const body: ContainerCreateBody = {
      ...options.config,
      Image: options.image,
      ...(options.cmd !== undefined ? { Cmd: options.cmd } : {}),
      ...(options.entrypoint !== undefined ? { Entrypoint: options.entrypoint } : {}),
      ...(options.env !== undefined ? { Env: envList(options.env)! } : {}),
      ...(options.labels !== undefined ? { Labels: options.labels } : {}),
      ...(options.tty !== undefined ? { Tty: options.tty } : {}),
      ...(options.user !== undefined ? { User: options.user } : {}),
      ...(options.workingDir !== undefined ? { WorkingDir: options.workingDir } : {}),
      HostConfig: {
        ...options.config?.HostConfig,
        ...options.hostConfig,
        ...(options.detach === true && options.remove === true ? { AutoRemove: true } : {})
      }
    }
    const createOptions = {
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(options.platform !== undefined ? { platform: options.platform } : {})
    }
    const pullOptions = options.platform !== undefined ? { platform: options.platform } : {}
    const pull = images.pull(options.image, pullOptions)
    const policy = options.pull ?? "missing"
    const attempt = create(body, createOptions)
    if (policy === "always") return Effect.zipRight(pull, attempt)
    if (policy === "never") return attempt
    return attempt.pipe(
      Effect.catchIf(
        (error) => error._tag === "NotFound" && error.resource === "image",
        () => Effect.zipRight(pull, attempt)
      )
    )
  }

  const runAttached = (options: RunOptions) =>
    Effect.flatMap(createPulling(options), ({ Id }) => {
      const body = Effect.gen(function*() {
        yield* start(Id)
        const { StatusCode } = yield* wait(Id)
        const output = yield* Multiplexed.collectText(frames(Id, options.tty === true, {}))
        if (StatusCode !== 0) {
          return yield* new ContainerExitError({
            containerId: Id,
            image: options.image,
            exitCode: StatusCode,
            stderr: output.stderr,
            message: `container ${Id.slice(0, 12)} (${options.image}) exited with code ${StatusCode}` +
              (output.stderr.trim() === "" ? "" : `: ${output.stderr.trim().slice(-500)}`)
          })
        }
        return output.stdout
      })
      return options.remove === true
        ? Effect.ensuring(body, Effect.ignore(remove(Id, { force: true })))
        : body
    })

  const runDetached = (options: RunOptions) =>
    Effect.flatMap(createPulling(options), ({ Id }) => Effect.zipRight(start(Id), inspect(Id)))

  return {
    ...generated,
    logs,
    logStream,
    attach,
    export: (id) =>
      bodyStream(engine, { method: "GET", path: EnginePath.make`/containers/${id}/export`, resource: "container" }),
    getArchive: (id, path) =>
      Effect.flatMap(
        engine.stream(archiveRequest(id, path, "GET")),
        (response) => Effect.map(statHeader(id, response.headers), (stat) => ({ stat, content: response.body }))
      ),
    archiveInfo: (id, path) =>
      Effect.flatMap(engine.request(archiveRequest(id, path, "HEAD")), (response) => statHeader(id, response.headers)),
    putArchive: (id, path, tar, options = {}) =>
      Effect.asVoid(engine.request({
        method: "PUT",
        path: EnginePath.make`/containers/${id}/archive`,
        query: { path, noOverwriteDirNonDir: options.noOverwriteDirNonDir, copyUIDGID: options.copyUIDGID },
        headers: { "content-type": "application/x-tar" },
        body: tar,
        resource: "path",
        timeoutMillis: 0
      })),
    stats,
    statsStream: (id) => statsBody(id, true),
    run: ((options: RunOptions) => options.detach === true ? runDetached(options) : runAttached(options)) as Containers[
      "run"
    ]
  }
}
