/**
 * bench/runtimes.ts on Deno: DenoDocker against Deno's own `fetch` with an `HttpClient` whose
 * proxy is the same Unix socket.
 */
import { Docker } from "@effect-docker/client"
import { DenoDocker } from "@effect-docker/deno"
import { Effect, Layer, ManagedRuntime } from "effect"
import { measure, settings } from "./measure.js"

interface DenoApi {
  readonly version: { readonly deno: string }
  createHttpClient(options: { readonly proxy: { readonly transport: "unix"; readonly path: string } }): {
    close(): void
  }
}
const deno = (globalThis as unknown as { readonly Deno: DenoApi }).Deno

const { host, socketPath } = settings()
const runtime = ManagedRuntime.make(Layer.orDie(DenoDocker.layer({ host, apiVersion: "1.41" })))
const docker = await runtime.runPromise(Docker.Docker)
const client = deno.createHttpClient({ proxy: { transport: "unix", path: socketPath } })

const get = async (path: string) => (await fetch(`http://localhost${path}`, { client } as RequestInit)).text()

await measure("Deno", deno.version.deno, {
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
client.close()
