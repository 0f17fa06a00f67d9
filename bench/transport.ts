/**
 * Sequential `/_ping` over the engine's Unix socket: raw undici, raw node:http with a keep-alive
 * agent, and effect-docker, interleaved (A B C A B C ...) so that they share the machine's state.
 * Prints medians, min/max and ratios to raw undici.
 *
 *   pnpm bench:transport            (starts the private engine when DOCKER_HOST does not answer)
 *   PINGS=3000 ROUNDS=5 pnpm bench:transport
 */
import { Docker } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import { Effect, Layer, ManagedRuntime } from "effect"
import * as Http from "node:http"
import { Pool } from "undici"
import { median } from "./stats.js"

const host = process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock"
if (!host.startsWith("unix://")) throw new Error(`this benchmark needs a unix:// DOCKER_HOST, got ${host}`)
const socketPath = host.slice("unix://".length)
const pings = Number(process.env.PINGS ?? 3000)
const rounds = Number(process.env.ROUNDS ?? 5)

const pool = new Pool("http://localhost", { socketPath, connections: 1 })
const agent = new Http.Agent({ keepAlive: true, maxSockets: 1 })
const runtime = ManagedRuntime.make(Layer.orDie(NodeDocker.layer({ host, apiVersion: "1.41", poolSize: 1 })))

const undiciPing = async () => {
  const response = await pool.request({ method: "GET", path: "/_ping" })
  await response.body.text()
}

const nodeHttpPing = () =>
  new Promise<void>((resolve, reject) => {
    Http.get({ socketPath, path: "/_ping", agent }, (response) => {
      response.on("data", () => {})
      response.on("end", resolve)
    }).on("error", reject)
  })

const effectDockerPings = Effect.flatMap(Docker.Docker, (docker) => Effect.repeatN(docker.system.ping(), pings - 1))

const clients: Record<string, () => Promise<unknown>> = {
  "raw undici": async () => {
    for (let i = 0; i < pings; i++) await undiciPing()
  },
  "raw node:http": async () => {
    for (let i = 0; i < pings; i++) await nodeHttpPing()
  },
  "effect-docker": () => runtime.runPromise(effectDockerPings)
}

const main = async () => {
  for (const run of Object.values(clients)) await run() // warm up sockets and JIT
  const times: Record<string, Array<number>> = Object.fromEntries(Object.keys(clients).map((name) => [name, []]))
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of Object.entries(clients)) {
      const start = performance.now()
      await run()
      times[name]!.push(performance.now() - start)
    }
  }
  const base = median(times["raw undici"]!)
  console.log(`sequential /_ping x ${pings}, ${rounds} interleaved rounds, over ${socketPath}`)
  console.log("client          median ms   min ms   max ms   pings/s   ratio to raw undici")
  for (const [name, samples] of Object.entries(times)) {
    const m = median(samples)
    console.log(
      `${name.padEnd(15)} ${m.toFixed(0).padStart(9)} ${Math.min(...samples).toFixed(0).padStart(8)} ${
        Math.max(...samples).toFixed(0).padStart(8)
      } ${(pings / (m / 1000)).toFixed(0).padStart(9)}   ${(m / base).toFixed(2)}`
    )
  }
  await runtime.dispose()
  await pool.close()
  agent.destroy()
}

main()
