/**
 * `docker.services.converged`, `rollout` and `scoped` against a scripted engine: each listing of
 * the service answers the next state of the script (the last one stays), as a swarm manager
 * reports a service's tasks (`ServiceStatus`) and its update (`UpdateStatus`).
 */
import { Docker } from "@effect-docker/client"
import type { Schemas } from "@effect-docker/client"
import { MockTransport } from "@effect-docker/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"

const id = "svc0123456789abcdef"

interface State {
  readonly running: number
  readonly desired: number
  readonly completed?: number
  readonly update?: Schemas.Service["UpdateStatus"]
  /** A global service's tasks of its current spec; by default `desired` of them, `running` running. */
  readonly upToDate?: ReadonlyArray<Schemas.Task>
}

const nodes = ["n0", "n1", "n2"]

const upToDate = (state: State): ReadonlyArray<Schemas.Task> =>
  state.upToDate ?? nodes.slice(0, state.desired).map((node, index) => ({
    ID: `task-${node}`,
    ServiceID: id,
    NodeID: node,
    DesiredState: "running",
    Status: { State: index < state.running ? "running" : "starting" }
  }))

const service = (spec: Schemas.ServiceSpec, state: State): Schemas.Service => ({
  ID: id,
  Version: { Index: 7 },
  Spec: spec,
  ServiceStatus: {
    RunningTasks: state.running,
    DesiredTasks: state.desired,
    CompletedTasks: state.completed ?? 0
  },
  ...(state.update === undefined ? {} : { UpdateStatus: state.update })
})

const failedTask = (taskId: string, timestamp: string, err: string, state = "failed"): Schemas.Task => ({
  ID: taskId,
  ServiceID: id,
  NodeID: `node-${taskId}`,
  Status: { State: state as never, Timestamp: timestamp, Err: err },
  DesiredState: "shutdown"
})

/**
 * An engine that knows one service: listings walk through `script`; `tasks` answers the task
 * listings in turn (the last one stays); an update replaces the spec that inspect reads.
 */
const scripted = (
  spec: Schemas.ServiceSpec,
  script: ReadonlyArray<State>,
  tasks: ReadonlyArray<ReadonlyArray<Schemas.Task>> = [[]],
  options: { readonly removed?: boolean } = {}
) => {
  let current = spec
  let listed = 0
  let taskListings = 0
  let upToDateListed = 0
  let removed = options.removed ?? false
  return MockTransport.layerDocker((request) => {
    const state = script[Math.min(listed, script.length - 1)]!
    if (request.method === "POST" && request.path.endsWith("/services/create")) {
      return MockTransport.json({ ID: id }, 201)
    }
    if (request.method === "POST" && request.path.endsWith(`/services/${id}/update`)) {
      current = JSON.parse(request.text)
      return MockTransport.json({})
    }
    if (request.method === "DELETE" && request.path.endsWith(`/services/${id}`)) {
      removed = true
      return MockTransport.json({})
    }
    if (request.path.endsWith(`/services/${id}`) || request.path.endsWith("/services/web")) {
      return MockTransport.json(service(current, state))
    }
    if (request.path.endsWith("/services")) {
      listed++
      return MockTransport.json(removed ? [] : [service(current, state)])
    }
    if (request.path.endsWith("/nodes")) {
      return MockTransport.json(nodes.map((node) => ({
        ID: node,
        Spec: { Availability: "active" },
        Status: { State: "ready" }
      })))
    }
    if (request.path.endsWith("/tasks") && request.query.get("filters")?.includes("_up-to-date")) {
      // As the engine does: a removed service's tasks cannot be listed by it.
      if (removed) return MockTransport.error(404, `service ${id} not found`)
      // A look lists the service and its tasks side by side: the nth listings see the same state.
      return MockTransport.json(upToDate(script[Math.min(upToDateListed++, script.length - 1)]!))
    }
    if (request.path.endsWith("/tasks")) {
      return MockTransport.json(tasks[Math.min(taskListings++, tasks.length - 1)])
    }
    return MockTransport.error(404, `no route ${request.method} ${request.path}`)
  }, { apiVersion: "1.51" })
}

const requested = Effect.map(
  MockTransport.MockTransport,
  (mock) => mock.requests.map((request) => `${request.method} ${request.path.replace(/^\/v[\d.]+/, "")}`)
)

const fast = { interval: "1 millis" } as const
const global: Schemas.ServiceSpec = {
  Name: "web",
  Mode: { Global: {} },
  TaskTemplate: { ContainerSpec: { Image: "a" } }
}

describe("services.converged", () => {
  it.live("waits for a global service's tasks: none desired right after creation is not converged", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const converged = yield* docker.services.converged("web", fast)
      expect(converged.ServiceStatus).toMatchObject({ RunningTasks: 3, DesiredTasks: 3 })
      const listings = (yield* requested).filter((line) => line === "GET /services")
      expect(listings).toHaveLength(3)
      const [listing] = (yield* MockTransport.MockTransport).requests.filter((r) => r.path.endsWith("/services"))
      expect(listing!.query.get("status")).toBe("true")
      expect(JSON.parse(listing!.query.get("filters")!)).toEqual({ id: [id] })
    }).pipe(Effect.provide(scripted(global, [{ running: 0, desired: 0 }, { running: 2, desired: 3 }, {
      running: 3,
      desired: 3
    }]))))

  it.live("counts a global service's node whose task was refused and not restarted, which the engine drops", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const error = yield* Effect.flip(docker.services.converged("web", { timeout: "30 millis", interval: "1 millis" }))
      expect(error._tag === "ServiceConvergenceError" && [error.reason, error.runningTasks, error.desiredTasks])
        .toEqual(["Timeout", 1, 3])
      const listing = (yield* MockTransport.MockTransport).requests.find((r) =>
        r.query.get("filters")?.includes("_up-to-date")
      )
      expect(JSON.parse(listing!.query.get("filters")!)).toEqual({ service: [id], "_up-to-date": ["true"] })
    }).pipe(Effect.provide(scripted(global, [{
      // The engine's own count: 1 of 1, as it wants only the running task.
      running: 1,
      desired: 1,
      upToDate: [
        { ID: "a", NodeID: "n0", DesiredState: "running", Status: { State: "running" } },
        { ID: "b", NodeID: "n1", DesiredState: "shutdown", Status: { State: "rejected", Err: "vxlan" } },
        { ID: "c", NodeID: "n2", DesiredState: "shutdown", Status: { State: "rejected", Err: "vxlan" } }
      ]
    }]))))

  it.live("takes a global service's restarted task on a node as that node's, and leaves out nodes not ready and active", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const converged = yield* docker.services.converged("web", fast)
      expect(converged.ID).toBe(id)
    }).pipe(Effect.provide(scripted(global, [{
      running: 3,
      desired: 3,
      upToDate: [
        { ID: "a", NodeID: "n0", DesiredState: "shutdown", Status: { State: "failed" } },
        { ID: "b", NodeID: "n0", DesiredState: "running", Status: { State: "running" } },
        { ID: "c", NodeID: "n1", DesiredState: "running", Status: { State: "running" } },
        { ID: "d", NodeID: "n2", DesiredState: "running", Status: { State: "running" } },
        // A node that left: its task is not waited for.
        { ID: "e", NodeID: "gone", DesiredState: "running", Status: { State: "orphaned" } }
      ]
    }]))))

  it.live("takes a replicated service at its replicas, zero included", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const converged = yield* docker.services.converged("web", fast)
      expect(converged.ServiceStatus).toMatchObject({ RunningTasks: 0, DesiredTasks: 0 })
    }).pipe(
      Effect.provide(scripted({ Name: "web", Mode: { Replicated: { Replicas: 0 } } }, [{ running: 0, desired: 0 }]))
    ))

  it.live("counts a replicated job's completions, not its desired tasks (which stay at MaxConcurrent)", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const converged = yield* docker.services.converged("web", fast)
      expect(converged.ServiceStatus?.CompletedTasks).toBe(4)
      expect((yield* requested).filter((line) => line === "GET /services")).toHaveLength(3)
    }).pipe(Effect.provide(scripted(
      { Name: "web", Mode: { ReplicatedJob: { MaxConcurrent: 2, TotalCompletions: 4 } } },
      [{ running: 2, desired: 2 }, { running: 2, desired: 2, completed: 2 }, { running: 0, desired: 2, completed: 4 }]
    ))))

  it.live("takes a global job as done once nothing runs and some task completed", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      yield* docker.services.converged("web", fast)
      expect((yield* requested).filter((line) => line === "GET /services")).toHaveLength(2)
    }).pipe(Effect.provide(scripted(
      { Name: "web", Mode: { GlobalJob: {} } },
      [{ running: 3, desired: 3 }, { running: 0, desired: 0, completed: 3 }]
    ))))

  it.live("times out with the counts last seen and the newest distinct task failures", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const error = yield* Effect.flip(docker.services.converged("web", { timeout: "30 millis", interval: "1 millis" }))
      expect(error._tag).toBe("ServiceConvergenceError")
      if (error._tag !== "ServiceConvergenceError") return
      expect(error.reason).toBe("Timeout")
      expect(error.runningTasks).toBe(1)
      expect(error.desiredTasks).toBe(3)
      expect(error.taskFailures).toEqual([
        { taskId: "t3", nodeId: "node-t3", state: "rejected", error: "No such image: missing:1" },
        { taskId: "t1", nodeId: "node-t1", state: "failed", error: "task: non-zero exit (3)" }
      ])
      expect(error.message).toContain("did not converge: not within 30ms; 1 of 3 tasks running")
      expect(error.message).toContain("task t3 on node node-t3: rejected: No such image: missing:1")
    }).pipe(Effect.provide(scripted(
      { Name: "web", Mode: { Replicated: { Replicas: 3 } } },
      [{ running: 1, desired: 3 }],
      [[
        failedTask("t1", "2026-12-01T10:00:01Z", "task: non-zero exit (3)"),
        failedTask("t2", "2026-12-01T10:00:00Z", "task: non-zero exit (3)"),
        failedTask("t3", "2026-12-01T10:00:02Z", "No such image: missing:1", "rejected"),
        { ID: "t4", ServiceID: id, Status: { State: "running", Timestamp: "2026-12-01T10:00:03Z" } }
      ]]
    ))))

  it.live("fails at once on a paused update, a rollback and a paused rollback", () =>
    Effect.gen(function*() {
      for (
        const [state, reason] of [
          ["paused", "UpdatePaused"],
          ["rollback_completed", "RolledBack"],
          ["rollback_paused", "RollbackPaused"]
        ] as const
      ) {
        const error = yield* Effect.flip(
          Effect.flatMap(Docker.Docker, (docker) => docker.services.converged("web", fast))
        )
          .pipe(
            Effect.provide(scripted(global, [{ running: 3, desired: 3, update: { State: state, Message: "why" } }]))
          )
        expect(error._tag === "ServiceConvergenceError" && error.reason).toBe(reason)
        expect(error.message).toContain("why")
      }
    }))

  it.live("fails as Removed when the service is gone while waited for", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const error = yield* Effect.flip(docker.services.converged("web", fast))
      expect(error._tag === "ServiceConvergenceError" && error.reason).toBe("Removed")
    }).pipe(Effect.provide(scripted(global, [{ running: 0, desired: 0 }], [[]], { removed: true }))))
})

describe("services.rollout", () => {
  it.live("updates at the current version and awaits the update when the task template changed", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const rolled = yield* docker.services.rollout("web", (spec) => ({
        ...spec,
        TaskTemplate: { ContainerSpec: { Image: "b" } }
      }), fast)
      expect(rolled.UpdateStatus?.State).toBe("completed")
      const mock = yield* MockTransport.MockTransport
      const update = mock.requests.find((request) => request.path.endsWith("/update"))!
      expect(update.query.get("version")).toBe("7")
      expect(JSON.parse(update.text).TaskTemplate.ContainerSpec.Image).toBe("b")
      // The old tasks still ran (3 of 3, no update yet): not taken as the rollout's.
      expect((yield* requested).filter((line) => line === "GET /services")).toHaveLength(3)
    }).pipe(Effect.provide(scripted(global, [
      { running: 3, desired: 3 },
      { running: 2, desired: 3, update: { State: "updating" } },
      { running: 3, desired: 3, update: { State: "completed" } }
    ]))))

  it.live("does not await an update the engine does not start (a change of labels only)", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      yield* docker.services.rollout("web", (spec) => ({ ...spec, Labels: { v: "2" } }), fast)
      expect((yield* requested).filter((line) => line === "GET /services")).toHaveLength(1)
    }).pipe(Effect.provide(scripted(global, [{ running: 3, desired: 3 }]))))
})

describe("services.scoped", () => {
  it.live("hands the service over converged, and the release removes it and waits until its tasks are gone", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const running = yield* Effect.scoped(Effect.map(
        docker.services.scoped({ ...global, Name: "web" }, { converge: fast }),
        (created) => created.ServiceStatus?.RunningTasks
      ))
      expect(running).toBe(3)
      const lines = yield* requested
      const removal = lines.indexOf(`DELETE /services/${id}`)
      expect(removal).toBeGreaterThan(0)
      // Tasks listed until the service's last one is gone: two listings still had it.
      expect(lines.slice(removal + 1)).toEqual(["GET /tasks", "GET /tasks", "GET /tasks"])
    }).pipe(Effect.provide(scripted(global, [{ running: 3, desired: 3 }], [
      [{ ID: "t1", ServiceID: id, DesiredState: "remove" }, { ID: "x", ServiceID: "other" }],
      [{ ID: "t1", ServiceID: id, DesiredState: "remove" }],
      [{ ID: "x", ServiceID: "other" }]
    ]))))

  it.live("removes a service that does not converge", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const exit = yield* Effect.exit(Effect.scoped(
        docker.services.scoped(global, { converge: { timeout: "20 millis", interval: "1 millis" } })
      ))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(yield* requested).toContain(`DELETE /services/${id}`)
    }).pipe(Effect.provide(scripted(global, [{ running: 0, desired: 3 }]))))
})
