/**
 * Container operations: `docker.containers.*`.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { identity } from "effect/Function"
import * as Option from "effect/Option"
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
import * as EnginePath from "./EnginePath.js"
import type { Exec } from "./Exec.js"
import * as FastDecode from "./FastDecode.js"
import * as Groups from "./generated/Groups.js"
import { type ContainerCreateBody, type ContainerInspectResponse, ContainerStatsResponse } from "./generated/Schemas.js"
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
  /**
   * Published ports, as docker-py's `ports`: the container's port (`"80"` or `"80/tcp"`) to a
   * host port, `{ hostIp, hostPort }`, or `null` for a port the engine picks.
   */
  readonly ports?: Readonly<
    Record<string, number | string | { readonly hostIp?: string; readonly hostPort?: number | string } | null>
  >
  /** Mounts as `"source:/target[:ro]"` binds (a host path or a volume name), or docker-py's `{ source: { bind, mode } }`. */
  readonly volumes?:
    | ReadonlyArray<string>
    | Readonly<Record<string, { readonly bind: string; readonly mode?: "rw" | "ro" | undefined }>>
  /** The network to start on (a name or id; `"host"`, `"none"`). */
  readonly network?: string
  /** Names others on `network` reach the container by, besides its name. */
  readonly networkAliases?: ReadonlyArray<string>
  readonly restartPolicy?: {
    readonly name: "no" | "always" | "unless-stopped" | "on-failure"
    readonly maximumRetryCount?: number
  }
  /** Memory limit in bytes. */
  readonly memory?: number
  /** CPUs the container may use, e.g. `0.5` (the engine's `NanoCpus`). */
  readonly cpus?: number
  readonly pidsLimit?: number
  /** The logging driver and its options, e.g. `{ type: "json-file", config: { "max-size": "10m" } }`. */
  readonly logConfig?: { readonly type: string; readonly config?: Readonly<Record<string, string>> }
  /** A health check, which {@link Readiness.healthy} waits for. Durations in the engine's nanoseconds are set from these. */
  readonly healthcheck?: {
    readonly test: ReadonlyArray<string>
    readonly interval?: Duration.DurationInput
    readonly timeout?: Duration.DurationInput
    readonly retries?: number
    readonly startPeriod?: Duration.DurationInput
  }
  /** More of the Engine's `HostConfig`, merged under the options above. */
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
export type RunError = EngineError | DockerDecodeError | DockerStreamError | PullError | DockerConfigError

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

const envList = (env: RunOptions["env"]): ReadonlyArray<string> | undefined =>
  env === undefined || Array.isArray(env)
    ? env as ReadonlyArray<string> | undefined
    : Object.entries(env).map(([key, value]) => `${key}=${value}`)

const nanos = (duration: Duration.DurationInput | undefined) =>
  duration === undefined ? undefined : Number(Duration.toNanos(duration).pipe(Option.getOrElse(() => 0n)))

const portKey = (port: string) => port.includes("/") ? port : `${port}/tcp`

/** The engine's create body for run options: the docker-py names mapped to the Engine's fields. */
const createBody = (options: RunOptions): ContainerCreateBody => {
  const ports = Object.entries(options.ports ?? {})
  const binds = options.volumes === undefined || Array.isArray(options.volumes)
    ? options.volumes as ReadonlyArray<string> | undefined
    : Object.entries(options.volumes).map(([source, { bind, mode }]) =>
      `${source}:${bind}${mode === undefined ? "" : `:${mode}`}`
    )
  const health = options.healthcheck
  const hostConfig: Record<string, unknown> = {
    ...options.config?.HostConfig,
    ...options.hostConfig,
    ...(binds !== undefined ? { Binds: binds } : {}),
    ...(ports.length > 0
      ? {
        PortBindings: Object.fromEntries(ports.map(([port, host]) => [
          portKey(port),
          [
            host === null
              ? {}
              : typeof host === "object"
              ? { HostIp: host.hostIp ?? "", HostPort: host.hostPort === undefined ? "" : String(host.hostPort) }
              : { HostPort: String(host) }
          ]
        ]))
      }
      : {}),
    ...(options.network !== undefined ? { NetworkMode: options.network } : {}),
    ...(options.restartPolicy !== undefined
      ? {
        RestartPolicy: {
          Name: options.restartPolicy.name,
          ...(options.restartPolicy.maximumRetryCount !== undefined
            ? { MaximumRetryCount: options.restartPolicy.maximumRetryCount }
            : {})
        }
      }
      : {}),
    ...(options.memory !== undefined ? { Memory: options.memory } : {}),
    ...(options.cpus !== undefined ? { NanoCpus: Math.round(options.cpus * 1e9) } : {}),
    ...(options.pidsLimit !== undefined ? { PidsLimit: options.pidsLimit } : {}),
    ...(options.logConfig !== undefined
      ? { LogConfig: { Type: options.logConfig.type, Config: options.logConfig.config ?? {} } }
      : {}),
    ...(options.detach === true && options.remove === true ? { AutoRemove: true } : {})
  }
  return {
    ...options.config,
    Image: options.image,
    ...(options.cmd !== undefined ? { Cmd: options.cmd } : {}),
    ...(options.entrypoint !== undefined ? { Entrypoint: options.entrypoint } : {}),
    ...(options.env !== undefined ? { Env: envList(options.env)! } : {}),
    ...(options.labels !== undefined ? { Labels: options.labels } : {}),
    ...(options.tty !== undefined ? { Tty: options.tty } : {}),
    ...(options.user !== undefined ? { User: options.user } : {}),
    ...(options.workingDir !== undefined ? { WorkingDir: options.workingDir } : {}),
    ...(ports.length > 0
      ? {
        ExposedPorts: {
          ...options.config?.ExposedPorts,
          ...Object.fromEntries(ports.map(([port]) => [portKey(port), {}]))
        }
      }
      : {}),
    ...(health !== undefined
      ? {
        Healthcheck: {
          Test: ["CMD", ...health.test],
          ...(health.interval !== undefined ? { Interval: nanos(health.interval) } : {}),
          ...(health.timeout !== undefined ? { Timeout: nanos(health.timeout) } : {}),
          ...(health.retries !== undefined ? { Retries: health.retries } : {}),
          ...(health.startPeriod !== undefined ? { StartPeriod: nanos(health.startPeriod) } : {})
        }
      }
      : {}),
    ...(options.network !== undefined && options.networkAliases !== undefined
      ? { NetworkingConfig: { EndpointsConfig: { [options.network]: { Aliases: options.networkAliases } } } }
      : {}),
    HostConfig: hostConfig
  }
}

/**
 * @since 0.1.0
 */
export const make = (engine: DockerEngine["Type"], images: Images, exec: Exec): Containers => {
  const generated = Groups.containers(engine)
  const { create, inspect, remove, start, stop, wait } = generated

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
      const streaming = options.stream !== false
      const connection = yield* engine.upgrade({
        method: "POST",
        path: EnginePath.make`/containers/${info.Id}/attach`,
        query: {
          stream: streaming,
          stdin: options.stdin,
          stdout: options.stdout ?? true,
          stderr: options.stderr ?? true,
          logs: options.logs,
          detachKeys: options.detachKeys
        },
        resource: "container",
        operation: "ContainerAttach"
      })
      // The engine ends a live attach when the container stops, or when stdin detaches it.
      const detach = DetachKeys.matcher(options.detachKeys)
      const running = Effect.map(inspect(info.Id), (state) => state.State?.Running === true && !detach.seen)
      const session = Multiplexed.session(connection, {
        tty: info.Config?.Tty === true,
        maxErrorFrameBytes: engine.limits.frameBytes,
        endCheck: streaming ? endCheck(engine.host, `the attach to ${info.Id.slice(0, 12)}`, running) : Effect.void
      })
      return {
        ...session,
        write: (data) => Effect.zipRight(Effect.sync(() => detach.feed(data)), session.write(data))
      } satisfies AttachSession
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
    return decodeValue("ContainerArchiveInfo", decodePathStat, parsed)
  }

  const archiveRequest = (id: string, path: string, method: "GET" | "HEAD") => ({
    method,
    path: EnginePath.make`/containers/${id}/archive`,
    query: { path },
    resource: "path" as const
  })

  const statsBody = (id: string, stream: boolean, oneShot?: boolean) =>
    JsonLines.decode(ContainerStatsResponse, "a stats sample", engine.limits.lineBytes)(bodyStream(engine, {
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

  const createPulling = (
    options: RunOptions,
    pulling: <A, E>(pull: Effect.Effect<A, E>) => Effect.Effect<A, E> = identity
  ) => {
    const body = createBody(options)
    const createOptions = {
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(options.platform !== undefined ? { platform: options.platform } : {})
    }
    const pullOptions = options.platform !== undefined ? { platform: options.platform } : {}
    const pull = pulling(images.pull(options.image, pullOptions))
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
        if (StatusCode !== 0) return yield* exitError(Id, options.image, StatusCode, output.stderr)
        return output.stdout
      })
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

  const exitError = (id: string, image: string, exitCode: number, stderr: string) =>
    new ContainerExitError({
      containerId: id,
      image,
      exitCode,
      stderr,
      message: `container ${id.slice(0, 12)} (${image}) exited with code ${exitCode}` +
        (stderr.trim() === "" ? "" : `: ${stderr.trim().slice(-500)}`)
    })

  const runStream = (options: Omit<RunOptions, "detach">) =>
    Stream.unwrapScoped(Effect.gen(function*() {
      const { Id } = options.remove === true
        ? yield* createReleased(options, (id) =>
          Release.step("container", id, "remove", remove(id, { force: true }), Release.logReleaseError))
        : yield* createPulling(options)
      yield* start(Id)
      const exit = Effect.flatMap(wait(Id), ({ StatusCode }) =>
        StatusCode === 0
          ? Effect.void
          : Effect.flatMap(
            logs(Id, { stdout: false, tail: 20 }),
            (output) =>
              Effect.fail(exitError(Id, options.image, StatusCode, output.stderr))
          ))
      return Stream.concat(frames(Id, options.tty === true, { follow: true }), Stream.drain(Stream.fromEffect(exit)))
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
    ],
    runStream,
    scoped
  }
}
