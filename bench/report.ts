/**
 * Writes BENCHMARKS.md from the latest results of both benchmarks (bench/results/latest.json from
 * the suite, bench/results/streams.json from the streaming benchmark), so that the page always
 * shows both, whichever ran last.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"

interface SuiteResults {
  readonly date: string
  readonly machine: string
  readonly engine: string
  readonly rounds: number
  readonly rows: ReadonlyArray<{
    readonly case: string
    readonly medians: Readonly<Record<string, number>>
    readonly oursToUndici?: number
    readonly oursToDockerode: number
    readonly tracedToUntraced?: number
    readonly recordingToUntraced?: number
    readonly ranges?: Readonly<Record<string, readonly [number, number]>>
  }>
}

interface StreamResults {
  readonly date: string
  readonly sizeMiB: number
  readonly rounds: number
  readonly baselineRssMiB?: number
  readonly table: ReadonlyArray<{
    readonly case: string
    readonly client: string
    readonly medianMillis: number
    readonly minMillis?: number
    readonly maxMillis?: number
    readonly medianCpuMillis: number
    readonly loadedRssMiB?: number
    readonly peakRssMiB?: number
    readonly timeOverFastest: number
    readonly timeOverEngineLimit?: number
    readonly mibPerSecond?: number
  }>
}

interface RuntimeResults {
  readonly date: string
  readonly machine: string
  readonly engine: string
  readonly rounds: number
  readonly counts: { readonly ping: number; readonly inspect: number }
  readonly rows: ReadonlyArray<{
    readonly runtime: string
    readonly version: string
    readonly case: string
    readonly ours: Summary
    readonly raw: Summary
    readonly ratio: number
  }>
}

interface Summary {
  readonly median: number
  readonly min: number
  readonly max: number
}

const results = Path.join(import.meta.dirname, "results")
const read = <A>(file: string): A | undefined =>
  Fs.existsSync(Path.join(results, file)) ? JSON.parse(Fs.readFileSync(Path.join(results, file), "utf8")) : undefined

const fmt = (x: number | undefined, digits = 0) => (x === undefined ? "-" : x.toFixed(digits))

const withRange = (row: SuiteResults["rows"][number], client: string) => {
  const range = row.ranges?.[client]
  return `${fmt(row.medians[client])}${range === undefined ? "" : ` [${fmt(range[0])}-${fmt(range[1])}]`}`
}

const suiteSection = (suite: SuiteResults) => {
  const clients = ["effect-docker", "raw undici", "raw node:http", "dockerode", "docker-py"]
  const tracing = ["tracing: false", "OTel recording"]
  return `## Requests

Written by \`pnpm bench\` (bench/suite.ts) on ${
    suite.date.slice(0, 10)
  }: ${suite.machine}; Docker Engine ${suite.engine}
(the project's private engine, Unix socket). Median milliseconds of ${suite.rounds} interleaved rounds, every client on the same
engine in the same run; min/max per client are in \`bench/results/latest.json\`. Ratios below 1 mean effect-docker is faster.
The Node clients run from an esbuild bundle in plain \`node\`, as users run them (no TypeScript loader). In the list case
every client drops each list in its callback.

| case | ${clients.join(" | ")} | effect-docker / raw undici | effect-docker / dockerode |
| --- | ${clients.map(() => "---:").join(" | ")} | ---: | ---: |
${
    suite.rows.map((row) =>
      `| ${row.case} | ${clients.map((c) => fmt(row.medians[c])).join(" | ")} | ${fmt(row.oursToUndici, 2)} | ${
        fmt(row.oursToDockerode, 2)
      } |`
    ).join("\n")
  }

The cost of tracing (ping and inspect): effect-docker as above (tracing on, the default, with no tracer installed
but Effect's built-in one, which exports nothing: the client makes no span then), against the same client with
\`tracing: false\`, and with OpenTelemetry's SDK recording every span (\`SimpleSpanProcessor\` into an in-memory
exporter). Median [min-max] of the rounds.

| case | effect-docker | ${tracing.join(" | ")} | spans / tracing: false | OTel recording / tracing: false |
| --- | ---: | ${tracing.map(() => "---:").join(" | ")} | ---: | ---: |
${
    suite.rows.filter((row) => row.tracedToUntraced !== undefined).map((row) =>
      `| ${row.case} | ${["effect-docker", ...tracing].map((c) => withRange(row, c)).join(" | ")} | ${
        fmt(row.tracedToUntraced, 2)
      } | ${fmt(row.recordingToUntraced, 2)} |`
    ).join("\n")
  }

Rerun: \`pnpm bench\` (both benchmarks) or \`pnpm bench:suite\` (these cases), as root or with \`DOCKER_HOST\` pointing at an
engine of yours with a \`busybox\` image.
`
}

const streamSection = (streams: StreamResults) => {
  const cases = [...new Set(streams.table.map((row) => row.case))]
  return `## Streams

Written by \`pnpm bench:streams\` (bench/streams.ts) on ${
    streams.date.slice(0, 10)
  }: ${streams.sizeMiB} MiB of container logs
(demultiplexed), of an exported container filesystem and of a file read with \`getArchive\`; median of ${streams.rounds}
interleaved rounds, each read in a child process of its own (plain \`node\`, no TypeScript loader). A child holds
${
    fmt(streams.baselineRssMiB)
  } MiB before it loads a client; "RSS loaded" is after loading the client's library, "peak RSS"
the most it held during the read. CPU is the reading process's own (the docker CLI's is not counted). "time / fastest"
compares with the fastest client of the case; the slow consumer takes a 2 ms break after every 4 MiB. The engine limit
is how fast the engine gives the stream to a reader that only counts it: the body read straight off the socket after an
HTTP/1.0 request (no chunked framing), and curl; "/ engine limit" compares with the faster of the two.

${
    cases.map((name) =>
      `### ${name}

| client | median ms [min-max] | MiB/s | CPU ms | RSS loaded MiB | peak RSS MiB | time / fastest | / engine limit |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${
        streams.table.filter((row) => row.case === name).map((row) =>
          `| ${row.client} | ${fmt(row.medianMillis)}${
            row.minMillis === undefined ? "" : ` [${fmt(row.minMillis)}-${fmt(row.maxMillis)}]`
          } | ${fmt(row.mibPerSecond)} | ${fmt(row.medianCpuMillis)} | ${fmt(row.loadedRssMiB)} | ${
            fmt(row.peakRssMiB)
          } | ${fmt(row.timeOverFastest, 2)} | ${fmt(row.timeOverEngineLimit, 2)} |`
        ).join("\n")
      }
`
    ).join("\n")
  }
Rerun: \`pnpm bench:streams\` (\`SIZE_MIB\`, \`ROUNDS\`, \`CASES=logs,export,archive\`). Decoding: \`pnpm bench:decode\`.
`
}

const rawClient: Record<string, string> = {
  Node: "undici `Pool`",
  Bun: "`fetch` with `unix`",
  Deno: "`fetch` with a Unix-proxy `HttpClient`"
}

const runtimeSection = (runtimes: RuntimeResults) => {
  const span = (x: Summary) => `${fmt(x.median)} [${fmt(x.min)}-${fmt(x.max)}]`
  return `## Runtimes

Written by \`pnpm bench:runtimes\` (bench/runtimes.ts) on ${
    runtimes.date.slice(0, 10)
  }: ${runtimes.machine}; Docker Engine ${runtimes.engine}
(the project's private engine, Unix socket). effect-docker on each runtime's own transport (\`NodeDocker\`, \`BunDocker\`,
\`DenoDocker\`) against that runtime's raw client on the same socket; sequential \`/_ping\` x ${runtimes.counts.ping} and
container inspect x ${runtimes.counts.inspect} (the raw clients parse the JSON too). One process per runtime from an esbuild
bundle, ${runtimes.rounds} interleaved rounds, median [min-max] ms. Ratios below 1 mean effect-docker is faster.

| runtime | case | raw client | effect-docker | raw | effect-docker / raw |
| --- | --- | --- | ---: | ---: | ---: |
${
    runtimes.rows.map((row) =>
      `| ${row.runtime} ${row.version} | ${row.case} | ${rawClient[row.runtime] ?? "-"} | ${span(row.ours)} | ${
        span(row.raw)
      } | ${fmt(row.ratio, 2)} |`
    ).join("\n")
  }

Rerun: \`pnpm bench:runtimes\` (\`ROUNDS\`, \`PINGS\`, \`INSPECTS\`).
`
}

/** The page's `## ` sections by heading, in order (the title before them under ""). */
const sections = (page: string) => {
  const found = new Map<string, string>()
  for (const part of page.split(/^(?=## )/m)) found.set(part.startsWith("## ") ? part.split("\n", 1)[0]! : "", part)
  return found
}

/**
 * Writes BENCHMARKS.md's Requests, Streams and Runtimes sections from whatever results exist; the sections
 * written by hand from other benchmarks (loading, hijacked connections) stay as they are.
 */
export const writeReport = () => {
  const suite = read<SuiteResults>("latest.json")
  const streams = read<StreamResults>("streams.json")
  const runtimes = read<RuntimeResults>("runtimes.json")
  const file = Path.join(import.meta.dirname, "../BENCHMARKS.md")
  const page = sections(Fs.existsSync(file) ? Fs.readFileSync(file, "utf8") : "")
  page.set("", "# Benchmarks\n\n")
  if (suite !== undefined) page.set("## Requests", `${suiteSection(suite)}\n`)
  if (streams !== undefined) page.set("## Streams", `${streamSection(streams)}\n`)
  if (runtimes !== undefined) page.set("## Runtimes", `${runtimeSection(runtimes)}\n`)
  Fs.writeFileSync(file, [...page.values()].join("").trimEnd() + "\n")
}
