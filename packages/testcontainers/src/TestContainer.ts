/**
 * Throwaway containers for tests: a definition (an image or a build from a folder, and what
 * `docker run` takes), started as a scoped handle once its wait strategy holds, and stopped and
 * removed when its scope closes, whatever the test's outcome. As a `Layer` it is shared by the
 * tests of a file (`@effect/vitest`'s `layer(...)`) and released after them.
 *
 * Every container carries the session's labels, so that the session's reaper removes it when the
 * test process dies before it can. A definition marked `reuse` is looked up by the hash of what it
 * makes and reused across runs instead of recreated, and is left running at the end.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { TestContainer, Wait } from "@effect-docker/testcontainers"
 *
 * const web = TestContainer.start({
 *   image: "busybox",
 *   cmd: ["httpd", "-f", "-p", "80"],
 *   exposedPorts: [80],
 *   wait: Wait.forHttp("/", 80, { status: 404 })
 * })
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const server = yield* web
 *   return `http://${yield* server.endpoint(80)}/`
 * }))
 * ```
 *
 * @since 0.2.0
 */
import type { Docker, Readiness } from "@effect-docker/client"
import type { EngineError } from "@effect-docker/client/DockerEngine"
import type { DockerConfigError, DockerDecodeError, DockerStreamError } from "@effect-docker/client/DockerError"
import type * as Exec from "@effect-docker/client/Exec"
import type * as Logs from "@effect-docker/client/Logs"
import type * as Multiplexed from "@effect-docker/client/Multiplexed"
import type * as Orchestration from "@effect-docker/client/Orchestration"
import type * as RunOptions from "@effect-docker/client/RunOptions"
import type { ContainerInspectResponse } from "@effect-docker/client/Schemas"
import type { BuildError, DockerReadinessError, PullError } from "@effect-docker/client/WorkflowError"
import type * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import * as Start from "./internal/start.js"
import type { PortNotMappedError } from "./TestContainerError.js"
import type { StartedTestNetwork } from "./TestNetwork.js"
import type { TestSession } from "./TestSession.js"
import type { Wait } from "./Wait.js"

/**
 * An image built from a folder before the start (`docker build`), cached by the engine as builds are.
 *
 * @since 0.2.0
 * @category models
 */
export interface Build {
  /** The build context folder. */
  readonly context: string
  /** The Dockerfile, relative to the folder or absolute; default `Dockerfile`. */
  readonly dockerfile?: string | undefined
  readonly buildArgs?: Readonly<Record<string, string>> | undefined
  /** The stage to build. */
  readonly target?: string | undefined
  /** The image's name; default one made from the folder, Dockerfile and arguments. */
  readonly tag?: string | undefined
}

/**
 * A file copied into the container before it starts: given content, or a host file or folder.
 *
 * @since 0.2.0
 * @category models
 */
export type CopyIn =
  | { readonly target: string; readonly content: string | Uint8Array; readonly mode?: number | undefined }
  | { readonly target: string; readonly source: string }

/**
 * A network the container joins, with the names others on it reach the container by.
 *
 * @since 0.2.0
 * @category models
 */
export interface NetworkAttachment {
  readonly network: string | StartedTestNetwork
  readonly aliases?: ReadonlyArray<string> | undefined
}

/**
 * A container definition: what `docker.containers.run` takes (command, entrypoint, env, labels,
 * user, binds as `volumes`, resource limits, health check, ...), and what tests add.
 *
 * @since 0.2.0
 * @category models
 */
export interface Definition extends
  Omit<
    RunOptions.RunOptions,
    "image" | "detach" | "remove" | "network" | "networkAliases"
  >,
  Pick<Orchestration.ScopedOptions, "stopTimeout" | "removeVolumes" | "onReleaseError">
{
  readonly image: string | Build
  /** Container ports published on ports the engine picks; read them back with `mappedPort`. */
  readonly exposedPorts?: ReadonlyArray<number | string> | undefined
  /** Files and folders copied in before the start. */
  readonly files?: ReadonlyArray<CopyIn> | undefined
  /** tmpfs mounts: path to options (`"rw,size=64m"`). */
  readonly tmpfs?: Readonly<Record<string, string>> | undefined
  readonly privileged?: boolean | undefined
  /** Networks to join, with aliases; the first at create, the others before the start. */
  readonly networks?: ReadonlyArray<NetworkAttachment> | undefined
  /** `"host"`, `"none"`, `"container:<id>"`: instead of `networks`. */
  readonly networkMode?: string | undefined
  /** What must hold before the container is handed over; default none. */
  readonly wait?: Wait | undefined
  /** The bound on the whole wait; default 60 seconds. */
  readonly startupTimeout?: Duration.DurationInput | undefined
  /**
   * Look for a container this same definition made (by a hash label), running or not, and use it
   * instead of a new one; it outlives the scope and the session.
   */
  readonly reuse?: boolean | undefined
}

/**
 * What `start` can fail with.
 *
 * @since 0.2.0
 * @category errors
 */
export type StartError =
  | EngineError
  | DockerDecodeError
  | DockerStreamError
  | DockerConfigError
  | PullError
  | BuildError
  | DockerReadinessError

/**
 * A started test container. Its operations ask the engine each time: a port read after a restart
 * is the port after the restart.
 *
 * @since 0.2.0
 * @category models
 */
export interface StartedTestContainer {
  readonly id: string
  readonly name: string
  /** Where this process reaches the container's published ports. */
  readonly host: string
  /** The inspect data once it was ready. */
  readonly info: ContainerInspectResponse
  /** Whether it was found from an earlier run (`reuse`) rather than made now. */
  readonly reused: boolean
  /** Fresh inspect data. */
  readonly inspect: Effect.Effect<ContainerInspectResponse, EngineError | DockerDecodeError>
  /** The host port a container port (`80`, `"53/udp"`) is published on. */
  readonly mappedPort: (
    port: number | string
  ) => Effect.Effect<number, PortNotMappedError | EngineError | DockerDecodeError>
  /** `host:mappedPort`, ready for a URL. */
  readonly endpoint: (
    port: number | string
  ) => Effect.Effect<string, PortNotMappedError | EngineError | DockerDecodeError>
  /** Runs a command (a list, or a string for `sh -c`) to its end: exit code, stdout and stderr. */
  readonly exec: (
    cmd: ReadonlyArray<string> | string,
    options?: Omit<Exec.RunOptions, "cmd" | "demux">
  ) => Effect.Effect<Exec.RunResult, EngineError | DockerDecodeError | DockerStreamError>
  /** Its output as frames; with `follow`, while it runs. */
  readonly logs: (
    options?: Logs.LogStreamOptions
  ) => Stream.Stream<Multiplexed.Frame, EngineError | DockerDecodeError | DockerStreamError>
  readonly copyTo: (files: ReadonlyArray<CopyIn>) => Effect.Effect<void, EngineError | DockerConfigError>
  /** A path in the container as a tar stream. */
  readonly copyFrom: (path: string) => Stream.Stream<Uint8Array, EngineError | DockerDecodeError | DockerStreamError>
  /** The content of one file in the container. */
  readonly readFile: (path: string) => Effect.Effect<Uint8Array, EngineError | DockerDecodeError | DockerStreamError>
  readonly restart: (options?: { readonly timeout?: Duration.DurationInput }) => Effect.Effect<void, EngineError>
  readonly stop: (options?: { readonly timeout?: Duration.DurationInput }) => Effect.Effect<void, EngineError>
  readonly start: Effect.Effect<void, EngineError>
}

/**
 * Starts a container for the scope: the image built or pulled when needed, created with the
 * session's labels, files copied in, networks joined, started, and handed over once `wait`
 * holds (within `startupTimeout`). The scope's close stops and removes it (not a reused one).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { TestContainer, Wait } from "@effect-docker/testcontainers"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const job = yield* TestContainer.start({
 *     image: "busybox",
 *     cmd: ["sh", "-c", "cat /config.txt; sleep 60"],
 *     files: [{ target: "/config.txt", content: "debug=true\n" }],
 *     wait: Wait.forLogMessage("debug=true")
 *   })
 *   return (yield* job.exec(["cat", "/config.txt"])).stdout
 * }))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const start = (
  definition: Definition
): Effect.Effect<StartedTestContainer, StartError, Docker.Docker | TestSession | Scope.Scope> =>
  Start.start(definition).pipe(
    Effect.withSpan("testcontainers.start", {
      kind: "internal",
      attributes: {
        "docker.image.name": typeof definition.image === "string" ? definition.image : definition.image.context
      }
    })
  )

/**
 * A container as a layer under a tag of the test's own: `@effect/vitest`'s `layer(...)` starts it
 * once for a file's tests and removes it after them. The definition may be an effect of other
 * services: a set of containers on one test network, each a layer that reads the network's.
 *
 * @example
 * ```ts
 * import { Context, Effect, Layer } from "effect"
 * import { TestContainer, TestNetwork, Wait } from "@effect-docker/testcontainers"
 *
 * class Backend extends Context.Tag("Backend")<Backend, TestNetwork.StartedTestNetwork>() {}
 * class Web extends Context.Tag("Web")<Web, TestContainer.StartedTestContainer>() {}
 *
 * const WebLive = TestContainer.layer(Web, Effect.map(Backend, (network) => ({
 *   image: "busybox",
 *   cmd: ["httpd", "-f", "-p", "80"],
 *   networks: [{ network, aliases: ["web"] }],
 *   wait: Wait.forListeningPort(80)
 * }))).pipe(Layer.provideMerge(TestNetwork.layer(Backend)))
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layer: {
  <I>(
    tag: Context.Tag<I, StartedTestContainer>,
    definition: Definition
  ): Layer.Layer<I, StartError, Docker.Docker | TestSession>
  <I, E, R>(
    tag: Context.Tag<I, StartedTestContainer>,
    definition: Effect.Effect<Definition, E, R>
  ): Layer.Layer<I, StartError | E, Docker.Docker | TestSession | Exclude<R, Scope.Scope>>
} = <I, E, R>(
  tag: Context.Tag<I, StartedTestContainer>,
  definition: Definition | Effect.Effect<Definition, E, R>
) => Layer.scoped(tag, Effect.isEffect(definition) ? Effect.flatMap(definition, start) : start(definition))

/**
 * The readiness a definition waits for, as the start runs it: its strategy for the session's
 * host, within its startup timeout. For code that starts containers its own way.
 *
 * @example
 * ```ts
 * import { TestContainer, Wait } from "@effect-docker/testcontainers"
 *
 * const readiness = TestContainer.readinessOf({ image: "busybox", wait: Wait.forLogMessage("up") }, "localhost")
 * ```
 *
 * @since 0.2.0
 * @category combinators
 */
export const readinessOf: (definition: Definition, host: string) => Readiness.Readiness | undefined = Start.readinessOf
