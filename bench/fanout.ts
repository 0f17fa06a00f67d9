/**
 * Many streams at once: 64 (default) log follows of containers that write steadily and 64 event
 * subscribers in one process, through effect-docker and through raw undici doing the same
 * (frames demultiplexed by hand, every event line parsed). Each client runs in a child process of
 * its own (this file bundled, plain `node`), clients interleaved; while a child measures, this
 * process tags and untags an image, so that every subscriber has events to read. Reported: the
 * log payload's total MiB/s, the client's CPU per MiB, the slowest follow's rate over the
 * fastest's (starvation), the events each subscriber got against those made, and peak RSS.
 * Writes bench/results/fanout.<engine>.json and renders BENCHMARKS.md (bench/report.ts).
 *
 *   pnpm bench:fanout            (on each private engine, 20.10 then 28.5)
 *   STREAMS=16 WINDOW_SECONDS=5 ROUNDS=1 pnpm bench:fanout
 *   CHILD_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/fanout" pnpm bench:fanout     (profiles of each child)
 */
import { spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Readline from "node:readline"
import { Pool } from "undici"
import { bundle, childFlags } from "./bundle.js"
import { resultsFile } from "./report.js"
import { summary } from "./stats.js"

const host = process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock"
const socketPath = host.replace(/^unix:\/\//, "")
const streams = Number(process.env.STREAMS ?? 64)
const windowSeconds = Number(process.env.WINDOW_SECONDS ?? 10)
const rounds = Number(process.env.ROUNDS ?? 3)
/** Each container writes a 4 KiB line, then waits this long: 200 KiB/s each by default. */
const writeIntervalSeconds = Number(process.env.WRITE_INTERVAL ?? 0.02)
/** Image tags and untags per second made while a client measures: two events each. */
const tagsPerSecond = Number(process.env.TAGS_PER_SECOND ?? 50)

/** What a client counts: the log payload bytes of each follow, the events of each subscriber. */
export interface Counters {
  readonly logBytes: Array<number>
  readonly events: Array<number>
}

/**
 * Opens a follow per id and a subscription per entry of `counters.events`, counting into
 * `counters`; the function given closes them.
 */
type Open = (
  ids: ReadonlyArray<string>,
  counters: Counters
) => (() => Promise<void>) | Promise<() => Promise<void>>

const clients: Record<string, () => Promise<{ readonly open: Open }>> = {
  "effect-docker": () => import("./fanout/effect-docker.js"),
  "raw undici": () => import("./fanout/undici.js")
}

interface Sample {
  readonly logBytes: ReadonlyArray<number>
  readonly events: ReadonlyArray<number>
  readonly windowMillis: number
  readonly cpuMillis: number
  readonly maxRssKiB: number
}

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))

/**
 * A child: opens everything, waits until every follow has bytes (all connected and reading), then
 * says `ready` and counts over the window from zero.
 */
const child = async (client: string, ids: ReadonlyArray<string>) => {
  const { open } = await clients[client]!()
  const counters: Counters = { logBytes: ids.map(() => 0), events: ids.map(() => 0) }
  const close = await open(ids, counters)
  for (let i = 0; i < 300 && counters.logBytes.some((n) => n === 0); i++) await sleep(50)
  if (counters.logBytes.some((n) => n === 0)) throw new Error(`${client}: a follow got no bytes in 15 s`)
  // The subscribers' requests went out with the follows; give their headers a moment too.
  await sleep(500)
  counters.logBytes.fill(0)
  counters.events.fill(0)
  process.stdout.write("ready\n")
  const start = performance.now()
  const startCpu = process.cpuUsage()
  await sleep(windowSeconds * 1000)
  const cpu = process.cpuUsage(startCpu)
  const sample: Sample = {
    logBytes: [...counters.logBytes],
    events: [...counters.events],
    windowMillis: performance.now() - start,
    cpuMillis: (cpu.user + cpu.system) / 1000,
    maxRssKiB: process.resourceUsage().maxRSS
  }
  process.stdout.write(JSON.stringify(sample) + "\n")
  await close()
  process.exit(0)
}

/** The engine over raw undici, for this process's own setup and event making (children never call it). */
let engine: Pool | undefined
const call = async (method: "GET" | "POST" | "DELETE", path: string, body?: unknown) => {
  engine ??= new Pool("http://localhost", { socketPath, connections: 4 })
  const response = await engine.request({
    method,
    path: `/v1.41${path}`,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? null : JSON.stringify(body)
  })
  const text = await response.body.text()
  if (response.statusCode >= 400) throw new Error(`${method} ${path}: ${response.statusCode} ${text}`)
  return text.length > 0 ? JSON.parse(text) : undefined
}

const tag = "effect-docker-bench-fanout"

/** Tags and untags busybox until stopped; resolves with the events made (two per turn). */
const makeEvents = (signal: AbortSignal) =>
  (async () => {
    let made = 0
    const interval = 1000 / tagsPerSecond
    for (let next = performance.now(); !signal.aborted; next += interval) {
      await call("POST", `/images/busybox/tag?repo=${tag}&tag=n`)
      await call("DELETE", `/images/${tag}:n`)
      made += 2
      await sleep(Math.max(0, next + interval - performance.now()))
    }
    return made
  })()

/** Runs one child to its sample, making events from its `ready` to its sample. */
const runChild = (script: string, client: string, ids: ReadonlyArray<string>) =>
  new Promise<Sample & { readonly eventsMade: number }>((resolve, reject) => {
    const process_ = spawn(process.execPath, [...childFlags(), script, "--child", client, ...ids], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    const stop = new AbortController()
    let made: Promise<number> | undefined
    Readline.createInterface({ input: process_.stdout }).on("line", (line) => {
      if (line === "ready") made = makeEvents(stop.signal)
      else if (line.startsWith("{")) {
        stop.abort()
        const sample = JSON.parse(line) as Sample
        ;(made ?? Promise.resolve(0)).then((eventsMade) => resolve({ ...sample, eventsMade }), reject)
      }
    })
    process_.on("exit", (code) => code !== 0 && reject(new Error(`${client}: the child exited with ${code}`)))
  })

const main = async () => {
  const script = await bundle("fanout", import.meta.filename)
  // A 4 KiB line, then a wait on a fifo nobody writes: a steady writer that forks nothing.
  const writer = `s=$(head -c 4095 /dev/zero | tr '\\0' a); mkfifo /f; exec 3<>/f; rm /f; ` +
    `while :; do echo "$s"; read -t ${writeIntervalSeconds} -u 3 x; done`
  const ids: Array<string> = []
  try {
    for (let i = 0; i < streams; i++) {
      const { Id } = await call("POST", "/containers/create", {
        Image: "busybox",
        Cmd: ["sh", "-c", writer],
        Labels: { "effect-docker.bench": "fanout" },
        // The logs are read as they are written: a small file bounds the disk they take.
        HostConfig: { LogConfig: { Type: "json-file", Config: { "max-size": "4m", "max-file": "1" } } }
      })
      ids.push(Id)
      await call("POST", `/containers/${Id}/start`)
    }
    const results: Record<string, Array<Sample & { readonly eventsMade: number }>> = {}
    for (let round = 0; round < rounds; round++) {
      for (const client of Object.keys(clients)) (results[client] ??= []).push(await runChild(script, client, ids))
    }
    const rows = Object.entries(results).map(([client, samples]) => {
      const mib = (s: Sample) => s.logBytes.reduce((a, b) => a + b, 0) / 1024 / 1024
      return {
        client,
        mibPerSecond: summary(samples.map((s) => mib(s) / (s.windowMillis / 1000))),
        cpuMillisPerMiB: summary(samples.map((s) => s.cpuMillis / mib(s))),
        slowestOverFastest: summary(samples.map((s) => Math.min(...s.logBytes) / Math.max(...s.logBytes))),
        eventsPerSubscriber: summary(samples.flatMap((s) => s.events)),
        eventsMade: summary(samples.map((s) => s.eventsMade)),
        peakRssMiB: Math.max(...samples.map((s) => s.maxRssKiB)) / 1024
      }
    })
    const raw = rows.find((row) => row.client === "raw undici")!
    console.log(
      `\n${streams} follows (4 KiB every ${writeIntervalSeconds} s each) and ${streams} event subscribers, ${windowSeconds} s windows, ${rounds} interleaved rounds`
    )
    console.log(
      "client            MiB/s [min-max]     CPU ms/MiB [min-max]   / raw undici   slowest/fastest [min]   events/subscriber [min-max] of made   peak RSS MiB"
    )
    const table = rows.map((row) => {
      const cpuOverRaw = row.cpuMillisPerMiB.median / raw.cpuMillisPerMiB.median
      console.log(
        `${row.client.padEnd(17)} ${row.mibPerSecond.median.toFixed(1).padStart(6)} [${
          row.mibPerSecond.min.toFixed(1)
        }-${row.mibPerSecond.max.toFixed(1)}]   ${row.cpuMillisPerMiB.median.toFixed(1).padStart(6)} [${
          row.cpuMillisPerMiB.min.toFixed(1)
        }-${row.cpuMillisPerMiB.max.toFixed(1)}]   ${cpuOverRaw.toFixed(2).padStart(10)}   ${
          row.slowestOverFastest.median.toFixed(2).padStart(10)
        } [${
          row.slowestOverFastest.min.toFixed(2)
        }]   ${row.eventsPerSubscriber.min}-${row.eventsPerSubscriber.max} of ${row.eventsMade.min}-${row.eventsMade.max}   ${
          row.peakRssMiB.toFixed(0).padStart(12)
        }`
      )
      return { ...row, cpuPerMiBOverRawUndici: cpuOverRaw }
    })
    const out = Path.join(import.meta.dirname, "results")
    Fs.mkdirSync(out, { recursive: true })
    Fs.writeFileSync(
      Path.join(out, resultsFile("fanout")),
      JSON.stringify(
        {
          date: new Date().toISOString(),
          engine: (await call("GET", "/version")).Version,
          streams,
          windowSeconds,
          rounds,
          writeIntervalSeconds,
          tagsPerSecond,
          table
        },
        null,
        2
      ) + "\n"
    )
    const { writeReport } = await import("./report.js")
    writeReport()
  } finally {
    await Promise.allSettled(ids.map((id) => call("DELETE", `/containers/${id}?force=1`)))
    await call("DELETE", `/images/${tag}:n`).catch(() => undefined)
    await engine?.close()
  }
}

if (process.argv[2] === "--child") child(process.argv[3]!, process.argv.slice(4))
else main()
