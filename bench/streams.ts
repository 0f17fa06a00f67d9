/**
 * Streaming side by side: 1 GiB (default) of container logs (demultiplexed), of a container's
 * exported filesystem, and of a file read with `getArchive`, each through effect-docker, raw
 * undici, dockerode and the docker CLI (to /dev/null). Each read runs in a child process of its
 * own, so that its peak RSS is its own: this file bundled to plain JavaScript and run by `node`
 * (no TypeScript loader in the children); clients are interleaved (A B C D A B C D ...). Also
 * effect-docker and raw undici with a slow consumer, to show that memory stays flat under backpressure.
 * Prints medians, min/max, MiB/s, CPU, RSS and ratios, writes bench/results/streams.<engine>.json, and
 * renders BENCHMARKS.md (bench/report.ts).
 *
 *   pnpm bench:streams                 (on each private engine, 20.10 then 28.5)
 *   SIZE_MIB=256 ROUNDS=3 CASES=logs pnpm bench:streams
 *   CHILD_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/streams" CASES=export pnpm bench:streams
 */
import type Dockerode from "dockerode"
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { bundle, childFlags } from "./bundle.js"
import { resultsFile } from "./report.js"
import { median } from "./stats.js"

const host = process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock"
const socketPath = host.replace(/^unix:\/\//, "")
const sizeMiB = Number(process.env.SIZE_MIB ?? 1024)
const rounds = Number(process.env.ROUNDS ?? 3)
const only = process.env.CASES?.split(",")

type Case = "logs" | "export" | "archive"

/**
 * A client loads its library (before the clock starts), then reads the whole stream and returns
 * the bytes it counted. Each loads only its own library, so that a child process holds only that.
 */
interface Client {
  readonly load: () => Promise<(id: string) => Promise<number>>
}

const client = <M>(load: () => Promise<M>, read: (module: M, id: string) => Promise<number>): Client => ({
  load: async () => {
    const module = await load()
    return (id) => read(module, id)
  }
})

const effectDocker = () => import("./streams/effect-docker.js")
const undici = () => import("./streams/undici.js")
const dockerode = () => import("./streams/dockerode.js")
const engine = () => import("./streams/engine.js")

/** A program of the machine's, to /dev/null: its output is not counted. */
const cli = (args: (id: string) => ReadonlyArray<string>) =>
  client(() => Promise.resolve(undefined), (_, id) => {
    const [program, ...rest] = args(id)[0] === "curl" ? args(id) : ["docker", ...args(id)]
    execFileSync(program!, rest, {
      env: { ...process.env, DOCKER_HOST: host },
      stdio: ["ignore", "ignore", "ignore"]
    })
    return Promise.resolve(-1) // the CLI's output goes to /dev/null uncounted
  })

const file = "/big"

/** curl (C, libcurl) reading the engine's stream: how fast a native client takes it. */
const curl = (
  path: string
) => ["curl", "-sf", "--unix-socket", socketPath, "-o", "/dev/null", `http://docker/v1.41${path}`]

const cases: Record<Case, { readonly command: string; readonly clients: Record<string, Client> }> = {
  logs: {
    command: `tr '\\0' a < /dev/zero | head -c ${sizeMiB * 1024 * 1024}`,
    clients: {
      "effect-docker": client(effectDocker, (m, id) => m.logs(id, false)),
      "effect-docker, slow consumer": client(effectDocker, (m, id) => m.logs(id, true)),
      "raw undici + demux": client(undici, (m, id) => m.logs(id)),
      "raw undici + demux, slow consumer": client(undici, (m, id) => m.logs(id, true)),
      "dockerode demuxStream": client(dockerode, (m, id) => m.logs(id)),
      "docker logs > /dev/null": cli((id) => ["logs", id])
    }
  },
  export: {
    command: `head -c ${sizeMiB * 1024 * 1024} /dev/zero > ${file}`,
    clients: {
      "effect-docker": client(effectDocker, (m, id) => m.exportFs(id, false)),
      "effect-docker, slow consumer": client(effectDocker, (m, id) => m.exportFs(id, true)),
      "raw undici": client(undici, (m, id) => m.exportFs(id)),
      "raw undici, slow consumer": client(undici, (m, id) => m.exportFs(id, true)),
      "undici's parser alone (dispatch, count only)": client(undici, (m, id) => m.exportDispatched(id)),
      "dockerode": client(dockerode, (m, id) => m.exportFs(id)),
      "docker export > /dev/null": cli((id) => ["export", id]),
      "a lean HTTP/1.1 reader (chunked by hand, count only)": client(engine, (m, id) => m.exportChunked(id)),
      "engine limit: raw socket, HTTP/1.0": client(engine, (m, id) => m.exportFs(id)),
      "engine limit: curl > /dev/null": cli((id) => curl(`/containers/${id}/export`))
    }
  },
  archive: {
    command: `head -c ${sizeMiB * 1024 * 1024} /dev/zero > ${file}`,
    clients: {
      "effect-docker": client(effectDocker, (m, id) => m.archive(id, file, false)),
      "effect-docker, slow consumer": client(effectDocker, (m, id) => m.archive(id, file, true)),
      "raw undici": client(undici, (m, id) => m.archive(id, file)),
      "raw undici, slow consumer": client(undici, (m, id) => m.archive(id, file, true)),
      "undici's parser alone (dispatch, count only)": client(undici, (m, id) => m.archiveDispatched(id, file)),
      "dockerode": client(dockerode, (m, id) => m.archive(id, file)),
      "docker cp > /dev/null": cli((id) => ["cp", `${id}:${file}`, "-"]),
      "a lean HTTP/1.1 reader (chunked by hand, count only)": client(engine, (m, id) => m.archiveChunked(id, file)),
      "engine limit: raw socket, HTTP/1.0": client(engine, (m, id) => m.archive(id, file)),
      "engine limit: curl > /dev/null": cli((id) => curl(`/containers/${id}/archive?path=${encodeURIComponent(file)}`))
    }
  }
}

interface Sample {
  readonly bytes: number
  readonly millis: number
  readonly cpuMillis: number
  readonly maxRssKiB: number
  /** RSS once the client's library is loaded, before the read. */
  readonly loadedRssKiB: number
}

const child = async (name: Case, client: string, id: string) => {
  const read = await cases[name].clients[client]!.load()
  const loadedRssKiB = process.memoryUsage().rss / 1024
  const start = performance.now()
  const startCpu = process.cpuUsage()
  const bytes = await read(id)
  const millis = performance.now() - start
  // CPU time of the read alone (for the docker CLI, of this process waiting on it).
  const cpu = process.cpuUsage(startCpu)
  // Peak RSS of this process, in KiB; the docker CLI's own memory is not counted here.
  const sample: Sample = {
    bytes,
    millis,
    cpuMillis: (cpu.user + cpu.system) / 1000,
    maxRssKiB: process.resourceUsage().maxRSS,
    loadedRssKiB
  }
  process.stdout.write(JSON.stringify(sample) + "\n")
}

/** What a child process holds before it reads anything (Node and the modules). */
const baselineRssMiB = (script: string) =>
  Number(execFileSync(process.execPath, [script, "--baseline"]).toString().trim()) / 1024

const measure = async (docker: Dockerode, script: string, name: Case) => {
  const { clients, command } = cases[name]
  const container = await docker.createContainer({
    Image: "busybox",
    Cmd: ["sh", "-c", command],
    Labels: { "effect-docker.bench": "streams" }
  })
  try {
    await container.start()
    await container.wait()
    const results: Record<string, Array<Sample>> = {}
    for (let round = 0; round < rounds; round++) {
      for (const client of Object.keys(clients)) {
        const out = execFileSync(process.execPath, [
          ...childFlags(),
          script,
          "--child",
          name,
          client,
          container.id
        ], { env: process.env, maxBuffer: 1 << 20 }).toString().trim().split("\n").at(-1)!
        ;(results[client] ??= []).push(JSON.parse(out))
      }
    }
    // Every client that counts must have read the same number of bytes.
    const counted = new Set(Object.values(results).flat().map((s) => s.bytes).filter((b) => b >= 0))
    if (counted.size !== 1) throw new Error(`${name}: clients read different sizes: ${[...counted].join(", ")}`)
    const medianOf = (filter: (client: string) => boolean) =>
      Math.min(
        ...Object.entries(results).filter(([client]) => filter(client)).map(([, samples]) =>
          median(samples.map((s) => s.millis))
        )
      )
    const isLimit = (client: string) => client.startsWith("engine limit")
    // The parser alone and the lean reader measure body paths, not clients.
    const isProbe = (client: string) =>
      isLimit(client) || client.startsWith("undici's parser") || client.startsWith("a lean HTTP")
    const fastest = medianOf((client) => !client.includes("slow") && !isProbe(client))
    // The engine's speed: the faster of its readers that do nothing but count (Infinity: none).
    const limit = medianOf(isLimit)
    const bytes = [...counted][0]!
    console.log(`\n${name}: ${(bytes / 1024 / 1024).toFixed(0)} MiB, ${rounds} interleaved rounds`)
    console.log(
      "client                               median ms   min ms   max ms    MiB/s   CPU ms   RSS loaded MiB   peak RSS MiB   time / fastest   / engine limit"
    )
    return Object.entries(results).map(([client, samples]) => {
      const millis = samples.map((s) => s.millis)
      const m = median(millis)
      const cliOnly = client.startsWith("docker ") || client.includes("curl")
      const rss = cliOnly ? undefined : Math.max(...samples.map((s) => s.maxRssKiB)) / 1024
      const loaded = cliOnly ? undefined : median(samples.map((s) => s.loadedRssKiB)) / 1024
      console.log(
        `${client.padEnd(44)} ${m.toFixed(0).padStart(9)} ${Math.min(...millis).toFixed(0).padStart(8)} ${
          Math.max(...millis).toFixed(0).padStart(8)
        } ${(bytes / 1024 / 1024 / (m / 1000)).toFixed(0).padStart(8)} ${
          median(samples.map((s) => s.cpuMillis)).toFixed(0).padStart(8)
        } ${(loaded === undefined ? "n/a" : loaded.toFixed(0)).padStart(16)} ${
          (rss === undefined ? "n/a" : rss.toFixed(0)).padStart(14)
        }   ${(m / fastest).toFixed(2).padStart(14)}   ${Number.isFinite(limit) ? (m / limit).toFixed(2) : "-"}`
      )
      return {
        case: name,
        client,
        medianMillis: m,
        minMillis: Math.min(...millis),
        maxMillis: Math.max(...millis),
        medianCpuMillis: median(samples.map((s) => s.cpuMillis)),
        mibPerSecond: bytes / 1024 / 1024 / (m / 1000),
        loadedRssMiB: loaded,
        peakRssMiB: rss,
        timeOverFastest: m / fastest,
        timeOverEngineLimit: Number.isFinite(limit) ? m / limit : undefined
      }
    })
  } finally {
    await container.remove({ force: true })
  }
}

const main = async () => {
  const docker = new (await import("dockerode")).default({ socketPath })
  const script = await bundle("streams", import.meta.filename)
  const baseline = baselineRssMiB(script)
  console.log(`a child process holds ${baseline.toFixed(0)} MiB before it reads (Node and the modules)`)
  const table = []
  for (const name of Object.keys(cases) as Array<Case>) {
    if (only !== undefined && !only.includes(name)) continue
    table.push(...await measure(docker, script, name))
  }
  if (only !== undefined) return
  const out = Path.join(import.meta.dirname, "results")
  Fs.mkdirSync(out, { recursive: true })
  Fs.writeFileSync(
    Path.join(out, resultsFile("streams")),
    JSON.stringify(
      {
        engine: (await docker.version()).Version,
        sizeMiB,
        rounds,
        baselineRssMiB: baseline,
        date: new Date().toISOString(),
        table
      },
      null,
      2
    ) + "\n"
  )
  const { writeReport } = await import("./report.js")
  writeReport()
}

if (process.argv[2] === "--child") child(process.argv[3] as Case, process.argv[4]!, process.argv[5]!)
else if (process.argv[2] === "--baseline") process.stdout.write(`${process.resourceUsage().maxRSS}\n`)
else main()
