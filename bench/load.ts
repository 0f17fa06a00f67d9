/**
 * The cost of loading each client, as users load it: the packed packages installed with npm into
 * a scratch project beside dockerode and undici, each imported by plain `node` in a fresh process,
 * rounds interleaved; then the minified bundle of a ping-only program for each. Reports medians,
 * min/max and ratios to dockerode. Then the cold start of a program that lists the containers once
 * (against DOCKER_HOST, or the private engine that `pnpm bench:load` starts), against raw undici.
 *
 *   ROUNDS=15 pnpm bench:load
 */
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { median } from "./stats.js"

const root = Path.resolve(import.meta.dirname, "..")
const app = Path.join(root, "bench/.build/load-app")
const rounds = Number(process.env.ROUNDS ?? 15)
const run = (command: string, args: ReadonlyArray<string>, cwd = root, input?: string) =>
  execFileSync(command, args, { cwd, encoding: "utf8", input, stdio: [input ? "pipe" : "ignore", "pipe", "inherit"] })

// The packages as npm installs them.
run("bash", ["scripts/build-packages.sh"])
Fs.rmSync(app, { recursive: true, force: true })
Fs.mkdirSync(Path.join(app, "tarballs"), { recursive: true })
for (const p of ["client", "node"]) {
  run("pnpm", ["pack", "--pack-destination", Path.join(app, "tarballs")], Path.join(root, "packages", p))
}
Fs.writeFileSync(Path.join(app, "package.json"), JSON.stringify({ name: "load", private: true, type: "module" }))
const dockerodeVersion = JSON.parse(
  Fs.readFileSync(Path.join(root, "bench/node_modules/dockerode/package.json"), "utf8")
).version
run("npm", [
  "install",
  "--no-audit",
  "--no-fund",
  "--loglevel=error",
  ...Fs.readdirSync(Path.join(app, "tarballs")).map((f) => `./tarballs/${f}`),
  `dockerode@${dockerodeVersion}`,
  "undici@^7.16.0"
], app)

/** Imports `specifiers` and prints the time it took and the RSS after a GC. */
const probe = `
const started = performance.now()
for (const specifier of process.argv.slice(2)) await import(specifier)
const ms = performance.now() - started
globalThis.gc()
console.log(JSON.stringify({ ms, rss: process.memoryUsage().rss }))
`
Fs.writeFileSync(Path.join(app, "probe.mjs"), probe)

// Where the RSS goes: the same code of ours as one module (what Node's ESM loader costs per module
// and per bare specifier), and 60 small modules importing six effect modules each, by bare specifier
// and by relative path, on top of what we are built on.
run(
  Path.join(root, "node_modules/.bin/esbuild"),
  [
    "--bundle",
    "--platform=node",
    "--format=esm",
    ...["effect", "@effect/*", "undici", "ssh2", "tar-stream", "@balena/dockerignore"].map((p) => `--external:${p}`),
    "--outfile=one-module.mjs",
    "--log-level=error"
  ],
  app,
  `export * from "@effect-docker/client"\nexport * from "@effect-docker/node"\n`
)
const effectModules = ["Effect", "Stream", "Schema", "Option", "Layer", "Chunk"]
for (const style of ["bare", "relative"] as const) {
  const dir = Path.join(app, `modules-${style}`)
  Fs.mkdirSync(dir, { recursive: true })
  for (let i = 0; i < 60; i++) {
    const imports = effectModules.map((m) =>
      `import * as ${m} from "${style === "bare" ? `effect/${m}` : `../node_modules/effect/dist/esm/${m}.js`}"`
    )
    Fs.writeFileSync(Path.join(dir, `m${i}.mjs`), `${imports.join("\n")}\nexport const m${i} = [${effectModules}]\n`)
  }
  Fs.writeFileSync(
    Path.join(dir, "all.mjs"),
    Array.from({ length: 60 }, (_, i) => `export * from "./m${i}.mjs"`).join("\n")
  )
}
const floor = ["effect/Schema", "effect/Stream", "effect/Layer", "undici"]

const candidates = {
  "effect-docker": ["@effect-docker/client", "@effect-docker/node"],
  dockerode: ["dockerode"],
  "raw undici": ["undici"],
  "effect/Schema, Stream, Layer and undici (the floor)": floor,
  "the floor and effect-docker as one module": [...floor, "./one-module.mjs"],
  "the floor and effect-docker as published": [...floor, "@effect-docker/client", "@effect-docker/node"],
  "the floor and 60 modules, 6 bare imports each": [...floor, "./modules-bare/all.mjs"],
  "the floor and 60 modules, 6 relative imports each": [...floor, "./modules-relative/all.mjs"]
} as const
type Name = keyof typeof candidates

const samples = {} as Record<Name, Array<{ ms: number; rss: number }>>
for (const name of Object.keys(candidates) as Array<Name>) samples[name] = []
for (let round = 0; round < rounds; round++) {
  for (const name of Object.keys(candidates) as Array<Name>) {
    samples[name].push(JSON.parse(run("node", ["--expose-gc", "probe.mjs", ...candidates[name]], app)))
  }
}

// Cold start: a program that imports its client and lists the containers once, in a fresh process;
// the wall time from spawn to exit, and the process's peak RSS.
const coldStart: Record<string, string> = {
  "effect-docker": `
import { Docker } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import { Effect } from "effect"
const list = await Effect.runPromise(
  Effect.flatMap(Docker.Docker, (docker) => docker.containers.list({ all: true })).pipe(Effect.provide(NodeDocker.layerFromEnv()))
)
`,
  "raw undici": `
import { Pool } from "undici"
const pool = new Pool("http://localhost", { socketPath: (process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock").slice(7) })
const { body } = await pool.request({ method: "GET", path: "/containers/json?all=1" })
const list = await body.json()
await pool.close()
`,
  // What any Effect program on undici pays before a line of ours: effect's index (as the program
  // above imports it) with Schema, which loads fast-check through effect/Arbitrary.
  "raw undici in an Effect program (the floor)": `
import { Effect, Schema } from "effect"
import { Pool } from "undici"
const pool = new Pool("http://localhost", { socketPath: (process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock").slice(7) })
const list = await Effect.runPromise(Effect.promise(async () => {
  const { body } = await pool.request({ method: "GET", path: "/containers/json?all=1" })
  return Schema.decodeUnknownSync(Schema.Array(Schema.Unknown))(await body.json())
}))
await pool.close()
`,
  dockerode: `
import Docker from "dockerode"
const list = await new Docker().listContainers({ all: true })
`
}
for (const [name, source] of Object.entries(coldStart)) {
  Fs.writeFileSync(
    Path.join(app, `cold-${name.replace(/\W+/g, "-")}.mjs`),
    `${source}if (!Array.isArray(list)) throw new Error("no list")\n` +
      `console.log(JSON.stringify({ containers: list.length, maxRss: process.resourceUsage().maxRSS * 1024 }))\n`
  )
}
const cold = Object.fromEntries(Object.keys(coldStart).map((name) => [name, [] as Array<{ ms: number; rss: number }>]))
for (let round = 0; round < rounds; round++) {
  for (const name of Object.keys(coldStart)) {
    const started = performance.now()
    const out = JSON.parse(run("node", [`cold-${name.replace(/\W+/g, "-")}.mjs`], app))
    cold[name]!.push({ ms: performance.now() - started, rss: out.maxRss })
  }
}

// A ping-only program for each, bundled and minified (ssh2 left out of both, as neither needs it).
const programs: Record<string, string> = {
  "effect-docker (Docker service)": `
import { Docker } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import { Effect } from "effect"
Effect.runPromise(Effect.flatMap(Docker.Docker, (d) => d.system.ping()).pipe(Effect.provide(NodeDocker.layer())))
`,
  "effect-docker (engine and one operation)": `
import { DockerEngine, Operations } from "@effect-docker/client"
import { NodeDockerTransport } from "@effect-docker/node"
import { Effect } from "effect"
Effect.runPromise(Effect.flatMap(DockerEngine.DockerEngine, (engine) => Operations.SystemPing(engine)()).pipe(
  Effect.provide(DockerEngine.layer()),
  Effect.provide(NodeDockerTransport.layer())
))
`,
  // What any Effect program on undici pays before a line of ours: effect's index (as the program
  // above imports it) with Schema, which loads fast-check through effect/Arbitrary.
  "raw undici in an Effect program (the floor)": `
import { Effect, Schema } from "effect"
import { Pool } from "undici"
const pool = new Pool("http://localhost", { socketPath: (process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock").slice(7) })
const list = await Effect.runPromise(Effect.promise(async () => {
  const { body } = await pool.request({ method: "GET", path: "/containers/json?all=1" })
  return Schema.decodeUnknownSync(Schema.Array(Schema.Unknown))(await body.json())
}))
await pool.close()
`,
  dockerode: `
import Docker from "dockerode"
new Docker().ping()
`
}
const bundles: Record<string, { bytes: number; gzipped: number }> = {}
for (const [name, source] of Object.entries(programs)) {
  const entry = Path.join(app, "entry.mjs")
  Fs.writeFileSync(entry, source)
  const out = Path.join(app, "bundle.mjs")
  run(Path.join(root, "node_modules/.bin/esbuild"), [
    entry,
    "--bundle",
    "--minify",
    "--platform=node",
    "--format=esm",
    "--external:ssh2",
    "--external:cpu-features",
    `--outfile=${out}`,
    "--log-level=error"
  ], app)
  bundles[name] = {
    bytes: Fs.statSync(out).size,
    gzipped: Number(run("sh", ["-c", `gzip -c ${out} | wc -c`]).trim())
  }
}

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0)
const base = {
  ms: median(samples.dockerode.map((s) => s.ms)),
  rss: median(samples.dockerode.map((s) => s.rss))
}
console.log(`\nimport, ${rounds} fresh processes each (node ${process.version}), median [min-max]:`)
console.log("| client | import ms | ratio | RSS after import MiB | ratio |")
console.log("| --- | --- | --- | --- | --- |")
for (const name of Object.keys(candidates) as Array<Name>) {
  const ms = samples[name].map((s) => s.ms)
  const rss = samples[name].map((s) => s.rss)
  console.log(
    `| ${name} | ${median(ms).toFixed(0)} [${Math.min(...ms).toFixed(0)}-${Math.max(...ms).toFixed(0)}] | ${
      (median(ms) / base.ms).toFixed(2)
    }x | ${mib(median(rss))} [${mib(Math.min(...rss))}-${mib(Math.max(...rss))}] | ${
      (median(rss) / base.rss).toFixed(2)
    }x |`
  )
}
const undiciCold = {
  ms: median(cold["raw undici"]!.map((s) => s.ms)),
  rss: median(cold["raw undici"]!.map((s) => s.rss))
}
console.log(`\ncold start: import and list the containers once, ${rounds} fresh processes each, median [min-max]:`)
console.log("| client | wall ms | / raw undici | peak RSS MiB | / raw undici |")
console.log("| --- | --- | --- | --- | --- |")
for (const [name, samples] of Object.entries(cold)) {
  const ms = samples.map((s) => s.ms)
  const rss = samples.map((s) => s.rss)
  console.log(
    `| ${name} | ${median(ms).toFixed(0)} [${Math.min(...ms).toFixed(0)}-${Math.max(...ms).toFixed(0)}] | ${
      (median(ms) / undiciCold.ms).toFixed(2)
    }x | ${mib(median(rss))} [${mib(Math.min(...rss))}-${mib(Math.max(...rss))}] | ${
      (median(rss) / undiciCold.rss).toFixed(2)
    }x |`
  )
}
console.log("\nping-only program, minified bundle:")
console.log("| program | bytes | gzipped | ratio (gzipped) |")
console.log("| --- | --- | --- | --- |")
for (const [name, size] of Object.entries(bundles)) {
  console.log(
    `| ${name} | ${size.bytes} | ${size.gzipped} | ${(size.gzipped / bundles.dockerode!.gzipped).toFixed(2)}x |`
  )
}
