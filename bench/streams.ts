/**
 * Reading a large container log (default 1 GiB, demultiplexed), side by side: effect-docker's
 * `containers.logStream`, raw demultiplexing over undici, dockerode's `demuxStream`, and
 * `docker logs` to /dev/null. Each read runs in a child process of its own, so that its peak RSS
 * is its own; clients are interleaved (A B C D A B C D ...). Prints medians, min/max, MiB/s,
 * peak RSS and ratios, and writes bench/results/streams.json.
 *
 *   pnpm bench:streams                 (starts the private engine when DOCKER_HOST does not answer)
 *   SIZE_MIB=256 ROUNDS=3 pnpm bench:streams
 */
import { Docker } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import Dockerode from "dockerode"
import { Effect, Stream } from "effect"
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { Writable } from "node:stream"
import { Pool } from "undici"

const host = process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock"
const socketPath = host.replace(/^unix:\/\//, "")
const sizeMiB = Number(process.env.SIZE_MIB ?? 1024)
const rounds = Number(process.env.ROUNDS ?? 3)

/** Each client reads the whole log and returns the bytes it counted (stdout + stderr). */
const clients: Record<string, (id: string) => Promise<number>> = {
  // What a child process holds before it reads anything (Node, the tsx loader, the modules).
  "baseline (no read)": () => Promise.resolve(sizeMiB * 1024 * 1024),
  "effect-docker": (id) =>
    Effect.runPromise(
      Effect.flatMap(Docker.Docker, (docker) =>
        Stream.runFold(docker.containers.logStream(id), 0, (n, frame) => n + frame.data.length)).pipe(
          Effect.provide(NodeDocker.layer({ host, apiVersion: "1.41" }))
        )
    ),
  "raw undici + demux": async (id) => {
    const pool = new Pool("http://localhost", { socketPath })
    const response = await pool.request({ method: "GET", path: `/v1.41/containers/${id}/logs?stdout=1&stderr=1` })
    let pending = Buffer.alloc(0)
    let total = 0
    for await (const chunk of response.body) {
      let buffer = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk as Buffer
      while (buffer.length >= 8) {
        const size = buffer.readUInt32BE(4)
        if (buffer.length < 8 + size) break
        total += size
        buffer = buffer.subarray(8 + size)
      }
      pending = Buffer.from(buffer)
    }
    await pool.close()
    return total
  },
  "dockerode demuxStream": async (id) => {
    const docker = new Dockerode({ socketPath })
    // follow: true makes dockerode return the stream instead of a Buffer of the whole log.
    const stream = await docker.getContainer(id).logs({ follow: true, stdout: true, stderr: true })
    let total = 0
    const counter = () =>
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          total += chunk.length
          done()
        }
      })
    await new Promise<void>((resolve, reject) => {
      docker.modem.demuxStream(stream, counter(), counter())
      stream.on("end", resolve)
      stream.on("error", reject)
    })
    return total
  },
  "docker logs > /dev/null": async (id) => {
    execFileSync("docker", ["logs", id], {
      env: { ...process.env, DOCKER_HOST: host },
      stdio: ["ignore", "ignore", "ignore"]
    })
    return sizeMiB * 1024 * 1024
  }
}

const child = async (name: string, id: string) => {
  const start = performance.now()
  const startCpu = process.cpuUsage()
  const bytes = await clients[name]!(id)
  const millis = performance.now() - start
  // CPU time of the read alone (for the docker CLI, of this process waiting on it).
  const cpu = process.cpuUsage(startCpu)
  const cpuMillis = (cpu.user + cpu.system) / 1000
  // Peak RSS of this process, in KiB; the docker CLI's own memory is not counted here.
  const usage = process.resourceUsage()
  process.stdout.write(JSON.stringify({ bytes, millis, cpuMillis, maxRssKiB: usage.maxRSS }) + "\n")
}

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const main = async () => {
  const docker = new Dockerode({ socketPath })
  console.log(`writing a ${sizeMiB} MiB log...`)
  const container = await docker.createContainer({
    Image: "busybox",
    Cmd: ["sh", "-c", `tr '\\0' a < /dev/zero | head -c ${sizeMiB * 1024 * 1024}`],
    Labels: { "effect-docker.bench": "streams" }
  })
  try {
    await container.start()
    await container.wait()
    const results: Record<string, Array<{ bytes: number; millis: number; cpuMillis: number; maxRssKiB: number }>> = {}
    for (let round = 0; round < rounds; round++) {
      for (const name of Object.keys(clients)) {
        const out = execFileSync(process.execPath, [
          ...process.execArgv,
          import.meta.filename,
          "--child",
          name,
          container.id
        ], {
          env: process.env,
          maxBuffer: 1 << 20
        }).toString().trim().split("\n").at(-1)!
        ;(results[name] ??= []).push(JSON.parse(out))
      }
    }
    const expected = sizeMiB * 1024 * 1024
    const fastest = Math.min(
      ...Object.entries(results).filter(([name]) => !name.startsWith("baseline")).map(([, samples]) =>
        median(samples.map((s) => s.millis))
      )
    )
    console.log(`logs of ${sizeMiB} MiB, ${rounds} interleaved rounds, each read in its own process`)
    console.log(
      "client                     median ms   min ms   max ms    MiB/s   CPU ms   peak RSS MiB   time / fastest"
    )
    const table = Object.entries(results).map(([name, samples]) => {
      for (const s of samples) {
        if (s.bytes !== expected) throw new Error(`${name} read ${s.bytes} bytes, not ${expected}`)
      }
      const millis = samples.map((s) => s.millis)
      const m = median(millis)
      const rss = name.startsWith("docker logs") ? undefined : Math.max(...samples.map((s) => s.maxRssKiB)) / 1024
      console.log(
        `${name.padEnd(26)} ${m.toFixed(0).padStart(9)} ${Math.min(...millis).toFixed(0).padStart(8)} ${
          Math.max(...millis).toFixed(0).padStart(8)
        } ${(sizeMiB / (m / 1000)).toFixed(0).padStart(8)} ${
          median(samples.map((s) => s.cpuMillis)).toFixed(0).padStart(8)
        } ${(rss === undefined ? "n/a" : rss.toFixed(0)).padStart(14)}   ${(m / fastest).toFixed(2)}`
      )
      return {
        client: name,
        medianMillis: m,
        minMillis: Math.min(...millis),
        maxMillis: Math.max(...millis),
        peakRssMiB: rss
      }
    })
    const out = Path.join(import.meta.dirname, "results")
    Fs.mkdirSync(out, { recursive: true })
    Fs.writeFileSync(
      Path.join(out, "streams.json"),
      JSON.stringify({ sizeMiB, rounds, date: new Date().toISOString(), table }, null, 2) + "\n"
    )
  } finally {
    await container.remove({ force: true })
  }
}

if (process.argv[2] === "--child") child(process.argv[3]!, process.argv[4]!)
else main()
