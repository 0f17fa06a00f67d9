/**
 * Readiness conditions for containers, as values: wait until the engine's health check passes,
 * until a log line matches, until a port listens, until a command exits 0, or until the container
 * exits. Each has a timeout; a condition that fails says which one, why, and shows the last logs
 * in a {@link DockerReadinessError}. Conditions compose with {@link all} and {@link withTimeout},
 * and `docker.containers.scoped` waits for one before it hands the container over.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Docker, Readiness } from "@effect-docker/client"
 *
 * const database = Effect.gen(function*() {
 *   const docker = yield* Docker.Docker
 *   return yield* docker.containers.scoped({
 *     image: "postgres:16",
 *     env: { POSTGRES_PASSWORD: "example" },
 *     readiness: Readiness.all(
 *       Readiness.logLine(/ready to accept connections/, { times: 2 }),
 *       Readiness.listening(5432)
 *     )
 *   })
 * }) // Effect<ContainerInspectResponse, DockerReadinessError | ..., Scope | Docker>
 * ```
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import type { EngineError } from "./DockerEngine.js"
import { type DockerDecodeError, type DockerStreamError } from "./DockerError.js"
import type { Exec } from "./Exec.js"
import type * as Groups from "./generated/Groups.js"
import type { ContainerInspectResponse } from "./generated/Schemas.js"
import type * as Logs from "./Logs.js"
import { DockerReadinessError, type ReadinessFailure } from "./WorkflowError.js"

/**
 * What a condition runs against: the container, and the operations it may use.
 *
 * @since 0.1.0
 * @category models
 */
export interface Target {
  readonly id: string
  readonly containers:
    & Pick<Groups.Containers, "inspect" | "wait">
    & Logs.Readable<EngineError | DockerDecodeError | DockerStreamError>
  readonly exec: Pick<Exec, "run">
}

/**
 * What checking a condition can fail with, besides the condition itself not holding: the engine
 * or the connection to it.
 *
 * @since 0.1.0
 * @category errors
 */
export type CheckError = EngineError | DockerDecodeError | DockerStreamError

/**
 * The condition can no longer hold (the container exited, its health check failed): waiting
 * longer would not help. {@link wait} turns it into a {@link DockerReadinessError}.
 *
 * @since 0.1.0
 * @category errors
 */
export class NotReady extends Data.TaggedError("NotReady")<{
  readonly reason: ReadinessFailure
  readonly detail: string
}> {}

/**
 * A readiness condition.
 *
 * @since 0.1.0
 * @category models
 */
export interface Readiness {
  /** Says what is awaited, in errors: e.g. `log line matching /ready/`. */
  readonly description: string
  /** How long {@link wait} waits for it; `undefined` for no limit of its own (see {@link all}). */
  readonly timeout: Duration.Duration | undefined
  /** Completes when the condition holds; fails with {@link NotReady} when it no longer can. */
  readonly check: (target: Target) => Effect.Effect<void, NotReady | CheckError>
}

/**
 * Options every condition takes.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Default 60 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /** How often a polled condition looks again; default 100 milliseconds. */
  readonly interval?: Duration.DurationInput | undefined
}

const defaultTimeout = Duration.seconds(60)

/**
 * A condition from its description and check.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  description: string,
  check: Readiness["check"],
  options: Options = {}
): Readiness => ({
  description,
  timeout: Duration.decode(options.timeout ?? defaultTimeout),
  check
})

/** Fails with `Exited` when the container is not running (any more). */
const running = (target: Target) =>
  Effect.flatMap(target.containers.inspect(target.id), (info) =>
    info.State?.Running === true
      ? Effect.succeed(info)
      : Effect.fail(
        new NotReady({
          reason: "Exited",
          detail: `the container is ${info.State?.Status ?? "not running"}` +
            (info.State?.Status === "exited" ? ` (exit code ${info.State.ExitCode})` : "")
        })
      ))

/**
 * A condition polled until `holds` returns true, while the container runs; `holds` gets the
 * inspect data that showed it running.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Readiness } from "@effect-docker/client"
 *
 * // Ready once the container has written a file.
 * const written = Readiness.poll("a /tmp/ready file", (target) =>
 *   Effect.map(target.exec.run(target.id, { cmd: ["test", "-e", "/tmp/ready"] }), (run) => run.exitCode === 0))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const poll = (
  description: string,
  holds: (target: Target, info: ContainerInspectResponse) => Effect.Effect<boolean, NotReady | CheckError>,
  options: Options = {}
): Readiness =>
  make(description, (target) =>
    Effect.flatMap(
      running(target),
      // An exec refused with 409 because the container stopped in between: say it stopped.
      (info) =>
        Effect.catchTag(
          holds(target, info),
          "Conflict",
          (conflict) => Effect.zipRight(running(target), Effect.fail(conflict))
        )
    ).pipe(
      Effect.repeat({
        until: (done) => done,
        schedule: Schedule.spaced(options.interval ?? Duration.millis(100))
      }),
      Effect.asVoid
    ), options)

/**
 * The engine's health check reports `healthy` (the image's `HEALTHCHECK` or the container's
 * `Healthcheck`). Fails at once on `unhealthy`, or when the container has no health check.
 *
 * @since 0.1.0
 * @category constructors
 */
export const healthy = (options: Options = {}): Readiness =>
  poll("healthy", (_, info) => {
    const health = info.State?.Health
    if (health?.Status === "healthy") return Effect.succeed(true)
    if (health?.Status === "unhealthy") {
      const last = health.Log?.at(-1)
      return Effect.fail(
        new NotReady({
          reason: "Unhealthy",
          detail: `the health check failed ${health.FailingStreak ?? 0} times` +
            (last?.Output !== undefined ? `; last output: ${last.Output.trim()}` : "")
        })
      )
    }
    if (health === undefined || health === null || health.Status === "none") {
      return Effect.fail(new NotReady({ reason: "NoHealthCheck", detail: "the container has no health check" }))
    }
    return Effect.succeed(false)
  }, options)

/**
 * A line of the container's output (stdout or stderr, from its start) matches `pattern`, `times`
 * times (default once): a log line written before the wait began counts too.
 *
 * @since 0.1.0
 * @category constructors
 */
export const logLine = (
  pattern: RegExp | string,
  options: Options & { readonly times?: number } = {}
): Readiness => {
  const times = options.times ?? 1
  const matches = typeof pattern === "string" ? (line: string) => line.includes(pattern) : (line: string) => {
    pattern.lastIndex = 0
    return pattern.test(line)
  }
  const described = typeof pattern === "string" ? JSON.stringify(pattern) : String(pattern)
  return make(
    `log line matching ${described}${times > 1 ? ` ${times} times` : ""}`,
    (target) =>
      target.containers.logStream(target.id, { follow: true }).pipe(
        Stream.map((frame) => frame.data),
        Stream.decodeText(),
        Stream.splitLines,
        Stream.filter(matches),
        Stream.take(times),
        Stream.runCount,
        Effect.flatMap((seen) =>
          seen >= times
            ? Effect.void
            : Effect.zipRight(
              running(target),
              Effect.fail(new NotReady({ reason: "Exited", detail: "the log ended" }))
            )
        )
      ),
    options
  )
}

/** The TCP ports in LISTEN state in `/proc/net/tcp` and `/proc/net/tcp6` content. */
const listeningPorts = (table: string): Set<number> => {
  const ports = new Set<number>()
  for (const line of table.split("\n")) {
    // sl local_address rem_address st ...: "0: 00000000:1F90 00000000:0000 0A ..."
    const fields = line.trim().split(/\s+/)
    if (fields.length < 4 || fields[3] !== "0A") continue
    const port = Number.parseInt(fields[1]!.split(":")[1] ?? "", 16)
    if (Number.isInteger(port)) ports.add(port)
  }
  return ports
}

/**
 * A process in the container listens on TCP `port` (IPv4 or IPv6), as its own network namespace
 * sees it: no published port and no route from the client are needed. Reads `/proc/net/tcp*` with
 * `cat` in the container; an image without `cat` fails with `Unsupported`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const listening = (port: number, options: Options = {}): Readiness =>
  poll(
    `port ${port}/tcp listening`,
    (target) =>
      Effect.flatMap(target.exec.run(target.id, { cmd: ["cat", "/proc/net/tcp", "/proc/net/tcp6"] }), (run) =>
        // 126 and 127: the command could not run. A missing tcp6 table (no IPv6) only makes cat exit 1.
        run.exitCode === 126 || run.exitCode === 127
          ? Effect.fail(
            new NotReady({
              reason: "Unsupported",
              detail: `cannot read /proc/net/tcp in the container: ${run.stderr.trim() || run.stdout.trim()}`
            })
          )
          : Effect.succeed(listeningPorts(run.stdout).has(port))),
    options
  )

/**
 * `cmd` run in the container (as `docker exec`) exits 0.
 *
 * @since 0.1.0
 * @category constructors
 */
export const command = (cmd: ReadonlyArray<string>, options: Options = {}): Readiness =>
  poll(
    `command ${JSON.stringify(cmd)} exiting 0`,
    (target) => Effect.map(target.exec.run(target.id, { cmd }), (run) => run.exitCode === 0),
    options
  )

/**
 * The container exits, with `exitCode` when one is given: for one-shot containers (migrations,
 * set-up jobs) that others depend on.
 *
 * @since 0.1.0
 * @category constructors
 */
export const exited = (options: Omit<Options, "interval"> & { readonly exitCode?: number } = {}): Readiness =>
  make(
    options.exitCode === undefined ? "exit" : `exit with code ${options.exitCode}`,
    (target) =>
      Effect.flatMap(target.containers.wait(target.id), ({ StatusCode }) =>
        options.exitCode === undefined || StatusCode === options.exitCode
          ? Effect.void
          : Effect.fail(new NotReady({ reason: "ExitCode", detail: `the container exited with code ${StatusCode}` }))),
    options
  )

/**
 * Every condition, awaited together; each keeps its own timeout, and the first to fail fails all.
 *
 * @since 0.1.0
 * @category combinators
 */
export const all = (...conditions: ReadonlyArray<Readiness>): Readiness => ({
  description: conditions.map((condition) => condition.description).join(" and "),
  timeout: undefined,
  check: (target) =>
    Effect.asVoid(Effect.all(conditions.map((condition) => bounded(condition, target)), { concurrency: "unbounded" }))
})

/**
 * The condition with another timeout.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withTimeout = (condition: Readiness, timeout: Duration.DurationInput): Readiness => ({
  ...condition,
  timeout: Duration.decode(timeout)
})

/** The condition's check within its timeout; a timeout becomes a `NotReady` naming the condition. */
const bounded = (condition: Readiness, target: Target): Effect.Effect<void, NotReady | CheckError> => {
  const check = condition.check(target)
  const timeout = condition.timeout
  return timeout === undefined ? check : check.pipe(
    Effect.timeoutFail({
      duration: timeout,
      onTimeout: () =>
        new NotReady({
          reason: "Timeout",
          detail: `${condition.description}: not within ${Duration.format(timeout)}`
        })
    })
  )
}

/**
 * Waits until the condition holds. When it cannot, fails with a {@link DockerReadinessError}
 * carrying the container's last 50 log lines.
 *
 * @since 0.1.0
 * @category combinators
 */
export const wait = (
  target: Target,
  condition: Readiness
): Effect.Effect<void, DockerReadinessError | CheckError> =>
  bounded(condition, target).pipe(
    Effect.catchTag("NotReady", (notReady) =>
      Effect.flatMap(
        // The logs are for the message: a container already removed has none.
        Effect.orElseSucceed(
          Effect.map(target.containers.logs(target.id, { tail: 50 }), (output) => output.combined),
          () => ""
        ),
        (lastLogs) =>
          Effect.fail(
            new DockerReadinessError({
              containerId: target.id,
              condition: condition.description,
              reason: notReady.reason,
              lastLogs,
              message:
                `container ${target.id.slice(0, 12)} is not ready (${condition.description}): ${notReady.detail}` +
                (lastLogs.trim() === "" ? "" : `\nlast logs:\n${lastLogs.trimEnd()}`)
            })
          )
      ))
  )
