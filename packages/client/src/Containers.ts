/**
 * Container operations: `docker.containers.*`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type { DockerEngine, EngineError } from "./DockerEngine.js"
import { ContainerExitError, type DockerDecodeError, type DockerStreamError, type PullError } from "./DockerError.js"
import * as EnginePath from "./EnginePath.js"
import * as Groups from "./generated/Groups.js"
import type { ContainerCreateBody, ContainerInspectResponse } from "./generated/Schemas.js"
import type { Images } from "./Images.js"
import * as Multiplexed from "./Multiplexed.js"

/**
 * @since 0.1.0
 */
export interface LogsOptions {
  readonly stdout?: boolean
  readonly stderr?: boolean
  /** Unix time in seconds: only logs since then. */
  readonly since?: number
  /** Unix time in seconds: only logs before then. */
  readonly until?: number
  readonly timestamps?: boolean
  /** Only this many lines from the end. */
  readonly tail?: number
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
 * `docker.containers`: the generated operations, plus `logs` (demultiplexed by the container's
 * TTY setting) and `run`.
 *
 * @since 0.1.0
 */
export interface Containers extends Groups.Containers {
  /**
   * The logs written so far, as text per stream. A TTY container's output is all `stdout`:
   * whether it has a TTY is read from its configuration.
   */
  readonly logs: (
    id: string,
    options?: LogsOptions
  ) => Effect.Effect<Multiplexed.Output, EngineError | DockerDecodeError | DockerStreamError>
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

  const readLogs = (id: string, tty: boolean, options: LogsOptions) =>
    Effect.scoped(
      Effect.flatMap(
        engine.stream({
          method: "GET",
          path: EnginePath.make`/containers/${id}/logs`,
          query: {
            stdout: options.stdout ?? true,
            stderr: options.stderr ?? true,
            since: options.since,
            until: options.until,
            timestamps: options.timestamps,
            tail: options.tail
          },
          resource: "container"
        }),
        (response) => Multiplexed.collectText(tty ? Multiplexed.raw(response.body) : Multiplexed.demux(response.body))
      )
    )

  const logs = (id: string, options: LogsOptions = {}) =>
    Effect.flatMap(inspect(id), (info) => readLogs(info.Id, info.Config?.Tty === true, options))

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
        const output = yield* readLogs(Id, options.tty === true, {})
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
    run: ((options: RunOptions) => options.detach === true ? runDetached(options) : runAttached(options)) as Containers[
      "run"
    ]
  }
}
