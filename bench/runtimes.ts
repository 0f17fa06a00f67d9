/**
 * Requests on each runtime: effect-docker on Node, Bun and Deno, each against that runtime's own
 * raw client on the same Unix socket (Node: undici's Pool; Bun: `fetch` with `unix`; Deno: `fetch`
 * with a Unix-proxy `HttpClient`), sequential ping and container inspect, interleaved rounds in
 * one process per runtime, each from an esbuild bundle in the plain runtime. Writes
 * bench/results/runtimes.json and BENCHMARKS.md's Runtimes section.
 *
 *   pnpm bench:runtimes      (starts the private engine when DOCKER_HOST does not answer)
 *   ROUNDS=5 PINGS=3000 INSPECTS=2000 pnpm bench:runtimes
 */
import { Docker } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import { Effect, Layer, ManagedRuntime } from "effect"
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { bundle } from "./bundle.js"
import type { Samples } from "./runtimes/measure.js"
import { summary } from "./stats.js"

const host = process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock"
const bin = (name: string) => Path.resolve(import.meta.dirname, "../node_modules/.bin", name)
const runtimes: ReadonlyArray<{ readonly entry: string; readonly command: (script: string) => Array<string> }> = [
  { entry: "node", command: (script) => [process.execPath, script] },
  { entry: "bun", command: (script) => [bin("bun"), script] },
  { entry: "deno", command: (script) => [bin("deno"), "run", "-A", script] }
]

const runtime = ManagedRuntime.make(Layer.orDie(NodeDocker.layer({ host })))
const docker = await runtime.runPromise(Docker.Docker)
const { Id: target } = await runtime.runPromise(
  docker.containers.create({ Image: "busybox", Cmd: ["true"], Labels: { "effect-docker.bench": "runtimes" } })
)
const engine = (await runtime.runPromise(docker.system.version())).Version
const results: Array<Samples> = []
try {
  for (const { command, entry } of runtimes) {
    const script = await bundle(`runtime-${entry}`, Path.join(import.meta.dirname, "runtimes", `${entry}.ts`))
    const [file, ...args] = command(script)
    console.log(`${entry} ...`)
    const output = execFileSync(file!, args, { env: { ...process.env, DOCKER_HOST: host, BENCH_TARGET: target } })
    results.push(JSON.parse(output.toString().trim().split("\n").at(-1)!))
  }
} finally {
  await runtime.runPromise(Effect.ignore(docker.containers.remove(target, { force: true })))
  await runtime.dispose()
}

const rows = results.flatMap(({ runtime, samples, version }) =>
  Object.entries(samples).map(([name, bySide]) => {
    const ours = summary(bySide["effect-docker"])
    const raw = summary(bySide.raw)
    return { runtime, version, case: name, ours, raw, ratio: ours.median / raw.median }
  })
)
for (const row of rows) {
  console.log(
    `${row.runtime.padEnd(5)} ${row.case.padEnd(8)} effect-docker ${row.ours.median.toFixed(0)} ms, raw ${
      row.raw.median.toFixed(0)
    } ms, ratio ${row.ratio.toFixed(2)}`
  )
}
const out = Path.join(import.meta.dirname, "results")
Fs.mkdirSync(out, { recursive: true })
Fs.writeFileSync(
  Path.join(out, "runtimes.json"),
  JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: `${Os.cpus().length} × ${Os.cpus()[0]?.model ?? "cpu"}, ${(Os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
      engine,
      rounds: Number(process.env.ROUNDS ?? 5),
      counts: { ping: Number(process.env.PINGS ?? 3000), inspect: Number(process.env.INSPECTS ?? 2000) },
      rows
    },
    null,
    2
  ) + "\n"
)
;(await import("./report.js")).writeReport()
