/**
 * bench/runtimes.ts on Deno: DenoDocker against Deno's own `fetch` with an `HttpClient` whose
 * proxy is the same Unix socket.
 */
import { DenoDocker } from "@effect-docker/deno"
import { Layer, ManagedRuntime } from "effect"
import { measure, settings } from "./measure.js"

interface DenoApi {
  readonly version: { readonly deno: string }
  createHttpClient(options: { readonly proxy: { readonly transport: "unix"; readonly path: string } }): {
    close(): void
  }
}
const deno = (globalThis as unknown as { readonly Deno: DenoApi }).Deno

const { host, socketPath } = settings()
const client = deno.createHttpClient({ proxy: { transport: "unix", path: socketPath } })
await measure(
  "Deno",
  deno.version.deno,
  ManagedRuntime.make(Layer.orDie(DenoDocker.layer({ host, apiVersion: "1.41" }))),
  async (path) => (await fetch(`http://localhost${path}`, { client } as RequestInit)).text()
)
client.close()
