/**
 * Every swarm operation on a real three-node swarm (scripts/test-swarm.sh: manager-1, manager-2,
 * worker-1, one Docker 28.5 engine each), through the client: joins and leaves, node updates and
 * removal, placement, global services, drain, rollback, logs from every node, secrets and configs
 * on the worker, task filters, token rotation, and autolock with an unlock after a restart.
 * The tests run in order, each leaving the swarm as it found it (three nodes ready).
 */
import { Docker } from "@effect-docker/client"
import type { Schemas } from "@effect-docker/client"
import { afterAll, expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { execFileSync } from "node:child_process"
import * as Path from "node:path"
import { eventually, recordingLayer, testLabel } from "./helpers.js"
import { join, joinWith, onNode, readyNodes, type SwarmNode, swarmNode } from "./support/swarm.js"

const label = { ...testLabel, suite: "swarm" }
const on = <A, E>(node: SwarmNode, effect: Effect.Effect<A, E, Docker.Docker>) => onNode(node, effect, recordingLayer)
const manager = recordingLayer({ host: `unix://${swarmNode("manager-1").socket}` })

/** The node id each engine has in the swarm. */
const nodeId = (node: SwarmNode) =>
  on(node, Effect.flatMap(Docker.Docker, (docker) => docker.system.info())).pipe(
    Effect.map((info) => info.Swarm!.NodeID!)
  )

/** The tasks of a service that run, once `done` holds for them. */
const runningTasks = (service: string, done: (tasks: ReadonlyArray<Schemas.Task>) => boolean) =>
  Effect.flatMap(Docker.Docker, (docker) =>
    eventually(
      docker.tasks.list({ filters: { service: [service], "desired-state": ["running"] } }).pipe(
        Effect.map((tasks) => tasks.filter((task) => task.Status?.State === "running"))
      ),
      done
    ))

/** A service of busybox labelled for the sweep, removed with the scope. */
const service = (name: string, spec: Omit<Schemas.ServiceSpec, "Name" | "Labels">) =>
  Effect.acquireRelease(
    Effect.flatMap(Docker.Docker, (docker) => docker.services.create({ ...spec, Name: name, Labels: label })),
    (created) => Effect.ignore(Effect.flatMap(Docker.Docker, (docker) => docker.services.remove(created.ID!)))
  ).pipe(Effect.map((created) => created.ID!))

const sleeper = (command = ["sleep", "300"]): Schemas.TaskSpec => ({
  ContainerSpec: { Image: "busybox:latest", Command: command },
  RestartPolicy: { Condition: "none" }
})

const setNode = (id: string, change: (spec: Schemas.NodeSpec) => Schemas.NodeSpec) =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const node = yield* docker.nodes.inspect(id)
    yield* docker.nodes.update(id, change(node.Spec!), { version: node.Version!.Index! })
  })

/** Removes what a test left (services, secrets, configs by label), whatever its outcome. */
const sweepSwarm = Effect.gen(function*() {
  const docker = yield* Docker.Docker
  const filters = { label: ["effect-docker.test"] }
  for (const s of yield* docker.services.list({ filters })) yield* Effect.ignore(docker.services.remove(s.ID!))
  for (const s of yield* docker.secrets.list({ filters })) yield* Effect.ignore(docker.secrets.remove(s.ID!))
  for (const c of yield* docker.configs.list({ filters })) yield* Effect.ignore(docker.configs.remove(c.ID!))
})

// Live time: services.converged and the task waits poll on the clock.
layer(manager, { excludeTestServices: true, timeout: "240 seconds" })("a three-node swarm", (it) => {
  afterAll(() => Effect.runPromise(Effect.provide(Effect.ignore(sweepSwarm), manager)))

  it.effect("nodes: list, inspect, labels, pause and active, promote and demote", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const nodes = yield* readyNodes(3)
      expect(nodes.map((node) => node.Spec?.Role).sort()).toEqual(["manager", "manager", "worker"])
      const worker = yield* nodeId("worker-1")
      const inspected = yield* docker.nodes.inspect(worker)
      expect(inspected.Spec?.Role).toBe("worker")
      expect(inspected.ManagerStatus).toBeUndefined()
      expect(inspected.Description?.Engine?.EngineVersion).toMatch(/^28\./)

      yield* setNode(worker, (spec) => ({ ...spec, Labels: { zone: "b" }, Availability: "pause" }))
      expect((yield* docker.nodes.inspect(worker)).Spec).toMatchObject({ Labels: { zone: "b" }, Availability: "pause" })
      yield* setNode(worker, (spec) => ({ ...spec, Availability: "active" }))

      yield* setNode(worker, (spec) => ({ ...spec, Role: "manager" }))
      const promoted = yield* eventually(docker.nodes.inspect(worker), (node) => node.ManagerStatus !== undefined)
      expect(promoted.ManagerStatus?.Addr).toBe("127.0.0.4:2377")
      yield* setNode(worker, (spec) => ({ ...spec, Role: "worker" }))
      const demoted = yield* eventually(docker.nodes.inspect(worker), (node) => node.ManagerStatus === undefined)
      expect(demoted.Spec?.Role).toBe("worker")
      yield* readyNodes(3)
    }))

  it.scoped("places a service by constraint, runs a global one per node, filters tasks by node and state", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const worker = yield* nodeId("worker-1")
      const placed = yield* service("placed", {
        TaskTemplate: { ...sleeper(), Placement: { Constraints: ["node.labels.zone == b"] } },
        Mode: { Replicated: { Replicas: 2 } }
      })
      const placedTasks = yield* runningTasks(placed, (tasks) => tasks.length === 2)
      expect(placedTasks.map((task) => task.NodeID)).toEqual([worker, worker])

      const everywhere = yield* service("everywhere", { TaskTemplate: sleeper(), Mode: { Global: {} } })
      const globalTasks = yield* runningTasks(everywhere, (tasks) => tasks.length === 3)
      const ids = yield* Effect.forEach(["manager-1", "manager-2", "worker-1"] as const, nodeId)
      expect(new Set(globalTasks.map((task) => task.NodeID))).toEqual(new Set(ids))

      const onWorker = yield* docker.tasks.list({ filters: { node: [worker], "desired-state": ["running"] } })
      expect(onWorker.every((task) => task.NodeID === worker)).toBe(true)
      expect(onWorker.filter((task) => task.ServiceID === placed)).toHaveLength(2)
      expect(onWorker.filter((task) => task.ServiceID === everywhere)).toHaveLength(1)
      const shutdown = yield* docker.tasks.list({ filters: { service: [placed], "desired-state": ["shutdown"] } })
      expect(shutdown).toEqual([])
    }))

  it.scoped("reschedules the tasks of a drained node on the others, and takes it back when active", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const drained = yield* nodeId("manager-2")
      const spread = yield* service("spread", {
        TaskTemplate: { ...sleeper(), Placement: { MaxReplicas: 1 } },
        Mode: { Replicated: { Replicas: 2 } }
      })
      yield* runningTasks(spread, (tasks) => tasks.length === 2)
      yield* setNode(drained, (spec) => ({ ...spec, Availability: "drain" }))
      yield* Effect.addFinalizer(() => Effect.ignore(setNode(drained, (spec) => ({ ...spec, Availability: "active" }))))
      const after = yield* runningTasks(
        spread,
        (tasks) => tasks.length === 2 && tasks.every((task) => task.NodeID !== drained)
      )
      expect(after.map((task) => task.NodeID)).not.toContain(drained)
      const gone = yield* docker.tasks.list({ filters: { node: [drained], "desired-state": ["running"] } })
      expect(gone.filter((task) => task.ServiceID === spread)).toEqual([])
    }))

  it.scoped("rolls a failing update back (FailureAction: rollback) to the previous spec", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const id = yield* service("rollout", {
        TaskTemplate: sleeper(),
        Mode: { Replicated: { Replicas: 2 } },
        UpdateConfig: { Parallelism: 1, FailureAction: "rollback", Monitor: 2_000_000_000, MaxFailureRatio: 0 },
        RollbackConfig: { Parallelism: 2, Monitor: 1_000_000_000 }
      })
      yield* runningTasks(id, (tasks) => tasks.length === 2)
      const before = yield* docker.services.inspect(id)
      yield* docker.services.update(id, {
        ...before.Spec,
        TaskTemplate: { ...before.Spec!.TaskTemplate, ContainerSpec: { Image: "busybox:latest", Command: ["false"] } }
      }, { version: before.Version!.Index! })
      const rolledBack = yield* eventually(
        docker.services.inspect(id),
        (s) => s.UpdateStatus?.State === "rollback_completed",
        90
      )
      expect(rolledBack.UpdateStatus?.State).toBe("rollback_completed")
      expect(rolledBack.Spec?.TaskTemplate?.ContainerSpec?.Command).toEqual(["sleep", "300"])
      const tasks = yield* runningTasks(id, (tasks) => tasks.length === 2)
      expect(tasks.every((task) => task.Spec?.ContainerSpec?.Command?.[0] === "sleep")).toBe(true)
    }))

  it.scoped("gathers services.logs from the tasks on every node", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const id = yield* service("talkers", {
        TaskTemplate: {
          ContainerSpec: {
            Image: "busybox:latest",
            Command: ["sh", "-c", "echo \"node $NODE\"; sleep 300"],
            Env: ["NODE={{.Node.ID}}"]
          }
        },
        Mode: { Global: {} }
      })
      yield* runningTasks(id, (tasks) => tasks.length === 3)
      const ids = yield* Effect.forEach(["manager-1", "manager-2", "worker-1"] as const, nodeId)
      const logs = yield* eventually(
        docker.services.logs(id),
        (logs) => ids.every((node) => logs.stdout.includes(`node ${node}`))
      )
      for (const node of ids) expect(logs.stdout).toContain(`node ${node}\n`)
    }))

  it.scoped("mounts a secret and a config in a task on the worker, read there through its engine", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const secret = yield* docker.secrets.create({ Name: "swarm-secret", Labels: label, Data: btoa("s3cret") })
      const config = yield* docker.configs.create({ Name: "swarm-config", Labels: label, Data: btoa("level=debug") })
      yield* Effect.addFinalizer(() => Effect.ignore(docker.secrets.remove(secret.Id)))
      yield* Effect.addFinalizer(() => Effect.ignore(docker.configs.remove(config.Id)))
      const id = yield* service("mounted", {
        TaskTemplate: {
          ContainerSpec: {
            Image: "busybox:latest",
            Command: ["sh", "-c", "echo mounted; exec sleep 300"],
            Secrets: [{
              SecretID: secret.Id,
              SecretName: "swarm-secret",
              File: { Name: "token", UID: "0", GID: "0", Mode: 0o400 }
            }],
            Configs: [{
              ConfigID: config.Id,
              ConfigName: "swarm-config",
              File: { Name: "/etc/app.conf", UID: "0", GID: "0", Mode: 0o444 }
            }]
          },
          Placement: { Constraints: ["node.role == worker"] }
        },
        Mode: { Replicated: { Replicas: 1 } }
      })
      const [task] = yield* runningTasks(id, (tasks) => tasks.length === 1)
      expect(task!.NodeID).toBe(yield* nodeId("worker-1"))
      const container = task!.Status!.ContainerStatus!.ContainerID!
      const read = yield* on(
        "worker-1",
        Effect.flatMap(
          Docker.Docker,
          (worker) =>
            worker.exec.run(container, { cmd: ["sh", "-c", "cat /run/secrets/token; echo; cat /etc/app.conf"] })
        )
      )
      expect(read.stdout).toBe("s3cret\nlevel=debug")

      // The task as the manager reports it, and its log, which the worker ships to the manager.
      expect((yield* docker.tasks.inspect(task!.ID)).NodeID).toBe(task!.NodeID)
      const logs = yield* eventually(docker.tasks.logs(task!.ID), (logs) => logs.stdout.includes("mounted"))
      expect(logs.stdout).toBe("mounted\n")
      // Secrets and configs: inspect never shows a secret's data; only labels may change.
      const secretSpec = (yield* docker.secrets.inspect(secret.Id)).Spec!
      expect(secretSpec.Data).toBeUndefined()
      const secretVersion = (yield* docker.secrets.inspect(secret.Id)).Version!.Index!
      yield* docker.secrets.update(secret.Id, { ...secretSpec, Labels: { ...label, rotated: "yes" } }, {
        version: secretVersion
      })
      expect((yield* docker.secrets.inspect(secret.Id)).Spec?.Labels?.rotated).toBe("yes")
      const configInfo = yield* docker.configs.inspect(config.Id)
      expect(atob(configInfo.Spec!.Data!)).toBe("level=debug")
      yield* docker.configs.update(config.Id, { ...configInfo.Spec, Labels: { ...label, rotated: "yes" } }, {
        version: configInfo.Version!.Index!
      })
      expect((yield* docker.configs.inspect(config.Id)).Spec?.Labels?.rotated).toBe("yes")
      const rotated = { filters: { label: ["rotated=yes"] } }
      expect((yield* docker.secrets.list(rotated)).map((s) => s.ID)).toEqual([secret.Id])
      expect((yield* docker.configs.list(rotated)).map((c) => c.ID)).toEqual([config.Id])
    }))

  it.effect("rotates the join tokens: the old one is refused, the new one joins; leave with and without force", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const before = yield* docker.swarm.inspect()
      yield* docker.swarm.update(before.Spec!, {
        version: before.Version!.Index!,
        rotateWorkerToken: true,
        rotateManagerToken: true
      })
      const after = yield* docker.swarm.inspect()
      expect(after.JoinTokens?.Worker).not.toBe(before.JoinTokens?.Worker)
      expect(after.JoinTokens?.Manager).not.toBe(before.JoinTokens?.Manager)

      // The worker leaves (no force needed) and comes back: the old token is refused.
      const oldWorker = yield* nodeId("worker-1")
      yield* on("worker-1", Effect.flatMap(Docker.Docker, (worker) => worker.swarm.leave()))
      // Out of the swarm, it can found one of its own, and leave that with force (its last manager).
      const own = yield* on(
        "worker-1",
        Effect.flatMap(Docker.Docker, (worker) =>
          Effect.zipRight(
            worker.swarm.init({
              ListenAddr: swarmNode("worker-1").address,
              AdvertiseAddr: swarmNode("worker-1").address
            }),
            Effect.zipLeft(worker.swarm.inspect(), worker.swarm.leave({ force: true }))
          ))
      )
      expect(own.ID).not.toBe(before.ID)
      const refused = yield* Effect.flip(joinWith("worker-1", before.JoinTokens!.Worker!, recordingLayer))
      expect(refused._tag).toBe("BadRequest")
      expect(refused.message).toMatch(/token/i)
      yield* join("worker-1", "worker", recordingLayer)
      // The node that left stays in the list, down, until it is removed.
      yield* eventually(docker.nodes.inspect(oldWorker), (node) => node.Status?.State === "down")
      yield* docker.nodes.remove(oldWorker)
      expect((yield* Effect.flip(docker.nodes.inspect(oldWorker)))._tag).toBe("NotFound")

      // A manager is refused a plain leave (it would take the raft quorum with it); demoted, it
      // leaves with force and joins again with the manager token.
      const second = yield* nodeId("manager-2")
      const kept = yield* Effect.flip(on("manager-2", Effect.flatMap(Docker.Docker, (m) => m.swarm.leave())))
      expect(kept.message).toMatch(/quorum|manager/i)
      yield* setNode(second, (spec) => ({ ...spec, Role: "worker" }))
      yield* eventually(docker.nodes.inspect(second), (node) => node.ManagerStatus === undefined)
      yield* on("manager-2", Effect.flatMap(Docker.Docker, (m) => m.swarm.leave({ force: true })))
      yield* join("manager-2", "manager", recordingLayer)
      yield* eventually(docker.nodes.inspect(second), (node) => node.Status?.State === "down")
      yield* docker.nodes.remove(second, { force: true })
      const nodes = yield* readyNodes(3)
      expect(nodes.map((node) => node.Spec?.Role).sort()).toEqual(["manager", "manager", "worker"])
    }))

  it.effect("autolock: a restarted manager comes back locked and is unlocked with the key", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const swarm = yield* docker.swarm.inspect()
      yield* docker.swarm.update({ ...swarm.Spec, EncryptionConfig: { AutoLockManagers: true } }, {
        version: swarm.Version!.Index!
      })
      const { UnlockKey } = yield* docker.swarm.unlockKey()
      expect(UnlockKey).toMatch(/^SWMKEY-1-/)

      // The managers take the new key through raft: restart manager-2 once it has it.
      const keyOf = on("manager-2", Effect.flatMap(Docker.Docker, (m) => m.swarm.unlockKey()))
      expect((yield* eventually(keyOf, (key) => key.UnlockKey === UnlockKey)).UnlockKey).toBe(UnlockKey)
      execFileSync("bash", [
        Path.resolve(import.meta.dirname, "../scripts/test-engine.sh"),
        "swarm-restart",
        "manager-2"
      ], {
        stdio: ["ignore", "ignore", "inherit"]
      })
      const state = on("manager-2", Effect.flatMap(Docker.Docker, (m) => m.system.info())).pipe(
        Effect.map((info) => info.Swarm?.LocalNodeState)
      )
      expect(yield* eventually(state, (s) => s === "locked")).toBe("locked")
      const wrong = yield* Effect.flip(
        on("manager-2", Effect.flatMap(Docker.Docker, (m) => m.swarm.unlock({ UnlockKey: "SWMKEY-1-wrong" })))
      )
      expect(wrong.message).toMatch(/key/i)
      yield* on("manager-2", Effect.flatMap(Docker.Docker, (m) => m.swarm.unlock({ UnlockKey: UnlockKey! })))
      expect(yield* eventually(state, (s) => s === "active")).toBe("active")

      const locked = yield* eventually(docker.swarm.inspect().pipe(Effect.either), (r) => r._tag === "Right")
      const current = locked._tag === "Right" ? locked.right : swarm
      yield* docker.swarm.update({ ...current.Spec, EncryptionConfig: { AutoLockManagers: false } }, {
        version: current.Version!.Index!
      })
      expect((yield* docker.swarm.unlockKey()).UnlockKey).toBe("")
      yield* readyNodes(3)
    }))

  it.effect("services.scoped converges, rollout completes or fails as rolled back, and tasks that cannot run time out", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const quick = (args: ReadonlyArray<string>): Schemas.TaskSpec => ({
        ContainerSpec: { Image: "busybox:latest", Command: ["sh", "-c", ...args], StopGracePeriod: 1e9 },
        RestartPolicy: { Condition: "none" }
      })
      const removedTasks = yield* Effect.scoped(Effect.gen(function*() {
        const global = yield* docker.services.scoped({
          Name: "converging",
          Labels: label,
          TaskTemplate: quick(["exec sleep 300"]),
          Mode: { Global: {} }
        })
        expect(global.ServiceStatus).toMatchObject({ RunningTasks: 3, DesiredTasks: 3 })

        const rolled = yield* docker.services.rollout(global.ID, (spec) => ({
          ...spec,
          TaskTemplate: { ...spec.TaskTemplate, ContainerSpec: { ...spec.TaskTemplate!.ContainerSpec, Env: ["V=2"] } },
          UpdateConfig: { Parallelism: 3, Monitor: 1e9 }
        }))
        expect(rolled.UpdateStatus?.State).toBe("completed")
        const running = yield* docker.tasks.list({ filters: { service: [global.ID], "desired-state": ["running"] } })
        expect(running.map((task) => task.Spec?.ContainerSpec?.Env)).toEqual([["V=2"], ["V=2"], ["V=2"]])

        const failed = yield* Effect.flip(docker.services.rollout(global.ID, (spec) => ({
          ...spec,
          TaskTemplate: {
            ...spec.TaskTemplate,
            ContainerSpec: { ...spec.TaskTemplate!.ContainerSpec, Command: ["sh", "-c", "exit 3"] }
          },
          UpdateConfig: { Parallelism: 1, Monitor: 2e9, FailureAction: "rollback" },
          RollbackConfig: { Parallelism: 3, Monitor: 1e9 }
        }), { timeout: "90 seconds" }))
        expect(failed._tag).toBe("ServiceConvergenceError")
        if (failed._tag === "ServiceConvergenceError") {
          expect(failed.reason).toBe("RolledBack")
          expect(failed.taskFailures.map((task) => task.error)).toContain("task: non-zero exit (3)")
        }

        const unpullable = yield* Effect.flip(docker.services.scoped({
          Name: "unpullable",
          Labels: label,
          TaskTemplate: { ...quick(["true"]), ContainerSpec: { Image: "effect-docker-missing:none" } }
        }, { converge: { timeout: "8 seconds" } }))
        expect(unpullable._tag).toBe("ServiceConvergenceError")
        if (unpullable._tag === "ServiceConvergenceError") {
          expect(unpullable.reason).toBe("Timeout")
          expect(unpullable.taskFailures.length).toBeGreaterThan(0)
          expect(unpullable.message).toMatch(/effect-docker-missing/)
        }
        return global.ID
      }))
      // The scope removed the service and waited for its tasks.
      expect((yield* docker.tasks.list()).filter((task) => task.ServiceID === removedTasks)).toEqual([])
      expect(yield* docker.services.list({ filters: { label: ["effect-docker.test.suite=swarm"] } })).toEqual([])
    }))
  // One kernel under all three nodes: the overlay's VXLAN device exists once, so the engine
  // refuses it on every node but the first. What a user sees is that refusal, typed.
  it.effect("reports the engine's overlay refusal here (one kernel, one VXLAN device) as a task failure of a Timeout", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const error = yield* Effect.scoped(Effect.gen(function*() {
        const network = yield* docker.networks.scoped({ Name: "swarm-overlay", Driver: "overlay", Labels: label })
        return yield* Effect.flip(docker.services.scoped({
          Name: "overlaid",
          Labels: label,
          // Not restarted: the engine drops the refused tasks from its DesiredTasks (1 of 1).
          TaskTemplate: { ...sleeper(), Networks: [{ Target: network.Id }] },
          Mode: { Global: {} }
        }, { converge: { timeout: "10 seconds" } }))
      }))
      expect(error._tag).toBe("ServiceConvergenceError")
      if (error._tag !== "ServiceConvergenceError") return
      expect(error.reason).toBe("Timeout")
      expect([error.runningTasks, error.desiredTasks]).toEqual([1, 3])
      expect(error.taskFailures[0]).toMatchObject({ state: "rejected" })
      expect(error.taskFailures[0]!.error).toMatch(
        /network sandbox join failed: .*error creating vxlan interface: file exists/
      )
      // The service and then its network went with the scope.
      expect(yield* docker.networks.list({ filters: { name: ["swarm-overlay"] } })).toEqual([])
    }))
})
