/**
 * One runtime's side of bench/runtimes.ts: effect-docker on that runtime's transport against the
 * runtime's own raw client on the same socket, interleaved (ours, raw, raw, ours, ...), printing
 * the samples as one JSON line for the parent to gather.
 */

import { Docker } from "@effect-docker/client"
import { Effect, type ManagedRuntime } from "effect"

/** A client of the benchmark: the two cases, each a batch of sequential requests. */
interface Client {
  readonly ping: (count: number) => Promise<unknown>
  readonly inspect: (id: string, count: number) => Promise<unknown>
}

/** What a child prints: milliseconds per round, by case and client. */
export interface Samples {
  readonly runtime: string
  readonly version: string
  readonly samples: Record<"ping" | "inspect", Record<"effect-docker" | "raw", Array<number>>>
}

const env = (name: string): string | undefined =>
  (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env[name]

/** The socket, the inspect target and the counts the parent passes in the environment. */
export const settings = () => {
  const host = env("DOCKER_HOST") ?? "unix:///var/run/docker.sock"
  if (!host.startsWith("unix://")) throw new Error(`this benchmark needs a unix:// DOCKER_HOST, got ${host}`)
  const target = env("BENCH_TARGET")
  if (target === undefined) throw new Error("BENCH_TARGET (a container id) is not set")
  return {
    host,
    socketPath: host.slice("unix://".length),
    target,
    rounds: Number(env("ROUNDS") ?? 5),
    pings: Number(env("PINGS") ?? 3000),
    inspects: Number(env("INSPECTS") ?? 2000)
  }
}

/**
 * Warms both clients up, runs the interleaved rounds and prints the samples: effect-docker on
 * `runtime`, and the raw client's `get` (a path to the answer's text) parsing the JSON it gets.
 */
export const measure = async (
  name: string,
  version: string,
  runtime: ManagedRuntime.ManagedRuntime<Docker.Docker, never>,
  get: (path: string) => Promise<string>
) => {
  const { inspects, pings, rounds, target } = settings()
  const docker = await runtime.runPromise(Docker.Docker)
  const clients: Record<"effect-docker" | "raw", Client> = {
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
  }
  const cases = {
    ping: (client: Client) => client.ping(pings),
    inspect: (client: Client) => client.inspect(target, inspects)
  }
  const samples: Samples["samples"] = {
    ping: { "effect-docker": [], raw: [] },
    inspect: { "effect-docker": [], raw: [] }
  }
  for (const [name, run] of Object.entries(cases)) {
    for (const client of Object.values(clients)) await run(client)
    for (let round = 0; round < rounds; round++) {
      // The order turns each round, so that neither client always runs second.
      const order = round % 2 === 0 ? (["effect-docker", "raw"] as const) : (["raw", "effect-docker"] as const)
      for (const client of order) {
        const start = performance.now()
        await run(clients[client])
        samples[name as keyof typeof cases][client].push(performance.now() - start)
      }
    }
  }
  console.log(JSON.stringify({ runtime: name, version, samples } satisfies Samples))
  await runtime.dispose()
}
