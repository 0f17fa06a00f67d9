/** bench/runtimes.ts on Bun: BunDocker against Bun's own `fetch` with `unix` on the same socket. */
import { BunDocker } from "@effect-docker/bun"
import { Docker } from "@effect-docker/client"
import { Effect, Layer, ManagedRuntime } from "effect"
import { measure, settings } from "./measure.js"

const { host, socketPath } = settings()
const runtime = ManagedRuntime.make(Layer.orDie(BunDocker.layer({ host, apiVersion: "1.41" })))
const docker = await runtime.runPromise(Docker.Docker)

const get = async (path: string) => (await fetch(`http://localhost${path}`, { unix: socketPath } as RequestInit)).text()

const bun = (globalThis as unknown as { readonly Bun: { readonly version: string } }).Bun
await measure("Bun", bun.version, {
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
