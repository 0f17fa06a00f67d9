/**
 * Releasing scoped resources (`containers.scoped`, `networks.scoped`, `volumes.scoped`): each
 * step runs whatever happened to the steps before it, a step that finds its work already done
 * (the container already stopped or removed) succeeds, and a step that fails is reported as a
 * {@link DockerReleaseError}, never hidden and never thrown into the scope's exit.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { DockerReleaseError } from "./WorkflowError.js"

/**
 * What a scoped resource does with a step of its release that failed.
 *
 * @since 0.1.0
 * @category errors
 */
export type OnReleaseError = (error: DockerReleaseError) => Effect.Effect<void>

/**
 * The default {@link OnReleaseError}: an error-level log line through Effect's logger, annotated
 * with the resource, its id and the step.
 *
 * @since 0.1.0
 * @category combinators
 */
export const logReleaseError: OnReleaseError = (error) =>
  Effect.logError(error.message).pipe(
    Effect.annotateLogs({ resource: error.resource, id: error.id, step: error.step })
  )

/** A release step's debug line, annotated as {@link logReleaseError} annotates its failures. */
const logStep = (message: string, resource: string, id: string, step: string) =>
  Effect.annotateLogs(Effect.logDebug(message), { resource, id, step })

/** The step found its work done: gone already, or (for stop) not running. */
const alreadyDone = (error: { readonly _tag: string; readonly message?: string }) =>
  error._tag === "NotFound" || error._tag === "NotModified" ||
  // AutoRemove started the removal when the container stopped.
  (error._tag === "Conflict" && /already in progress/i.test(error.message ?? ""))

/**
 * One step of a release: what it finds done counts as done, a failure or a defect goes to
 * `onError`, and the effect itself always succeeds, so that the next step runs. The step is a
 * span (`docker.release.remove`, ...) unless `tracing` is `false` (the engine's setting, for the
 * releases of `containers.scoped`, `networks.scoped` and `volumes.scoped`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const step = <E extends { readonly _tag: string; readonly message?: string }>(
  resource: DockerReleaseError["resource"],
  id: string,
  name: DockerReleaseError["step"],
  effect: Effect.Effect<unknown, E>,
  onError: OnReleaseError,
  options: { readonly tracing?: boolean | undefined } = {}
): Effect.Effect<void> => {
  const released = effect.pipe(
    Effect.asVoid,
    Effect.tap(() => logStep(`released ${resource} ${id.slice(0, 12)}: ${name}`, resource, id, name)),
    Effect.catchIf(
      alreadyDone,
      (error) =>
        logStep(`released ${resource} ${id.slice(0, 12)}: ${name} was already done (${error._tag})`, resource, id, name)
    ),
    Effect.catchAllCause((cause) => {
      const failure = Cause.squash(cause)
      const detail = failure instanceof Error ? failure.message : String(failure)
      return onError(
        new DockerReleaseError({
          resource,
          id,
          step: name,
          cause: failure,
          message: `releasing ${resource} ${id.slice(0, 12)}: ${name} failed: ${detail}`
        })
      )
    })
  )
  return options.tracing === false ? released : Effect.withSpan(released, `docker.release.${name}`, {
    attributes: { "docker.release.resource": resource, "docker.release.id": id },
    captureStackTrace: false
  })
}

/**
 * A resource created now and removed when the scope closes, the removal being a {@link step}
 * (`onReleaseError` defaults to {@link logReleaseError}): what the `scoped` of networks, volumes,
 * secrets, configs and services are built on.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Docker, Release } from "@effect-docker/client"
 *
 * const network = Effect.flatMap(Docker.Docker, (docker) =>
 *   Release.removedWithScope("network", docker.networks.create({ Name: "app-net" }), ({ Id }) => Id, docker.networks.remove)
 * ) // Effect<NetworkCreateResponse, ..., Scope | Docker>
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const removedWithScope = <A, E, E2 extends { readonly _tag: string; readonly message?: string }>(
  resource: DockerReleaseError["resource"],
  create: Effect.Effect<A, E>,
  idOf: (created: A) => string,
  remove: (id: string) => Effect.Effect<unknown, E2>,
  options: { readonly onReleaseError?: OnReleaseError | undefined; readonly tracing?: boolean | undefined } = {}
): Effect.Effect<A, E, Scope.Scope> =>
  Effect.acquireRelease(create, (created) => {
    const id = idOf(created)
    return step(resource, id, "remove", remove(id), options.onReleaseError ?? logReleaseError, {
      tracing: options.tracing
    })
  })
