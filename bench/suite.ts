/**
 * The side-by-side suite: effect-docker against raw undici, raw node:http (keep-alive agent),
 * dockerode and docker-py (Debian's python3-docker) on the same engine, interleaved
 * (A B C ... A B C ..., ROUNDS rounds), medians with min/max and ratios. Writes
 * bench/results/requests.<engine>.json and BENCHMARKS.md.
 *
 *   pnpm bench:suite    (on each private engine, 20.10 then 28.5; `pnpm bench` runs every benchmark so)
 *   ROUNDS=5 PINGS=3000 INSPECTS=2000 LISTS=1000 CYCLES=10 INSTANT_INSPECTS=10000 pnpm bench:suite   (the defaults)
 *   CASES=ping,inspect pnpm bench:suite     (some cases only: printed, not written to the results)
 *   DOCKER_HOST=unix:///var/run/docker.sock tsx bench/suite.ts     (an engine of yours, with busybox)
 *
 * The clients run in a child process from this file bundled to JavaScript (bench/bundle.ts).
 *
 * The cost of tracing, in every effect-docker case: effect-docker as users get it (its spans
 * on Effect's built-in tracer, no exporter installed) against the same client with
 * `tracing: false`, and with OpenTelemetry's SDK recording every span into memory.
 *
 * Every run also records the CPU this process spent in it. The instant case replays the engine's
 * inspect answer from a process that answers at once: the client's own cost, without the engine.
 */
import { Docker } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import { NodeSdk } from "@effect/opentelemetry"
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import Dockerode from "dockerode"
import { Effect, Layer, ManagedRuntime } from "effect"
import { execFileSync, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Http from "node:http"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import { Pool } from "undici"
import { benchDir, bundle } from "./bundle.js"
import { resultsFile, suiteTable } from "./report.js"
import { median } from "./stats.js"

const host = process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock"
if (!host.startsWith("unix://")) throw new Error(`the suite needs a unix:// DOCKER_HOST, got ${host}`)
const socketPath = host.slice("unix://".length)
const rounds = Number(process.env.ROUNDS ?? 5)
const counts = {
  ping: Number(process.env.PINGS ?? 3000),
  inspect: Number(process.env.INSPECTS ?? 2000),
  list: Number(process.env.LISTS ?? 1000),
  cycle: Number(process.env.CYCLES ?? 10),
  instant: Number(process.env.INSTANT_INSPECTS ?? 10000)
}
const inFlight = 64
const only = process.env.CASES?.split(",")
const python = "/usr/bin/python3"

const ensureDockerPy = () => {
  try {
    execFileSync(python, ["-c", "import docker"], { stdio: "ignore" })
  } catch {
    console.log("installing Debian's python3-docker for the docker-py column")
    execFileSync("apt-get", ["install", "-y", "-qq", "python3-docker"], { stdio: "ignore" })
  }
}

/** Runs `n` calls of `call` with at most `limit` in flight. */
const concurrently = async (n: number, limit: number, call: () => Promise<unknown>) => {
  let next = 0
  await Promise.all(Array.from({ length: Math.min(limit, n) }, async () => {
    while (next++ < n) await call()
  }))
}

type Case = keyof typeof counts
/** A run's wall time, and the CPU this process spent in it (none for docker-py, a process of its own). */
interface Sample {
  readonly millis: number
  readonly cpuMillis: number | undefined
}
type Client = (target: string) => Promise<Sample>

const timed = async (work: () => Promise<unknown>): Promise<Sample> => {
  const cpu = process.cpuUsage()
  const start = performance.now()
  await work()
  const millis = performance.now() - start
  const { system, user } = process.cpuUsage(cpu)
  return { millis, cpuMillis: (user + system) / 1000 }
}

/** Every client of the suite on the engine at `socketPath`, and what releases them. */
const clientsOn = async (socketPath: string) => {
  const host = `unix://${socketPath}`
  const dockerode = new Dockerode({ socketPath })
  const pool = new Pool("http://localhost", { socketPath, connections: 32 })
  const agent = new Http.Agent({ keepAlive: true, maxSockets: 32 })
  const runtime = ManagedRuntime.make(Layer.orDie(NodeDocker.layer({ host, apiVersion: "1.41" })))
  const docker = await runtime.runPromise(Docker.Docker)
  const untracedRuntime = ManagedRuntime.make(
    Layer.orDie(NodeDocker.layer({ host, apiVersion: "1.41", tracing: false }))
  )
  const untraced = await untracedRuntime.runPromise(Docker.Docker)
  const exporter = new InMemorySpanExporter()
  const recordingRuntime = ManagedRuntime.make(Layer.merge(
    Layer.orDie(NodeDocker.layer({ host, apiVersion: "1.41" })),
    NodeSdk.layer(() => ({ resource: { serviceName: "bench" }, spanProcessor: new SimpleSpanProcessor(exporter) }))
  ))
  const recording = await recordingRuntime.runPromise(Docker.Docker)
  /** Runs `effect` on the recording runtime, then drops the spans it recorded. */
  const recorded = async (effect: Effect.Effect<unknown, unknown, never>) => {
    await recordingRuntime.runPromise(effect)
    exporter.reset()
  }

  const undiciGet = async (path: string) => {
    const response = await pool.request({ method: "GET", path })
    return response.body.text()
  }
  const httpGet = (path: string) =>
    new Promise<string>((resolve, reject) => {
      Http.get({ socketPath, path, agent }, (response) => {
        let body = ""
        response.setEncoding("utf8")
        response.on("data", (chunk: string) => (body += chunk))
        response.on("end", () => resolve(body))
      }).on("error", reject)
    })
  const dockerPy = (kind: Case | "instant", target = ""): Promise<Sample> =>
    Promise.resolve({
      millis: Number(
        execFileSync(python, [Path.join(here, "peers/docker_py.py"), kind, String(counts[kind]), target], {
          env: { ...process.env, DOCKER_HOST: host }
        }).toString().trim()
      ),
      cpuMillis: undefined
    })

  /** effect-docker as users get it, with `tracing: false`, and with OpenTelemetry recording its spans. */
  const variants: Record<
    string,
    { run: (effect: Effect.Effect<unknown, unknown>) => Promise<unknown>; docker: typeof docker }
  > = {
    "effect-docker": { run: (effect) => runtime.runPromise(effect), docker },
    "tracing: false": { run: (effect) => untracedRuntime.runPromise(effect), docker: untraced },
    "OTel recording": { run: recorded, docker: recording }
  }
  const ours = (work: (docker: Docker.Docker["Type"], target: string) => Effect.Effect<unknown, unknown>) =>
    Object.fromEntries(
      Object.entries(variants).map((
        [name, { docker, run }]
      ) => [name, (target: string) => timed(() => run(work(docker, target)))])
    )
  /** Sequential inspects of `id`, by every client. */
  const inspects = (count: number, kind: "inspect" | "instant"): Record<string, Client> => ({
    ...ours((docker, id) => Effect.repeatN(docker.containers.inspect(id), count - 1)),
    "raw undici": (id) =>
      timed(async () => {
        for (let i = 0; i < count; i++) JSON.parse(await undiciGet(`/v1.41/containers/${id}/json`))
      }),
    "raw node:http": (id) =>
      timed(async () => {
        for (let i = 0; i < count; i++) JSON.parse(await httpGet(`/v1.41/containers/${id}/json`))
      }),
    dockerode: (id) =>
      timed(async () => {
        for (let i = 0; i < count; i++) await dockerode.getContainer(id).inspect()
      }),
    "docker-py": (id) => dockerPy(kind, id)
  })
  const close = async () => {
    await runtime.dispose()
    await untracedRuntime.dispose()
    await recordingRuntime.dispose()
    await pool.close()
    agent.destroy()
  }
  return { dockerode, undiciGet, httpGet, dockerPy, ours, inspects, close }
}

/**
 * An engine that answers every request at once with the same bytes, recorded from the real engine:
 * the client's own cost per request, without the engine's time and its noise. It runs in a process
 * of its own, as an engine does.
 */
const replay = (socketPath: string, answerFile: string) => {
  const answer = Fs.readFileSync(answerFile)
  Net.createServer((socket) => {
    let pending = ""
    socket.on("data", (data) => {
      pending += data.toString("latin1")
      // The suite's requests are GETs without a body: a head is a request.
      for (let end = pending.indexOf("\r\n\r\n"); end >= 0; end = pending.indexOf("\r\n\r\n")) {
        pending = pending.slice(end + 4)
        socket.write(answer)
      }
    })
    socket.on("error", () => {})
  }).listen(socketPath, () => console.log("ready"))
  // Its stdin ends when the suite does, however the suite ends.
  process.stdin.on("end", () => process.exit(0)).resume()
}

/** The engine's answer to `path` as HTTP/1.1 bytes, its body in one chunk as the engine frames it. */
const recordAnswer = async (socketPath: string, path: string) => {
  const pool = new Pool("http://localhost", { socketPath })
  const { body, headers, statusCode } = await pool.request({ method: "GET", path })
  const content = Buffer.from(await body.arrayBuffer())
  await pool.close()
  const kept = Object.entries(headers).filter(([name]) =>
    !["connection", "content-length", "keep-alive", "transfer-encoding"].includes(name)
  )
  return Buffer.concat([
    Buffer.from(
      `HTTP/1.1 ${statusCode} OK\r\n${kept.map(([name, value]) => `${name}: ${value}\r\n`).join("")}` +
        `Transfer-Encoding: chunked\r\n\r\n${content.length.toString(16)}\r\n`,
      "latin1"
    ),
    content,
    Buffer.from("\r\n0\r\n\r\n", "latin1")
  ])
}

/** Starts {@link replay} in a child process with the engine's answer to `path`; resolves once it listens. */
const replayEngine = async (script: string, path: string) => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-docker-replay-"))
  const answerFile = Path.join(dir, "answer")
  Fs.writeFileSync(answerFile, await recordAnswer(socketPath, path))
  const replaySocket = Path.join(dir, "engine.sock")
  const child = spawn(process.execPath, [script, "--replay", replaySocket, answerFile], {
    stdio: ["pipe", "pipe", "inherit"]
  })
  await new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the replaying engine exited (${code})`)))
    child.stdout.once("data", () => resolve())
  })
  child.removeAllListeners("exit")
  return {
    socketPath: replaySocket,
    stop: () => {
      child.kill()
      Fs.rmSync(dir, { recursive: true, force: true })
    }
  }
}

const main = async () => {
  ensureDockerPy()
  const engine = await clientsOn(socketPath)
  const { dockerode, dockerPy, httpGet, ours, undiciGet } = engine

  // 100 containers present for the list case; one of them is the inspect target.
  const made: Array<string> = []
  for (let i = 0; i < 100; i++) {
    made.push(
      (await dockerode.createContainer({ Image: "busybox", Cmd: ["true"], Labels: { "effect-docker.bench": "list" } }))
        .id
    )
  }
  const replaying = await replayEngine(process.argv[1]!, `/v1.41/containers/${made[0]}/json`)
  const instant = await clientsOn(replaying.socketPath)

  // The JSON a raw client gets is parsed, as every client's is.
  const cases: Record<Case, Record<string, Client>> = {
    ping: {
      ...ours((docker) => Effect.repeatN(docker.system.ping(), counts.ping - 1)),
      "raw undici": () =>
        timed(async () => {
          for (let i = 0; i < counts.ping; i++) await undiciGet("/_ping")
        }),
      "raw node:http": () =>
        timed(async () => {
          for (let i = 0; i < counts.ping; i++) await httpGet("/_ping")
        }),
      dockerode: () =>
        timed(async () => {
          for (let i = 0; i < counts.ping; i++) await dockerode.ping()
        }),
      "docker-py": () => dockerPy("ping")
    },
    inspect: engine.inspects(counts.inspect, "inspect"),
    instant: instant.inspects(counts.instant, "instant"),
    list: {
      ...ours((docker) =>
        // The list is dropped in the callback, as the raw clients drop theirs: Effect.forEach's
        // workers otherwise hold each one until the next (measured: 4x the scavenge time).
        Effect.forEach(
          Array.from({ length: counts.list }),
          () => Effect.asVoid(docker.containers.list({ all: true })),
          { concurrency: inFlight, discard: true }
        )
      ),
      "raw undici": () =>
        timed(() =>
          concurrently(counts.list, inFlight, async () => JSON.parse(await undiciGet("/v1.41/containers/json?all=1")))
        ),
      "raw node:http": () =>
        timed(() =>
          concurrently(counts.list, inFlight, async () => JSON.parse(await httpGet("/v1.41/containers/json?all=1")))
        ),
      dockerode: () => timed(() => concurrently(counts.list, inFlight, () => dockerode.listContainers({ all: true }))),
      "docker-py": () => dockerPy("list")
    },
    cycle: {
      ...ours((docker) =>
        Effect.repeatN(
          Effect.gen(function*() {
            const { Id } = yield* docker.containers.create({
              Image: "busybox",
              Cmd: ["true"],
              Labels: { "effect-docker.bench": "cycle" }
            })
            yield* docker.containers.start(Id)
            yield* docker.containers.wait(Id)
            yield* docker.containers.remove(Id)
          }),
          counts.cycle - 1
        )
      ),
      dockerode: () =>
        timed(async () => {
          for (let i = 0; i < counts.cycle; i++) {
            const container = await dockerode.createContainer({
              Image: "busybox",
              Cmd: ["true"],
              Labels: { "effect-docker.bench": "cycle" }
            })
            await container.start()
            await container.wait()
            await container.remove()
          }
        }),
      "docker-py": () => dockerPy("cycle")
    }
  }

  const results: Record<string, Record<string, Array<Sample>>> = {}
  try {
    for (const [name, clients] of Object.entries(cases)) {
      if (only !== undefined && !only.includes(name)) continue
      console.log(`${name} ...`)
      const samples: Record<string, Array<Sample>> = (results[name] = {})
      for (const run of Object.values(clients)) await run(made[0]!) // warm up
      for (let round = 0; round < rounds; round++) {
        // The order turns each round, so that no client always runs after the same one.
        const order = Object.entries(clients)
        for (const [client, run] of [...order.slice(round % order.length), ...order.slice(0, round % order.length)]) {
          // No gc() between clients: a forced GC throws away optimized code (V8 optimized 712
          // functions in a run with one before each client, 376 without), and the client with the
          // most code then runs its first ~2,500 requests slower. The turning order spreads the
          // garbage of each client over the others instead.
          ;(samples[client] ??= []).push(await run(made[0]!))
        }
      }
    }
  } finally {
    await Promise.all(made.map((id) => dockerode.getContainer(id).remove({ force: true })))
    await engine.close()
    await instant.close()
    replaying.stop()
  }

  const label: Record<Case, string> = {
    ping: `sequential /_ping x ${counts.ping}`,
    inspect: `sequential container inspect x ${counts.inspect}`,
    instant: `the same inspect x ${counts.instant}, from an engine that answers at once`,
    list: `containers.list({ all: true }), 100 containers, ${inFlight} in flight x ${counts.list}`,
    cycle: `create-start-wait-remove x ${counts.cycle}`
  }
  /** The median of `client` over `base`, and the least and most of the rounds' own ratios. */
  const ratio = (samples: Record<string, ReadonlyArray<number>>, client: string, base: string) => {
    if (samples[client] === undefined || samples[base] === undefined) return undefined
    const perRound = samples[client].map((x, round) => x / samples[base]![round]!)
    return {
      median: median(samples[client]) / median(samples[base]),
      min: Math.min(...perRound),
      max: Math.max(...perRound)
    }
  }
  const rows = Object.entries(results).map(([name, runs]) => {
    const samples = Object.fromEntries(Object.entries(runs).map(([client, xs]) => [client, xs.map((x) => x.millis)]))
    const cpu = Object.fromEntries(
      Object.entries(runs).flatMap(([client, xs]) =>
        xs.every((x) => x.cpuMillis !== undefined) ? [[client, xs.map((x) => x.cpuMillis!)]] : []
      )
    )
    return {
      case: label[name as Case],
      medians: Object.fromEntries(Object.entries(samples).map(([client, xs]) => [client, median(xs)])),
      ranges: Object.fromEntries(
        Object.entries(samples).map(([client, xs]) => [client, [Math.min(...xs), Math.max(...xs)] as const])
      ),
      oursToUndici: ratio(samples, "effect-docker", "raw undici"),
      oursToDockerode: ratio(samples, "effect-docker", "dockerode"),
      tracedToUntraced: ratio(samples, "effect-docker", "tracing: false"),
      recordingToUntraced: ratio(samples, "OTel recording", "tracing: false"),
      cpuMedians: Object.fromEntries(Object.entries(cpu).map(([client, xs]) => [client, median(xs)])),
      cpuOursToUndici: ratio(cpu, "effect-docker", "raw undici")
    }
  })
  const table = suiteTable(rows)
  const engineVersion = (await dockerode.version()).Version
  console.log(
    `\nDocker ${engineVersion}: median milliseconds of ${rounds} interleaved rounds (lower is better)\n\n${table}`
  )
  if (only !== undefined) return
  const machine = `${Os.cpus().length} × ${Os.cpus()[0]?.model ?? "cpu"}, ${
    (Os.totalmem() / 2 ** 30).toFixed(0)
  } GiB, Node ${process.version}`
  const out = Path.join(here, "results")
  Fs.mkdirSync(out, { recursive: true })
  Fs.writeFileSync(
    Path.join(out, resultsFile("requests")),
    JSON.stringify({ date: new Date().toISOString(), machine, engine: engineVersion, rounds, counts, rows }, null, 2) +
      "\n"
  )
}

const here = benchDir(import.meta.dirname)
if (process.argv[2] === "--bundled") {
  main()
} else if (process.argv[2] === "--replay") {
  replay(process.argv[3]!, process.argv[4]!)
} else {
  // Bundle, measure in plain node, then render BENCHMARKS.md from the results it wrote.
  const script = await bundle("suite", import.meta.filename)
  execFileSync(process.execPath, ["--expose-gc", script, "--bundled"], { stdio: "inherit" })
  if (only === undefined) (await import("./report.js")).writeReport()
}
