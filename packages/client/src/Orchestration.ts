/**
 * Running containers as programs do: `run` (to its end, or detached), `runStream` and `scoped`,
 * as `docker.containers` offers them. They are built on the container, image and exec
 * operations they are given, with the output attached before the start so that none is lost.
 *
 * @since 0.2.0
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import { identity } from "effect/Function"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Tracer from "effect/Tracer"
import type { DockerEngine, EngineError } from "./DockerEngine.js"
import { type DockerConfigError, type DockerDecodeError, type DockerStreamError } from "./DockerError.js"
import type { Exec } from "./Exec.js"
import type * as Groups from "./generated/Groups.js"
import type { ContainerCreateResponse, ContainerInspectResponse } from "./generated/Schemas.js"
import type { Images } from "./Images.js"
import type * as Logs from "./Logs.js"
import * as Multiplexed from "./Multiplexed.js"
import * as Readiness from "./Readiness.js"
import * as Release from "./Release.js"
import * as RunOptions from "./RunOptions.js"
import { ContainerExitError, type DockerReadinessError, type PullError } from "./WorkflowError.js"

type RunOptions = RunOptions.RunOptions

/**
 * What `run` can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type RunError = EngineError | DockerDecodeError | DockerStreamError | PullError | DockerConfigError

/**
 * Options of `docker.containers.scoped`: run options, the readiness to wait for, and how to release.
 *
 * @since 0.1.0
 * @category models
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
 * `run`, `runStream` and `scoped`, as `docker.containers` offers them.
 *
 * @since 0.2.0
 * @category models
 */
export interface Orchestration {
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
   * docker-py's `containers.create(image, ...)`: a container created from run options, its image
   * pulled first when missing (the `pull` policy), not started: for what must happen between the
   * create and the start (files copied in, networks joined).
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { Docker } from "@effect-docker/client"
   *
   * const created = Effect.flatMap(Docker.Docker, (docker) =>
   *   docker.containers.createWith({ image: "busybox", cmd: ["sleep", "60"] })
   * ) // Effect<ContainerCreateResponse, RunError>: { Id, Warnings }
   * ```
   */
  readonly createWith: (
    options: Omit<RunOptions, "detach" | "remove">
  ) => Effect.Effect<ContainerCreateResponse, RunError>
  /**
   * A container created for the scope (its image pulled when missing), not started, and released
   * as `scoped` releases it when the scope closes (stopped within `stopTimeout`, then removed):
   * for what must happen between the create and the start of a scoped container.
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { Docker } from "@effect-docker/client"
   *
   * const program = Effect.scoped(Effect.gen(function*() {
   *   const docker = yield* Docker.Docker
   *   const { Id } = yield* docker.containers.createScoped({ image: "busybox", cmd: ["sleep", "60"] })
   *   // copy files in, join networks, then docker.containers.start(Id)
   * }))
   * ```
   */
  readonly createScoped: (
    options: Omit<ScopedOptions, "readiness">
  ) => Effect.Effect<ContainerCreateResponse, RunError, Scope.Scope>
  /**
   * Runs a container and streams its output while it runs (docker-py's `run(stream=True)`); the
   * stream fails with `ContainerExitError` when the container exits with a non-zero code,
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

/**
 * What the orchestration is built on: the engine, the operations it calls, and an attach to a
 * container whose id and TTY setting are known.
 *
 * @since 0.2.0
 * @category models
 */
export interface Dependencies {
  readonly engine: DockerEngine["Type"]
  readonly images: Pick<Images, "pull">
  readonly exec: Exec
  readonly containers:
    & Pick<Groups.Containers, "create" | "inspect" | "remove" | "start" | "stop" | "wait">
    & Logs.Readable<EngineError | DockerDecodeError | DockerStreamError>
  readonly attach: (
    id: string,
    tty: boolean
  ) => Effect.Effect<Multiplexed.Session, EngineError | DockerDecodeError, Scope.Scope>
}

/** The attributes of a workflow's span: its image; the requests it makes are its children. */
const spanOptions = (options: RunOptions) => ({
  kind: "internal" as const,
  attributes: {
    "docker.image.name": options.image,
    ...(options.name === undefined ? {} : { "docker.container.name": options.name })
  },
  captureStackTrace: false
})

/**
 * The orchestration on `dependencies`.
 *
 * @example
 * ```ts
 * import { Orchestration } from "@effect-docker/client"
 *
 * // docker.containers spreads Orchestration.make({ engine, images, exec, containers, attach }).
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (dependencies: Dependencies): Orchestration => {
  const { attach: attachTo, containers, exec, images } = dependencies
  const { create, inspect, logStream, logs, remove, start, stop, wait } = containers
  // The engine's `tracing` setting covers the workflows' spans as well as its requests'.
  const { tracing } = dependencies.engine
  const released = { tracing }
  const traced = <A, E, R>(self: Effect.Effect<A, E, R>, name: string, options: Tracer.SpanOptions) =>
    tracing ? Effect.withSpan(self, name, options) : self
  const tracedScoped = <A, E, R>(
    self: Effect.Effect<A, E, R>,
    name: string,
    options: Tracer.SpanOptions
  ): Effect.Effect<A, E, R | Scope.Scope> => tracing ? Effect.withSpanScoped(self, name, options) : self

  const createPulling = (
    options: RunOptions,
    pulling: <A, E>(pull: Effect.Effect<A, E>) => Effect.Effect<A, E> = identity
  ) => {
    const body = RunOptions.toCreateBody(options)
    const createOptions = {
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(options.platform !== undefined ? { platform: options.platform } : {})
    }
    const pullOptions = options.platform !== undefined ? { platform: options.platform } : {}
    const pull = pulling(images.pull(options.image, pullOptions))
    const policy = options.pull ?? "missing"
    const attempt = Effect.flatMap(body, (body) => create(body, createOptions))
    if (policy === "always") return Effect.zipRight(pull, attempt)
    if (policy === "never") return attempt
    return attempt.pipe(
      Effect.catchIf(
        (error) => error._tag === "NotFound" && error.resource === "image",
        () => Effect.zipRight(pull, attempt)
      )
    )
  }

  /**
   * Starts a created container with its output attached first, as the docker CLI does: nothing
   * is lost, whatever the log driver (`none` included) and however soon the engine removes the
   * container (`AutoRemove`). The exit code comes from a wait sent before the start when the
   * engine removes the container, else after its output ended.
   */
  const startAttached = (id: string, options: RunOptions) =>
    Effect.gen(function*() {
      const session = yield* attachTo(id, options.tty === true)
      const autoRemove = (options.hostConfig?.AutoRemove ?? options.config?.HostConfig?.AutoRemove) === true
      const removed = autoRemove ? yield* Effect.forkScoped(wait(id, { condition: "removed" })) : undefined
      yield* start(id)
      const exitCode = Effect.map(removed === undefined ? wait(id) : Fiber.join(removed), (_) => _.StatusCode)
      return { output: session.output, exitCode }
    })

  const runAttached = (options: RunOptions) =>
    Effect.flatMap(createPulling(options), ({ Id }) => {
      const body = Effect.scoped(Effect.gen(function*() {
        const { exitCode, output } = yield* startAttached(Id, options)
        const text = yield* Multiplexed.collectText(output)
        const code = yield* exitCode
        if (code !== 0) return yield* exitError(Id, options, code, text.stderr)
        return text.stdout
      }))
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

  const exitError = (id: string, options: RunOptions, exitCode: number, stderr: string) => {
    const command = options.cmd === undefined
      ? undefined
      : Either.getOrUndefined(RunOptions.commandList(options.cmd))
    const what = command === undefined ? "The default command" : `Command '[${command.join(" ")}]'`
    return new ContainerExitError({
      containerId: id,
      image: options.image,
      command,
      exitCode,
      stderr,
      message: `${what} in image '${options.image}' returned non-zero exit status ${exitCode}` +
        (stderr.trim() === "" ? "" : `: ${stderr.trim().slice(-500)}`)
    })
  }

  const runStream = (options: Omit<RunOptions, "detach">) =>
    // The span lives as long as the stream: it ends when the stream's scope closes.
    Stream.unwrapScoped(tracedScoped(
      Effect.gen(function*() {
        const { Id } = options.remove === true
          ? yield* createReleased(
            options,
            (id) =>
              Release.step("container", id, "remove", remove(id, { force: true }), Release.logReleaseError, released)
          )
          : yield* createPulling(options)
        const { exitCode, output } = yield* startAttached(Id, options)
        // The last stderr lines, for the error of a non-zero exit.
        let stderr = ""
        const decoder = new TextDecoder()
        const exit = Effect.flatMap(
          exitCode,
          (code) => code === 0 ? Effect.void : Effect.fail(exitError(Id, options, code, stderr + decoder.decode()))
        )
        return Stream.concat(
          Stream.tap(output, (frame) =>
            Effect.sync(() => {
              if (frame.stream === "stderr") {
                stderr = (stderr + decoder.decode(frame.data, { stream: true })).slice(-4096)
              }
            })),
          Stream.drain(Stream.fromEffect(exit))
        )
      }),
      "docker.containers.runStream",
      spanOptions(options)
    ))

  /** Created with the release `scoped` has: a stop within `stopTimeout`, then the removal. */
  const createScoped = (options: Omit<ScopedOptions, "readiness">) => {
    const onError = options.onReleaseError ?? Release.logReleaseError
    return createReleased(options, (id) =>
      Effect.zipRight(
        Release.step(
          "container",
          id,
          "stop",
          stop(id, { timeout: options.stopTimeout ?? "10 seconds" }),
          onError,
          released
        ),
        Release.step(
          "container",
          id,
          "remove",
          remove(id, { force: true, volumes: options.removeVolumes }),
          onError,
          released
        )
      ))
  }

  const scoped = (options: ScopedOptions) =>
    Effect.gen(function*() {
      const { Id } = yield* createScoped(options)
      yield* start(Id)
      if (options.readiness !== undefined) {
        yield* Readiness.wait({ id: Id, containers: { inspect, logs, logStream, wait }, exec }, options.readiness)
      }
      return yield* inspect(Id)
    })

  return {
    run: ((options: RunOptions) =>
      options.detach === true
        ? traced(runDetached(options), "docker.containers.run", spanOptions(options))
        : traced(runAttached(options), "docker.containers.run", spanOptions(options))) as Orchestration["run"],
    createWith: (options) => traced(createPulling(options), "docker.containers.createWith", spanOptions(options)),
    createScoped: (options) => traced(createScoped(options), "docker.containers.createScoped", spanOptions(options)),
    runStream,
    scoped: (options: ScopedOptions) => traced(scoped(options), "docker.containers.scoped", spanOptions(options))
  }
}
