/**
 * An orchestration program for a swarm: a small service stack deployed, rolled out and removed.
 *
 * - a secret (`token`) and a config (`stack.conf`) that the tasks mount;
 * - `api`, a replicated service of 3 tasks that read both and say so in their log;
 * - `agent`, a global service: one task on every node, each naming its node in its log;
 * - both are handed over only once they converged: every desired task running, as the manager
 *   counts them (`docker.services.scoped`, which waits with `docker.services.converged`);
 * - `api` is then rolled out to version 2 (`docker.services.rollout`), one task at a time, and the
 *   program waits until the update completed and the new tasks run;
 * - the logs of every task on every node are read through the manager (`docker.services.logs`).
 *
 * The scope removes the services (waiting until their tasks are gone), then the secret and config,
 * however the program ends. Run it against a swarm manager:
 * `DOCKER_HOST=unix:///path/to/manager.sock pnpm tsx examples/swarm/stack.ts`.
 */
import { Docker } from "@effect-docker/client"
import type { Schemas } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import { Console, Effect, Schedule } from "effect"

/** What the stack did, as the program saw it. */
export interface StackReport {
  /** `api`'s running tasks after the rollout, and the version each reports in its spec. */
  readonly apiVersions: ReadonlyArray<string>
  /** The nodes `agent` ran on, one task each. */
  readonly agentNodes: ReadonlyArray<string>
  /** The lines `api` logged, before and after the rollout. */
  readonly apiLog: ReadonlyArray<string>
}

const apiCommand = `echo "api v$VERSION on $NODE: token $(cat /run/secrets/token), $(cat /etc/stack.conf)"`

/** Deploys the stack, rolls `api` out to version 2, reads the logs, and removes it all. */
export const stack = (options: { readonly labels?: Record<string, string> } = {}) =>
  Effect.scoped(Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const labels = { app: "stack", ...options.labels }
    const name = `stack-${Date.now().toString(36)}`

    const secret = yield* docker.secrets.scoped({ Name: `${name}-token`, Labels: labels, Data: btoa("t0ken") })
    const config = yield* docker.configs.scoped({ Name: `${name}-conf`, Labels: labels, Data: btoa("mode=demo") })
    const task = (command: string, env: ReadonlyArray<string>): Schemas.TaskSpec => ({
      ContainerSpec: {
        Image: "busybox:latest",
        Command: ["sh", "-c", `${command}; exec sleep 3600`],
        // Swarm fills in templates per task: each task knows its node.
        Env: ["NODE={{.Node.ID}}", ...env],
        StopGracePeriod: 1_000_000_000,
        Secrets: [{
          SecretID: secret.Id,
          SecretName: `${name}-token`,
          File: { Name: "token", UID: "0", GID: "0", Mode: 0o400 }
        }],
        Configs: [{
          ConfigID: config.Id,
          ConfigName: `${name}-conf`,
          File: { Name: "/etc/stack.conf", UID: "0", GID: "0", Mode: 0o444 }
        }]
      }
    })

    const apiService = yield* docker.services.scoped({
      Name: `${name}-api`,
      Labels: labels,
      TaskTemplate: task(apiCommand, ["VERSION=1"]),
      Mode: { Replicated: { Replicas: 3 } },
      UpdateConfig: { Parallelism: 1, Monitor: 1_000_000_000, FailureAction: "rollback" }
    }, { converge: { timeout: "2 minutes" } })
    yield* Console.log(`api: ${apiService.ServiceStatus?.RunningTasks} of 3 tasks running`)

    const agent = yield* docker.services.scoped({
      Name: `${name}-agent`,
      Labels: labels,
      TaskTemplate: task(`echo "agent on $NODE"`, []),
      Mode: { Global: {} }
    }, { converge: { timeout: "2 minutes" } })
    yield* Console.log(`agent: ${agent.ServiceStatus?.RunningTasks} tasks, one per node`)

    yield* docker.services.rollout(apiService.ID, (spec) => ({
      ...spec,
      TaskTemplate: task(apiCommand, ["VERSION=2"])
    }), { timeout: "2 minutes" })
    const running = (service: string) =>
      docker.tasks.list({ filters: { service: [service], "desired-state": ["running"] } })
    const apiTasks = yield* running(apiService.ID)
    const apiVersions = apiTasks.map((task) =>
      task.Spec?.ContainerSpec?.Env?.find((env) => env.startsWith("VERSION="))?.slice("VERSION=".length) ?? "?"
    )
    yield* Console.log(`api: rolled out, versions ${apiVersions.join(", ")}`)
    const agentNodes = (yield* running(agent.ID)).map((task) => task.NodeID ?? "?")

    // A task's log reaches the manager once its node has shipped it: read until every new task spoke.
    const apiLog = yield* docker.services.logs(apiService.ID).pipe(
      Effect.map((logs) => logs.stdout.split("\n").filter((line) => line !== "")),
      Effect.repeat(
        Schedule.spaced("200 millis").pipe(
          Schedule.upTo("30 seconds"),
          Schedule.whileInput((lines: ReadonlyArray<string>) =>
            lines.filter((line) => line.startsWith("api v2")).length < apiTasks.length
          ),
          Schedule.passthrough
        )
      )
    )
    return { apiVersions, agentNodes, apiLog } satisfies StackReport
  }))

// Run as a program (not when a test imports it).
if (import.meta.url === `file://${process.argv[1]}`) {
  stack().pipe(
    Effect.tap((report) => Console.log(report.apiLog.join("\n"))),
    Effect.provide(NodeDocker.layerFromEnv()),
    Effect.runPromise
  ).catch((error) => {
    console.error(error)
    process.exit(1)
  })
}
