/**
 * Waiting for a swarm service to converge, and for a removed one's tasks to be gone. The engine
 * counts a service's running and desired tasks (`GET /services?status=true`, API 1.41+) and
 * reports an update's progress in `UpdateStatus`; the tasks say why they failed.
 */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schedule from "effect/Schedule"
import type * as Groups from "../generated/Groups.js"
import type * as Operations from "../generated/Operations.js"
import type * as Schemas from "../generated/Schemas.js"
import { type ConvergenceFailure, ServiceConvergenceError, type TaskFailure } from "../WorkflowError.js"

export interface ConvergeOptions {
  /** How long to wait for the tasks; default 60 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /** How often to look again; default 250 milliseconds. */
  readonly interval?: Duration.DurationInput | undefined
}

const defaultTimeout = Duration.seconds(60)
const defaultInterval = Duration.millis(250)

interface Progress {
  readonly running: number
  readonly desired: number
  readonly done: boolean
  readonly failure?: { readonly reason: ConvergenceFailure; readonly detail: string } | undefined
}

interface Counts {
  readonly running: number
  readonly desired: number
}

/**
 * A global service's tasks as the docker CLI counts them: one desired per node that has a task of
 * the current spec (the orchestrator creates them all at once), among the nodes ready and active,
 * running once one of them runs. The engine's `DesiredTasks` counts only the tasks it still wants
 * running: a node whose task was refused and is not restarted drops out of it, and 1 of 1 would
 * read as converged with two nodes refused.
 */
export const globalCounts = (upToDate: ReadonlyArray<Schemas.Task>, nodes: ReadonlyArray<Schemas.Node>): Counts => {
  const eligible = new Set(
    nodes.filter((node) => node.Status?.State === "ready" && node.Spec?.Availability === "active").map((node) =>
      node.ID
    )
  )
  const runs = new Map<string, boolean>()
  for (const task of upToDate) {
    if (task.NodeID === undefined || !eligible.has(task.NodeID)) continue
    const running = task.DesiredState === "running" && task.Status?.State === "running"
    runs.set(task.NodeID, runs.get(task.NodeID) === true || running)
  }
  return { running: [...runs.values()].filter(Boolean).length, desired: runs.size }
}

/**
 * Where the service stands, from its `ServiceStatus` or, for a global service, the `counts` of its
 * tasks ({@link globalCounts}). `updating` is awaited only when `awaitUpdate`: a rollout whose task
 * template changed, since the engine may not have started the update when the counts are read.
 */
export const progress = (service: Schemas.Service, awaitUpdate = false, counts?: Counts): Progress => {
  const running = counts?.running ?? service.ServiceStatus?.RunningTasks ?? 0
  const desired = counts?.desired ?? service.ServiceStatus?.DesiredTasks ?? 0
  const update = service.UpdateStatus
  const message = update?.Message ?? ""
  switch (update?.State) {
    case "paused":
      return { running, desired, done: false, failure: { reason: "UpdatePaused", detail: `update paused: ${message}` } }
    case "rollback_paused":
      return {
        running,
        desired,
        done: false,
        failure: { reason: "RollbackPaused", detail: `rollback paused: ${message}` }
      }
    case "rollback_completed":
      return { running, desired, done: false, failure: { reason: "RolledBack", detail: `rolled back: ${message}` } }
    case "updating":
    case "rollback_started":
      return { running, desired, done: false }
    case undefined:
      if (awaitUpdate) return { running, desired, done: false }
  }
  const mode = service.Spec?.Mode
  const completed = service.ServiceStatus?.CompletedTasks ?? 0
  if (mode?.ReplicatedJob !== undefined) {
    const total = mode.ReplicatedJob.TotalCompletions ?? mode.ReplicatedJob.MaxConcurrent ?? 1
    return { running, desired, done: completed >= total }
  }
  if (mode?.GlobalJob !== undefined) return { running, desired, done: desired === 0 && running === 0 && completed > 0 }
  // No task yet right after a global service's creation: not converged.
  if (mode?.Global !== undefined) return { running, desired, done: desired > 0 && running === desired }
  return { running, desired, done: running === desired }
}

/** The latest distinct failures among the tasks, newest first. */
export const taskFailures = (tasks: ReadonlyArray<Schemas.Task>, limit = 5): Array<TaskFailure> => {
  const failures: Array<TaskFailure> = []
  const seen = new Set<string>()
  const failed = tasks
    .filter((task) =>
      task.Status?.Err !== undefined || task.Status?.State === "failed" || task.Status?.State === "rejected"
    )
    .sort((a, b) => (b.Status?.Timestamp ?? "").localeCompare(a.Status?.Timestamp ?? ""))
  for (const task of failed) {
    const error = task.Status?.Err ?? task.Status?.Message ?? ""
    if (seen.has(error)) continue
    seen.add(error)
    failures.push({
      taskId: task.ID ?? "",
      nodeId: task.NodeID,
      state: task.Status?.State ?? "unknown",
      error
    })
    if (failures.length === limit) break
  }
  return failures
}

type ConvergeError =
  | ServiceConvergenceError
  | Operations.ServiceListError
  | Operations.TaskListError
  | Operations.NodeListError

interface Looked {
  readonly service: Schemas.Service
  readonly done: boolean
}

export interface ServiceOperations {
  readonly services: Pick<Groups.Services, "inspect" | "list">
  readonly tasks: Pick<Groups.Tasks, "list">
  readonly nodes: Pick<Groups.Nodes, "list">
}

/**
 * Polls the service until it has converged; returns it as last listed (with its task counts).
 * `previous` is the spec a rollout replaced: when its task template differs, the update is awaited.
 */
export const converged = (
  operations: ServiceOperations,
  idOrName: string,
  options: ConvergeOptions & { readonly previous?: Schemas.ServiceSpec | undefined } = {}
) =>
  Effect.gen(function*() {
    const { ID: id, Spec } = yield* operations.services.inspect(idOrName)
    const name = Spec?.Name ?? id
    const awaitUpdate = options.previous !== undefined &&
      JSON.stringify(options.previous.TaskTemplate) !== JSON.stringify(Spec?.TaskTemplate)
    const timeout = Duration.decode(options.timeout ?? defaultTimeout)
    let last: Progress = { running: 0, desired: 0, done: false }

    const fail = (reason: ConvergenceFailure, detail: string) =>
      Effect.flatMap(
        // The failures are for the message: a removed service has no tasks to list.
        Effect.orElseSucceed(
          Effect.map(operations.tasks.list({ filters: { service: [id] } }), (tasks) => taskFailures(tasks)),
          () => []
        ),
        (failures) =>
          Effect.fail(
            new ServiceConvergenceError({
              serviceId: id,
              reason,
              runningTasks: last.running,
              desiredTasks: last.desired,
              taskFailures: failures,
              message: `service ${name} (${id.slice(0, 12)}) did not converge: ${detail}; ` +
                `${last.running} of ${last.desired} tasks running` +
                failures.map((failure) =>
                  `\n  task ${failure.taskId.slice(0, 12)}` +
                  (failure.nodeId === undefined ? "" : ` on node ${failure.nodeId.slice(0, 12)}`) +
                  `: ${failure.state}: ${failure.error}`
                ).join("")
            })
          )
      )

    // `_up-to-date`: the tasks of the service's current spec, as the docker CLI asks for them.
    const counts = Spec?.Mode?.Global === undefined ? Effect.succeed(undefined) : Effect.zipWith(
      operations.tasks.list({ filters: { service: [id], "_up-to-date": ["true"] } }),
      operations.nodes.list(),
      globalCounts,
      { concurrent: true }
    )

    // The counts' failure waits for the listing: a removed service's tasks cannot be listed by it.
    const look: Effect.Effect<Looked, ConvergeError> = Effect.flatMap(
      Effect.zip(operations.services.list({ filters: { id: [id] }, status: true }), Effect.either(counts), {
        concurrent: true
      }),
      ([services, counts]): Effect.Effect<Looked, ConvergeError> => {
        const service = services.find((candidate) => candidate.ID === id)
        if (service === undefined) return fail("Removed", "the service was removed")
        if (Either.isLeft(counts)) return Effect.fail(counts.left)
        last = progress(service, awaitUpdate, counts.right)
        return last.failure === undefined
          ? Effect.succeed({ service, done: last.done })
          : fail(last.failure.reason, last.failure.detail)
      }
    )

    return yield* look.pipe(
      Effect.repeat(
        Schedule.spaced(options.interval ?? defaultInterval).pipe(
          Schedule.whileInput((state: Looked) => !state.done),
          Schedule.passthrough
        )
      ),
      Effect.timeout(timeout),
      Effect.catchTag("TimeoutException", () => fail("Timeout", `not within ${Duration.format(timeout)}`)),
      Effect.map((state) => state.service)
    )
  })

/**
 * Waits until none of the removed service's tasks is left: the engine deletes them only once their
 * containers are gone, which a network the tasks used needs before it can be removed.
 */
export const tasksGone = (
  tasks: Pick<Groups.Tasks, "list">,
  id: string,
  timeout: Duration.DurationInput = defaultTimeout
) =>
  // By service the engine lists nothing once the service is gone: all tasks, then.
  tasks.list().pipe(
    Effect.repeat({
      until: (all) => !all.some((task) => task.ServiceID === id),
      schedule: Schedule.spaced(defaultInterval)
    }),
    Effect.timeoutFail({
      duration: timeout,
      onTimeout: () =>
        new Cause.TimeoutException(
          `tasks of service ${id.slice(0, 12)} still present after ${Duration.format(Duration.decode(timeout))}`
        )
    }),
    Effect.asVoid
  )
