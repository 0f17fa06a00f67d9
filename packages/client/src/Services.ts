/**
 * Swarm services: `docker.services.*`, with their logs, and as programs use them: created and
 * awaited until their tasks run ({@link Services.converged}), rolled out to a new spec and awaited
 * ({@link Services.rollout}), and removed with their tasks when a scope closes
 * ({@link Services.scoped}).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Docker } from "@effect-docker/client"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const docker = yield* Docker.Docker
 *   const web = yield* docker.services.scoped({
 *     Name: "web",
 *     TaskTemplate: { ContainerSpec: { Image: "busybox", Args: ["httpd", "-f", "-p", "8080"] } },
 *     Mode: { Replicated: { Replicas: 3 } }
 *   }) // returned once its three tasks run
 *   yield* docker.services.rollout(web.ID, (spec) => ({
 *     ...spec,
 *     TaskTemplate: { ...spec.TaskTemplate, ContainerSpec: { ...spec.TaskTemplate?.ContainerSpec, Env: ["V=2"] } }
 *   })) // returned once the update completed; a rolled back one fails with a ServiceConvergenceError
 * }))
 * ```
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as Tracer from "effect/Tracer"
import type { DockerEngine, EngineError } from "./DockerEngine.js"
import type { DockerConfigError, DockerDecodeError, DockerStreamError } from "./DockerError.js"
import * as Groups from "./generated/Groups.js"
import type * as Operations from "./generated/Operations.js"
import * as Requests from "./generated/Requests.js"
import type * as Schemas from "./generated/Schemas.js"
import * as Convergence from "./internal/serviceConvergence.js"
import * as Logs from "./Logs.js"
import * as RegistryAuth from "./RegistryAuth.js"
import * as Release from "./Release.js"
import type { ServiceConvergenceError } from "./WorkflowError.js"

/**
 * How {@link Services.converged} waits.
 *
 * @since 0.2.0
 * @category models
 */
export type ConvergeOptions = Convergence.ConvergeOptions

/**
 * What waiting for a service to converge can fail with.
 *
 * @since 0.2.0
 * @category errors
 */
export type ConvergeError =
  | ServiceConvergenceError
  | Operations.ServiceInspectError
  | Operations.ServiceListError
  | Operations.TaskListError
  | Operations.NodeListError

/**
 * Options of {@link Services.scoped}.
 *
 * @since 0.2.0
 * @category models
 */
export interface ScopedOptions extends Operations.ServiceCreateOptions {
  /** How to wait for the service's tasks before it is handed over; `false` not to wait. */
  readonly converge?: ConvergeOptions | false | undefined
  /** How long the release waits for the service's tasks to be gone; default 60 seconds. */
  readonly removeTimeout?: Duration.DurationInput | undefined
  /** Where a failed release goes; default {@link Release.logReleaseError}. */
  readonly onReleaseError?: Release.OnReleaseError | undefined
}

/**
 * `docker.services`: the generated operations, plus logs (the engine needs the json-file or
 * journald log driver).
 *
 * @since 0.1.0
 * @category models
 */
export interface Services
  extends
    Omit<Groups.Services, "create" | "update">,
    Logs.Readable<EngineError | DockerDecodeError | DockerStreamError, Requests.ServiceLogsOptions>
{
  /**
   * Creates a service (`POST /services/create`). Without `registryAuth`, the credentials for the
   * service's image come from the `RegistryCredentials` service, when provided, so that nodes can
   * pull from a private registry.
   */
  readonly create: (
    body: Schemas.ServiceCreateBody,
    options?: Operations.ServiceCreateOptions
  ) => Effect.Effect<Schemas.ServiceCreateResponse, Operations.ServiceCreateError | DockerConfigError>
  /** Updates a service (`POST /services/{id}/update`), with credentials as for {@link create}. */
  readonly update: (
    id: string,
    body: Schemas.ServiceUpdateBody,
    options: Operations.ServiceUpdateOptions
  ) => Effect.Effect<Schemas.ServiceUpdateResponse, Operations.ServiceUpdateError | DockerConfigError>
  /**
   * Waits until the service has converged, and returns it as last listed (with `ServiceStatus`):
   * all its desired tasks running (a replicated service's replicas, a global service's task per
   * eligible node), a job's completions done, and no update in progress. An update that the
   * engine paused or rolled back fails at once, and tasks not running in time fail after the
   * timeout: both with a `ServiceConvergenceError` that carries the latest task failures.
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { Docker } from "@effect-docker/client"
   *
   * const ready = Effect.flatMap(Docker.Docker, (docker) =>
   *   docker.services.converged("web", { timeout: "2 minutes" })
   * ).pipe(
   *   Effect.map((service) => service.ServiceStatus?.RunningTasks)
   * )
   * ```
   */
  readonly converged: (
    idOrName: string,
    options?: ConvergeOptions
  ) => Effect.Effect<Schemas.Service, ConvergeError>
  /**
   * Rolls the service out to the spec `change` makes of its current one, as `docker service
   * update` does: updates it at its current version (credentials as for {@link create}), then
   * waits until the update completed and the new tasks run (see {@link converged}). A failed
   * update fails with a `ServiceConvergenceError`: `UpdatePaused`, or `RolledBack` when its
   * `UpdateConfig.FailureAction` is `rollback`.
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { Docker } from "@effect-docker/client"
   *
   * const scaled = Effect.flatMap(Docker.Docker, (docker) =>
   *   docker.services.rollout("web", (spec) => ({ ...spec, Mode: { Replicated: { Replicas: 5 } } }))
   * )
   * ```
   */
  readonly rollout: (
    idOrName: string,
    change: (spec: Schemas.ServiceSpec) => Schemas.ServiceSpec,
    options?: ConvergeOptions & Pick<Operations.ServiceUpdateOptions, "registryAuth" | "registryAuthFrom">
  ) => Effect.Effect<Schemas.Service, ConvergeError | Operations.ServiceUpdateError | DockerConfigError>
  /**
   * A service that lives as long as the scope: created, handed over once it has converged (see
   * {@link converged}; `converge: false` not to wait), and removed when the scope closes, the
   * release waiting until its tasks are gone so that the networks, secrets and configs they used
   * can be removed after it. A service that fails to converge is removed too.
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { Docker } from "@effect-docker/client"
   *
   * const program = Effect.scoped(Effect.gen(function*() {
   *   const docker = yield* Docker.Docker
   *   const agents = yield* docker.services.scoped({
   *     Name: "agent",
   *     TaskTemplate: { ContainerSpec: { Image: "busybox", Args: ["sleep", "3600"] } },
   *     Mode: { Global: {} }
   *   })
   *   return agents.ServiceStatus?.RunningTasks // one per node
   * }))
   * ```
   */
  readonly scoped: (
    spec: Schemas.ServiceCreateBody,
    options?: ScopedOptions
  ) => Effect.Effect<Schemas.Service, ConvergeError | Operations.ServiceCreateError | DockerConfigError, Scope.Scope>
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  engine: DockerEngine["Type"],
  credentials?: RegistryAuth.RegistryCredentials["Type"]
): Services => {
  const generated = Groups.services(engine)
  const tasks = Groups.tasks(engine)
  const operations = { services: generated, tasks, nodes: Groups.nodes(engine) }
  const traced = <A, E, R>(self: Effect.Effect<A, E, R>, name: string, options: Tracer.SpanOptions) =>
    engine.tracing ? Effect.withSpan(self, name, options) : self
  const authFor = (body: Schemas.ServiceCreateBody, explicit: Operations.ServiceCreateOptions["registryAuth"]) =>
    RegistryAuth.resolve(credentials, body.TaskTemplate?.ContainerSpec?.Image, explicit)
  const create: Services["create"] = (body, options = {}) =>
    Effect.flatMap(
      authFor(body, options.registryAuth),
      (registryAuth) => generated.create(body, { ...options, registryAuth })
    )
  const update: Services["update"] = (id, body, options) =>
    Effect.flatMap(
      authFor(body, options.registryAuth),
      (registryAuth) => generated.update(id, body, { ...options, registryAuth })
    )
  const converged: Services["converged"] = (idOrName, options = {}) =>
    traced(Convergence.converged(operations, idOrName, options), "docker.services.converged", {
      attributes: { "docker.service": idOrName }
    })
  return {
    ...generated,
    create,
    update,
    converged,
    rollout: (idOrName, change, options = {}) =>
      traced(
        Effect.gen(function*() {
          const current = yield* generated.inspect(idOrName)
          const previous = current.Spec ?? {}
          yield* update(current.ID, change(previous), {
            version: current.Version?.Index ?? 0,
            registryAuth: options.registryAuth,
            registryAuthFrom: options.registryAuthFrom
          })
          return yield* Convergence.converged(operations, current.ID, { ...options, previous })
        }),
        "docker.services.rollout",
        { attributes: { "docker.service": idOrName } }
      ),
    scoped: (spec, options = {}) =>
      Effect.gen(function*() {
        // Acquired before the wait, so that a service that does not converge is removed too.
        // An engine that answered without the ID still knows the service by its name.
        const id = yield* Release.removedWithScope(
          "service",
          Effect.map(create(spec, options), (created) => created.ID ?? spec.Name ?? ""),
          (id) => id,
          (id) => Effect.zipRight(generated.remove(id), Convergence.tasksGone(tasks, id, options.removeTimeout)),
          { onReleaseError: options.onReleaseError, tracing: engine.tracing }
        )
        return options.converge === false
          ? yield* generated.inspect(id)
          : yield* converged(id, options.converge)
      }),
    ...Logs.readable(
      engine,
      generated.inspect,
      (info) => ({ id: info.ID, tty: info.Spec?.TaskTemplate?.ContainerSpec?.TTY === true }),
      Requests.ServiceLogs
    )
  }
}
