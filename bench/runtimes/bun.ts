/** bench/runtimes.ts on Bun: BunDocker against Bun's own `fetch` with `unix` on the same socket. */
import { BunDocker } from "@effect-docker/bun"
import { Layer, ManagedRuntime } from "effect"
import { measure, settings } from "./measure.js"

const { host, socketPath } = settings()
const bun = (globalThis as unknown as { readonly Bun: { readonly version: string } }).Bun
await measure(
  "Bun",
  bun.version,
  ManagedRuntime.make(Layer.orDie(BunDocker.layer({ host, apiVersion: "1.41" }))),
  async (path) => (await fetch(`http://localhost${path}`, { unix: socketPath } as RequestInit)).text()
)
