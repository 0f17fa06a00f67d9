/** bench/runtimes.ts on Node: NodeDocker against raw undici (a Pool on the same socket). */
import { Docker } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import { Effect, Layer, ManagedRuntime } from "effect"
import { Pool } from "undici"
import { measure, settings } from "./measure.js"

const { host, socketPath } = settings()
const pool = new Pool("http://localhost", { socketPath, connections: 1 })
const runtime = ManagedRuntime.make(Layer.orDie(NodeDocker.layer({ host, apiVersion: "1.41" })))
const docker = await runtime.runPromise(Docker.Docker)

const get = async (path: string) => (await pool.request({ method: "GET", path })).body.text()

await measure("Node", process.version, {
  "effect-docker": {
    ping: (n) => runtime.runPromise(Effect.repeatN(docker.system.ping(), n - 1)),
    inspect: (id, n) => runtime.runPromise(Effect.repeatN(docker.containers.inspect(id), n - 1))
  },
  raw: {
    ping: async (n) => {
      for (let i = 0; i < n; i++) await get("/_ping")
    },
    inspect: async (id, n) => {
      for (let i = 0; i < n; i++) JSON.parse(await get(`/v1.41/containers/${id}/json`))
    }
  }
})
await runtime.dispose()
await pool.close()
