/**
 * What `docker.containers.run` takes: docker-py's `containers.run` options in camelCase, with its
 * conveniences (a command as one string, sizes such as `"1g"`, bare environment keys, links),
 * and how they become the engine's create body.
 *
 * @since 0.2.0
 */
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { DockerInputError } from "./DockerError.js"
import type { ContainerCreateBody } from "./generated/Schemas.js"
import * as ShellWords from "./internal/shellWords.js"

/**
 * Options of `docker.containers.run`: the docker-py `containers.run` shape, in camelCase.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunOptions {
  readonly image: string
  /** The command: a list, or one string split into words as a shell splits it (docker-py's `shlex.split`). */
  readonly cmd?: ReadonlyArray<string> | string
  /** The entrypoint: a list, or one string split as `cmd` is. */
  readonly entrypoint?: ReadonlyArray<string> | string
  /**
   * `{ KEY: "value" }` or `["KEY=value"]`; a bare `"KEY"` in the list passes this process's own
   * value of `KEY` through (left out when it has none), as `docker run -e KEY` does.
   */
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
  /** Memory limit: bytes, or a size such as `"700m"` or `"1g"` (see {@link parseBytes}). */
  readonly memory?: number | string
  /** Memory and swap together, as `memory`; `-1` for unlimited swap. */
  readonly memorySwap?: number | string
  /** Memory the engine tries to keep the container under when memory is short, as `memory`. */
  readonly memoryReservation?: number | string
  /** Size of `/dev/shm`, as `memory`. */
  readonly shmSize?: number | string
  /**
   * Links to other containers (legacy networking): `{ name: alias }` or `["name:alias"]`, as
   * docker-py's `links`.
   */
  readonly links?: Readonly<Record<string, string>> | ReadonlyArray<string>
  /** CPUs the container may use, e.g. `0.5` (the engine's `NanoCpus`). */
  readonly cpus?: number
  readonly pidsLimit?: number
  /** The logging driver and its options, e.g. `{ type: "json-file", config: { "max-size": "10m" } }`. */
  readonly logConfig?: { readonly type: string; readonly config?: Readonly<Record<string, string>> }
  /** A health check, which `Readiness.healthy` waits for. Durations in the engine's nanoseconds are set from these. */
  readonly healthcheck?: {
    /**
     * The command, as docker-py takes it: a list to run (`["pg_isready"]`, or the engine's own
     * form with `CMD` first), `["CMD-SHELL", "..."]` or a string for the shell, `["NONE"]` for none.
     */
    readonly test: ReadonlyArray<string> | string
    readonly interval?: Duration.DurationInput
    readonly timeout?: Duration.DurationInput
    readonly retries?: number
    readonly startPeriod?: Duration.DurationInput
    /** How often to check during the start period (API 1.44+; refused before sending on older engines). */
    readonly startInterval?: Duration.DurationInput
  }
  /** More of the Engine's `HostConfig`, merged under the options above. */
  readonly hostConfig?: Readonly<Record<string, unknown>>
  /** More Engine create fields, merged under the ones above. */
  readonly config?: ContainerCreateBody
  /** When to pull the image: `"missing"` (default), `"always"` or `"never"`. */
  readonly pull?: "missing" | "always" | "never"
  /**
   * Return once started, with the container's inspect data. Otherwise wait for it to exit and
   * return its stdout, failing with `ContainerExitError` on a non-zero exit code.
   */
  readonly detach?: boolean
  /** Remove the container when it ends (detached: the engine's `AutoRemove`). */
  readonly remove?: boolean
}

/** The host's environment, where the runtime has one (Node, Bun, Deno's Node compatibility). */
const hostEnv = (): Readonly<Record<string, string | undefined>> =>
  (globalThis as { readonly process?: { readonly env?: Record<string, string | undefined> } }).process?.env ?? {}

const envList = (env: RunOptions["env"]): ReadonlyArray<string> | undefined => {
  if (env === undefined) return undefined
  if (!Array.isArray(env)) return Object.entries(env).map(([key, value]) => `${key}=${value}`)
  return (env as ReadonlyArray<string>).flatMap((entry) => {
    if (entry.includes("=")) return [entry]
    const value = hostEnv()[entry]
    return value === undefined ? [] : [`${entry}=${value}`]
  })
}

const units: Record<string, number> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }

/**
 * A size as docker-py and the docker CLI read it: a number of bytes, or a string of a number and
 * a unit `b`, `k`, `m`, `g` or `t` (powers of 1024, any case, an optional trailing `b`:
 * `"700m"`, `"1g"`, `"512kb"`). A negative number (`-1`) passes as it is.
 *
 * @example
 * ```ts
 * import { RunOptions } from "@effect-docker/client"
 *
 * RunOptions.parseBytes("1g") // Either.right(1073741824)
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const parseBytes = (size: number | string): Either.Either<number, string> => {
  if (typeof size === "number") {
    return Number.isSafeInteger(size) ? Either.right(size) : Either.left(`${size} is not a whole number of bytes`)
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*([bkmgt]?)b?\s*$/i.exec(size)
  if (match === null) return Either.left(`${JSON.stringify(size)} is not a size such as "700m" or "1g"`)
  return Either.right(Math.round(Number(match[1]) * units[match[2]!.toLowerCase()]!))
}

/**
 * A command given as a list or as one string (split into words as a shell splits it).
 *
 * @example
 * ```ts
 * import { RunOptions } from "@effect-docker/client"
 *
 * RunOptions.commandList("sh -c 'echo hi'") // Either.right(["sh", "-c", "echo hi"])
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const commandList = (command: ReadonlyArray<string> | string): Either.Either<ReadonlyArray<string>, string> => {
  if (typeof command !== "string") return Either.right(command)
  const words = ShellWords.split(command)
  return "error" in words ? Either.left(words.error) : Either.right(words)
}

const linkList = (links: NonNullable<RunOptions["links"]>): ReadonlyArray<string> =>
  Array.isArray(links)
    ? links as ReadonlyArray<string>
    : Object.entries(links).map(([name, alias]) => `${name}:${alias}`)

const nanos = (duration: Duration.DurationInput | undefined) =>
  duration === undefined ? undefined : Number(Duration.toNanos(duration).pipe(Option.getOrElse(() => 0n)))

/**
 * A container port as the engine names it: `"80"` is `"80/tcp"`.
 *
 * @example
 * ```ts
 * import { RunOptions } from "@effect-docker/client"
 *
 * RunOptions.portKey("53/udp") // "53/udp"
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const portKey = (port: string): string => port.includes("/") ? port : `${port}/tcp`

const invalid = (option: string) => (reason: string) =>
  new DockerInputError({ reason: "Option", operation: "ContainerCreate", message: `${option}: ${reason}` })

/** A size option in bytes, unless absent. */
const bytesOption = (name: string, value: number | string | undefined) =>
  value === undefined
    ? Either.right(undefined)
    : Either.mapLeft(parseBytes(value), invalid(name))

/**
 * The engine's create body for run options: the docker-py names mapped to the Engine's fields;
 * a command that cannot be split or a size that cannot be read is a `DockerInputError`.
 *
 * @example
 * ```ts
 * import { RunOptions } from "@effect-docker/client"
 *
 * RunOptions.toCreateBody({ image: "busybox", cmd: "echo hi", memory: "64m" })
 * // Either.right({ Image: "busybox", Cmd: ["echo", "hi"], HostConfig: { Memory: 67108864 }, ... })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const toCreateBody = (options: RunOptions): Either.Either<ContainerCreateBody, DockerInputError> =>
  Either.gen(function*() {
    const cmd = options.cmd === undefined ? undefined : yield* Either.mapLeft(commandList(options.cmd), invalid("cmd"))
    const entrypoint = options.entrypoint === undefined
      ? undefined
      : yield* Either.mapLeft(commandList(options.entrypoint), invalid("entrypoint"))
    const sizes = {
      Memory: yield* bytesOption("memory", options.memory),
      MemorySwap: yield* bytesOption("memorySwap", options.memorySwap),
      MemoryReservation: yield* bytesOption("memoryReservation", options.memoryReservation),
      ShmSize: yield* bytesOption("shmSize", options.shmSize)
    }
    return createBody(options, cmd, entrypoint, sizes)
  })

const createBody = (
  options: RunOptions,
  cmd: ReadonlyArray<string> | undefined,
  entrypoint: ReadonlyArray<string> | undefined,
  sizes: Readonly<Record<string, number | undefined>>
): ContainerCreateBody => {
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
    ...Object.fromEntries(Object.entries(sizes).filter(([, value]) => value !== undefined)),
    ...(options.links !== undefined ? { Links: linkList(options.links) } : {}),
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
    ...(cmd !== undefined ? { Cmd: cmd } : {}),
    ...(entrypoint !== undefined ? { Entrypoint: entrypoint } : {}),
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
          Test: typeof health.test === "string"
            ? ["CMD-SHELL", health.test]
            : ["CMD", "CMD-SHELL", "NONE"].includes(health.test[0] ?? "")
            ? [...health.test]
            : ["CMD", ...health.test],
          ...(health.interval !== undefined ? { Interval: nanos(health.interval) } : {}),
          ...(health.timeout !== undefined ? { Timeout: nanos(health.timeout) } : {}),
          ...(health.retries !== undefined ? { Retries: health.retries } : {}),
          ...(health.startPeriod !== undefined ? { StartPeriod: nanos(health.startPeriod) } : {}),
          ...(health.startInterval !== undefined ? { StartInterval: nanos(health.startInterval) } : {})
        }
      }
      : {}),
    ...(options.network !== undefined && options.networkAliases !== undefined
      ? { NetworkingConfig: { EndpointsConfig: { [options.network]: { Aliases: options.networkAliases } } } }
      : {}),
    HostConfig: hostConfig
  }
}
