// The swarm example against the test swarm's manager (DOCKER_HOST): it deploys, converges, rolls
// out, reads every task's log, and leaves no service, task, secret or config behind.
import { Docker } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { stack } from "./stack.js"

layer(NodeDocker.layerFromEnv(), { excludeTestServices: true, timeout: "240 seconds" })("the swarm stack", (it) => {
  it.effect("converges, rolls api out to v2 on every task, runs agent on every node, and is removed by its scope", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const run = `stack-test-${Date.now()}`
      const labels = { "effect-docker.example": run }
      const nodes = (yield* docker.nodes.list()).map((node) => node.ID).sort()
      const report = yield* stack({ labels })

      expect(report.apiVersions).toEqual(["2", "2", "2"])
      expect([...report.agentNodes].sort()).toEqual(nodes)
      const v2 = report.apiLog.filter((line) => line.startsWith("api v2"))
      expect(v2).toHaveLength(3)
      for (const line of v2) expect(line).toMatch(/^api v2 on \w+: token t0ken, mode=demo$/)
      expect(report.apiLog.filter((line) => line.startsWith("api v1")).length).toBeGreaterThanOrEqual(3)

      const filters = { label: [`effect-docker.example=${run}`] }
      expect(yield* docker.services.list({ filters })).toEqual([])
      expect(yield* docker.secrets.list({ filters })).toEqual([])
      expect(yield* docker.configs.list({ filters })).toEqual([])
      expect((yield* docker.tasks.list()).filter((task) => task.DesiredState === "running")).toEqual([])
    }))
})
