/**
 * A test session: the id every container, network and volume it makes is labelled with, the host
 * this process reaches their published ports on, and the reaper, a container that removes what
 * the session left when the test process can no longer do it (killed, even by SIGKILL).
 *
 * The reaper is attached to from this process over the engine's own connection (the same Unix
 * socket, TCP, TLS or SSH transport as every request): when the process dies, the kernel closes
 * that connection, the engine ends the reaper's stdin, and the reaper removes everything with the
 * session's label. Nothing has to listen on a published port, so it works with remote engines and
 * where ports are not reachable. Its image is made offline from this process's own `node` binary
 * (or is any image with `node`).
 *
 * @example
 * ```ts
 * import { NodeDocker } from "@effect-docker/node"
 * import { TestSession } from "@effect-docker/testcontainers"
 * import { Layer } from "effect"
 *
 * // Every test container of a file on one session, with its reaper.
 * const TestLayer = TestSession.layer().pipe(Layer.provideMerge(NodeDocker.layerFromEnv()))
 * ```
 *
 * @since 0.2.0
 */
import { Docker, DockerHost } from "@effect-docker/client"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Host from "./internal/host.js"
import * as Reaper from "./internal/reaper.js"
import { ReaperError } from "./TestContainerError.js"

/**
 * The label with the session's id, on everything the session makes.
 *
 * @since 0.2.0
 * @category constants
 */
export const sessionLabel = "org.effect-docker.session"

/**
 * The label that marks what test containers made, session or not (reused containers too).
 *
 * @since 0.2.0
 * @category constants
 */
export const managedLabel = "org.effect-docker.testcontainers"

/**
 * The session's service.
 *
 * @since 0.2.0
 * @category tags
 */
export class TestSession extends Context.Tag("@effect-docker/testcontainers/TestSession")<TestSession, {
  /** Random per session; the value of {@link sessionLabel}. */
  readonly id: string
  /** Where this process reaches the ports the engine publishes. */
  readonly host: string
  /** The labels a resource of the session carries. */
  readonly labels: Readonly<Record<string, string>>
  /** The reaper's container id; `undefined` when the session runs without one. */
  readonly reaperId: string | undefined
}>() {}

/**
 * Options of the reaper.
 *
 * @since 0.2.0
 * @category models
 */
export interface ReaperOptions {
  /**
   * An image with `node` on its `PATH`; default an image made once per engine from this process's
   * own `node` binary and the libraries it loads (Linux hosts), with nothing to pull.
   */
  readonly image?: string | undefined
  /**
   * The engine's socket on the engine's machine, mounted into the reaper: default the socket this
   * process talks to for a `unix://` engine, `/var/run/docker.sock` for a remote one.
   */
  readonly socket?: string | undefined
  /** How long the end of the session waits for the reaper to finish and go; default 10 seconds. */
  readonly stopWait?: Duration.DurationInput | undefined
}

/**
 * Options of a session.
 *
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** `false` for no reaper (the FakeEngine, or an engine that cannot mount its socket); default on. */
  readonly reaper?: boolean | ReaperOptions | undefined
  /** Where this process reaches published ports, instead of the one worked out from the engine's address. */
  readonly host?: string | undefined
}

/**
 * Starts a session on the `Docker` service: the reaper (unless turned off) first, ready before
 * anything is created; the scope's close ends it, and the reaper removes what is left.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { TestSession } from "@effect-docker/testcontainers"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const session = yield* TestSession.make({ reaper: false })
 *   return session.labels // { "org.effect-docker.session": "…", "org.effect-docker.testcontainers": "true" }
 * }))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = Effect.fnUntraced(function*(options: Options = {}) {
  const docker = yield* Docker.Docker
  const id = Reaper.sessionId()
  const host = options.host ?? (yield* Host.resolve)
  const labels = { [sessionLabel]: id, [managedLabel]: "true" }
  if (options.reaper === false) return { id, host, labels, reaperId: undefined }
  const reaper = options.reaper === true || options.reaper === undefined ? {} : options.reaper
  const engineHost = DockerHost.parse(docker.engine.host)
  const socket = reaper.socket ??
    (Either.isRight(engineHost) && engineHost.right._tag === "Unix"
      ? engineHost.right.socketPath
      : "/var/run/docker.sock")
  const started = yield* Effect.gen(function*() {
    const image = reaper.image ?? (yield* Reaper.localImage)
    return yield* Reaper.start({
      image,
      socket,
      label: `${sessionLabel}=${id}`,
      sessionId: id,
      stopWait: reaper.stopWait ?? Duration.seconds(10)
    })
  }).pipe(
    Effect.catchIf(
      (error) => error._tag !== "ReaperError",
      (cause) => new ReaperError({ message: `cannot start the reaper: ${cause.message}`, cause })
    )
  )
  if (!started.ready) {
    return yield* new ReaperError({
      message: `the reaper ${started.id.slice(0, 12)} ended before it was ready` +
        (started.output === "" ? "" : `: ${started.output.slice(-2000)}`)
    })
  }
  yield* Effect.logDebug("test session started").pipe(
    Effect.annotateLogs({ "testcontainers.session": id, "testcontainers.reaper": started.id })
  )
  return { id, host, labels, reaperId: started.id }
}, (effect) => Effect.withSpan(effect, "testcontainers.session", { kind: "internal" }))

/**
 * The session as a layer: one per test file with `@effect/vitest`'s `layer(...)`.
 *
 * @example
 * ```ts
 * import { NodeDocker } from "@effect-docker/node"
 * import { TestSession } from "@effect-docker/testcontainers"
 * import { Layer } from "effect"
 *
 * const Live = TestSession.layer().pipe(Layer.provideMerge(NodeDocker.layerFromEnv()))
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<TestSession, ReaperError, Docker.Docker> =>
  Layer.scoped(TestSession, make(options))

/**
 * The session's settings from the environment: `EFFECT_DOCKER_REAPER=false` turns the reaper off,
 * `EFFECT_DOCKER_REAPER_IMAGE` and `EFFECT_DOCKER_REAPER_SOCKET` set its image and the socket it
 * mounts, and `TESTCONTAINERS_HOST_OVERRIDE` (testcontainers' own name) the host of published ports.
 *
 * @since 0.2.0
 * @category config
 */
export const optionsConfig: Config.Config<Options> = Config.all({
  reaper: Config.withDefault(Config.boolean("EFFECT_DOCKER_REAPER"), true),
  image: Config.option(Config.nonEmptyString("EFFECT_DOCKER_REAPER_IMAGE")),
  socket: Config.option(Config.nonEmptyString("EFFECT_DOCKER_REAPER_SOCKET")),
  host: Config.option(Config.nonEmptyString("TESTCONTAINERS_HOST_OVERRIDE"))
}).pipe(Config.map(({ host, image, reaper, socket }) => ({
  reaper: reaper && { image: Option.getOrUndefined(image), socket: Option.getOrUndefined(socket) },
  host: Option.getOrUndefined(host)
})))

/**
 * {@link layer} with the options of {@link optionsConfig}.
 *
 * @example
 * ```ts
 * import { TestSession } from "@effect-docker/testcontainers"
 *
 * // EFFECT_DOCKER_REAPER=false with the FakeEngine, or an engine whose socket cannot be mounted.
 * const Session = TestSession.layerFromEnv
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layerFromEnv: Layer.Layer<TestSession, ReaperError | ConfigError.ConfigError, Docker.Docker> = Layer
  .scoped(TestSession, Effect.flatMap(optionsConfig, make))
