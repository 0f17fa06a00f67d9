/** bench/runtimes.ts on Node: NodeDocker against raw undici (a Pool on the same socket). */
import { NodeDocker } from "@effect-docker/node"
import { Layer, ManagedRuntime } from "effect"
import { Pool } from "undici"
import { measure, settings } from "./measure.js"

const { host, socketPath } = settings()
const pool = new Pool("http://localhost", { socketPath, connections: 1 })
await measure(
  "Node",
  process.version,
  ManagedRuntime.make(Layer.orDie(NodeDocker.layer({ host, apiVersion: "1.41" }))),
  async (path) => (await pool.request({ method: "GET", path })).body.text()
)
await pool.close()
