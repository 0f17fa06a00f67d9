/**
 * Compose projects run with the client's own typed calls, no `docker compose` binary: `up` as a
 * scoped resource (networks and volumes first, images built or pulled, services in dependency
 * order with their conditions, all or nothing), `down` when the scope closes, and a handle for
 * `ps`, merged `logs`, `exec`, one-off `run`s, `stop`, `restart` and `scale`. Resources carry
 * docker compose's labels, so `docker compose ps` and `logs` of the same project see them, and an
 * `up` of an unchanged service leaves its container running.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Compose, ComposeProject } from "@effect-docker/compose"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const project = yield* ComposeProject.load("./compose.yaml")
 *   const stack = yield* Compose.up(project)
 *   const { stdout } = yield* stack.exec("web", ["cat", "/etc/hostname"])
 *   return stdout
 * })) // every container stopped and removed, then the networks
 * ```
 *
 * @since 0.2.0
 */
import { Docker } from "@effect-docker/client"
import type { EngineError } from "@effect-docker/client/DockerEngine"
import type { DockerDecodeError, DockerStreamError } from "@effect-docker/client/DockerError"
import type * as Exec from "@effect-docker/client/Exec"
import type { RunError } from "@effect-docker/client/Orchestration"
import type { ContainerExitError } from "@effect-docker/client/WorkflowError"
import { TestSession } from "@effect-docker/testcontainers"
import type * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type { ComposeUpError } from "./ComposeError.js"
import type * as ComposeProject from "./ComposeProject.js"
import * as Handle from "./internal/handle.js"
import * as Up from "./internal/up.js"

/**
 * Options of {@link up}.
 *
 * @since 0.2.0
 * @category models
 */
export interface UpOptions {
  /** Leave the project running when the scope closes (as `docker compose up -d`); default `false`. */
  readonly keep?: boolean | undefined
  /** Remove the project's volumes too at the scope's close; default `false`. */
  readonly removeVolumes?: boolean | undefined
  /** How long a `service_healthy` or `service_completed_successfully` condition may take; default 2 minutes. */
  readonly timeout?: Duration.DurationInput | undefined
  /** More labels on every container, network and volume (a test session's, for its reaper). */
  readonly labels?: Readonly<Record<string, string>> | undefined
}

/**
 * A container of the project, as `docker compose ps` lists it.
 *
 * @since 0.2.0
 * @category models
 */
export interface ServiceContainer {
  readonly service: string
  readonly number: number
  readonly id: string
  readonly name: string
  readonly state: string
  readonly status: string
  readonly oneoff: boolean
}

/**
 * A line of the project's output, tagged with its service and container.
 *
 * @since 0.2.0
 * @category models
 */
export interface LogLine {
  readonly service: string
  readonly container: string
  readonly stream: "stdout" | "stderr"
  readonly line: string
}

/**
 * A running project.
 *
 * @since 0.2.0
 * @category models
 */
export interface ComposeHandle {
  readonly project: ComposeProject.Project
  /** The project's containers (one-offs too), as `docker compose ps -a`. */
  readonly ps: Effect.Effect<ReadonlyArray<ServiceContainer>, EngineError | DockerDecodeError>
  /** The ids of a service's containers, by number. */
  readonly containers: (service: string) => Effect.Effect<ReadonlyArray<string>, EngineError | DockerDecodeError>
  /** Every service's output (or the given ones'), a line at a time tagged by service; `follow` while they run. */
  readonly logs: (options?: {
    readonly services?: ReadonlyArray<string> | undefined
    readonly follow?: boolean | undefined
  }) => Stream.Stream<LogLine, EngineError | DockerDecodeError | DockerStreamError>
  /** Runs a command in a service's container (`index`, default 1). */
  readonly exec: (
    service: string,
    cmd: ReadonlyArray<string>,
    options?: { readonly index?: number | undefined }
  ) => Effect.Effect<Exec.RunResult, EngineError | DockerDecodeError | DockerStreamError | ComposeUpError>
  /** A one-off container of a service (`docker compose run --rm`): its stdout, or `ContainerExitError`. */
  readonly run: (
    service: string,
    cmd?: ReadonlyArray<string> | undefined
  ) => Effect.Effect<string, RunError | ContainerExitError | ComposeUpError>
  readonly stop: (services?: ReadonlyArray<string>) => Effect.Effect<void, EngineError | DockerDecodeError>
  readonly restart: (services?: ReadonlyArray<string>) => Effect.Effect<void, EngineError | DockerDecodeError>
  /** Runs `replicas` containers of a service: new ones made, the highest numbers removed. */
  readonly scale: (service: string, replicas: number) => Effect.Effect<void, ComposeUpError | RunError>
  /** Takes the project down now (the scope's close then has nothing to do). */
  readonly down: (
    options?: { readonly volumes?: boolean | undefined }
  ) => Effect.Effect<void, EngineError | DockerDecodeError>
}

/**
 * Starts a project for the scope and takes it down when the scope closes (unless `keep`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Compose, ComposeProject } from "@effect-docker/compose"
 *
 * const stack = Effect.flatMap(ComposeProject.load("./compose.yaml"), (project) => Compose.up(project))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const up = (
  project: ComposeProject.Project,
  options: UpOptions = {}
): Effect.Effect<ComposeHandle, ComposeUpError, Docker.Docker | Scope.Scope> =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    // The down is in the scope before anything is made: an interrupted up leaves nothing either.
    if (options.keep !== true) {
      yield* Effect.addFinalizer(() =>
        Effect.ignoreLogged(
          Effect.provideService(Up.down(project.name, { volumes: options.removeVolumes }), Docker.Docker, docker)
        )
      )
    }
    yield* Up.up(project, options)
    return Handle.make(docker, project, options)
  }).pipe(Effect.withSpan("compose.up", { kind: "internal", attributes: { "compose.project": project.name } }))

/**
 * The handle of a project that is already running (an `up` with `keep`, or `docker compose up`),
 * found by its name's labels: nothing is started, and nothing is taken down with a scope.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Compose, ComposeProject } from "@effect-docker/compose"
 *
 * const running = Effect.flatMap(ComposeProject.load("./compose.yaml"), (project) => Compose.handle(project))
 * // handle.ps lists what docker compose started for the project
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const handle = (
  project: ComposeProject.Project,
  options: Pick<UpOptions, "labels"> = {}
): Effect.Effect<ComposeHandle, never, Docker.Docker> =>
  Effect.map(Docker.Docker, (docker) => Handle.make(docker, project, options))

/**
 * Takes a project down by its name, whoever started it (this package or docker compose): its
 * containers, one-offs too, then its networks, and its volumes when asked.
 *
 * @example
 * ```ts
 * import { Compose } from "@effect-docker/compose"
 *
 * const cleaned = Compose.down("demo", { volumes: true })
 * ```
 *
 * @since 0.2.0
 * @category combinators
 */
export const down = (
  project: string,
  options: { readonly volumes?: boolean | undefined } = {}
): Effect.Effect<void, EngineError | DockerDecodeError, Docker.Docker> =>
  Up.down(project, options).pipe(
    Effect.withSpan("compose.down", { kind: "internal", attributes: { "compose.project": project } })
  )

/**
 * A project as a test layer under a tag of the test's own: up before the file's tests, down
 * after them; with a `TestSession` in context, its resources carry the session's labels, and the
 * session's reaper removes them if the test process dies.
 *
 * @example
 * ```ts
 * import { Context, Layer } from "effect"
 * import { Compose, ComposeProject } from "@effect-docker/compose"
 * import { TestSession } from "@effect-docker/testcontainers"
 *
 * class Stack extends Context.Tag("Stack")<Stack, Compose.ComposeHandle>() {}
 * const StackLive = Compose.layer(Stack, ComposeProject.load("./compose.yaml")).pipe(
 *   Layer.provideMerge(TestSession.layer())
 * )
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = <I, E, R>(
  tag: Context.Tag<I, ComposeHandle>,
  project: Effect.Effect<ComposeProject.Project, E, R>,
  options: UpOptions = {}
): Layer.Layer<I, E | ComposeUpError, Docker.Docker | Exclude<R, Scope.Scope>> =>
  Layer.scoped(
    tag,
    Effect.gen(function*() {
      const session = yield* Effect.serviceOption(TestSession.TestSession)
      const labels = Option.match(session, { onNone: () => ({}), onSome: (s) => s.labels })
      return yield* up(yield* project, { ...options, labels: { ...labels, ...options.labels } })
    })
  )
