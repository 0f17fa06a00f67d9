/**
 * Writes BENCHMARKS.md from the latest results of the benchmarks, per engine
 * (bench/results/requests.<engine>.json from the suite, streams.<engine>.json from the streaming
 * benchmark, fanout.<engine>.json from the many-streams one, runtimes.json), so that the page
 * always shows all of them, whichever ran last.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"

/** A case of the request suite: wall-time medians, CPU medians of this process, and ratios. */
export interface SuiteRow {
  readonly case: string
  readonly medians: Readonly<Record<string, number>>
  readonly oursToUndici?: Summary | undefined
  readonly oursToDockerode?: Summary | undefined
  readonly tracedToUntraced?: Summary | undefined
  readonly recordingToUntraced?: Summary | undefined
  readonly ranges?: Readonly<Record<string, readonly [number, number]>>
  readonly cpuMedians?: Readonly<Record<string, number>>
  readonly cpuOursToUndici?: Summary | undefined
}

interface SuiteResults {
  readonly date: string
  readonly machine: string
  readonly engine: string
  readonly rounds: number
  readonly rows: ReadonlyArray<SuiteRow>
}

interface StreamResults {
  readonly date: string
  readonly engine?: string
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
/**
 * A benchmark's results file for the engine it ran on: `requests.classic.json`, say, under
 * `scripts/with-engine.sh --each` (which names the private engine), else `<kind>.json`.
 */
export const resultsFile = (kind: string): string => {
  const engine = process.env.EFFECT_DOCKER_TEST_ENGINE
  return engine === undefined || engine === "" ? `${kind}.json` : `${kind}.${engine}.json`
}

const read = <A>(file: string): A | undefined =>
  Fs.existsSync(Path.join(results, file)) ? JSON.parse(Fs.readFileSync(Path.join(results, file), "utf8")) : undefined

/** Every engine's results of a kind (`requests.classic.json`, `requests.modern.json`, ...), oldest engine first. */
const readAll = <A extends { readonly engine?: string }>(kind: string): ReadonlyArray<A> =>
  (Fs.existsSync(results) ? Fs.readdirSync(results) : [])
    .filter((file) => file === `${kind}.json` || (file.startsWith(`${kind}.`) && file.endsWith(".json")))
    .map((file) => read<A>(file)!)
    .sort((a, b) => (a.engine ?? "").localeCompare(b.engine ?? "", undefined, { numeric: true }))

/** A median with its least and most: `1.06 [0.91-1.18]`. */
export const span = (x: Summary | undefined, digits = 0) =>
  x === undefined ? "-" : `${fmt(x.median, digits)} [${fmt(x.min, digits)}-${fmt(x.max, digits)}]`

const fmt = (x: number | undefined, digits = 0) => (x === undefined ? "-" : x.toFixed(digits))

/** The request suite's clients, in the order of its tables. */
export const suiteClients = [
  "effect-docker",
  "tracing: false",
  "OTel recording",
  "raw undici",
  "raw node:http",
  "dockerode",
  "docker-py"
]

/** The suite's table: a row per case, the wall-time medians of every client, then the ratios. */
export const suiteTable = (rows: ReadonlyArray<SuiteRow>) =>
  [
    `| case | ${suiteClients.join(" | ")} | effect-docker / raw undici | effect-docker / dockerode | ` +
    "spans / tracing: false | OTel / tracing: false | CPU ms: effect-docker, raw undici | CPU: effect-docker / raw undici |",
    `| --- | ${suiteClients.map(() => "---:").join(" | ")} | ---: | ---: | ---: | ---: | ---: | ---: |`,
    ...rows.map((row) =>
      `| ${row.case} | ${suiteClients.map((c) => fmt(row.medians[c])).join(" | ")} | ${span(row.oursToUndici, 2)} | ${
        span(row.oursToDockerode, 2)
      } | ${span(row.tracedToUntraced, 2)} | ${span(row.recordingToUntraced, 2)} | ${
        row.cpuMedians?.["raw undici"] === undefined
          ? "-"
          : `${fmt(row.cpuMedians["effect-docker"])}, ${fmt(row.cpuMedians["raw undici"])}`
      } | ${span(row.cpuOursToUndici, 2)} |`
    )
  ].join("\n")

const suiteSection = (suites: ReadonlyArray<SuiteResults>) => {
  const first = suites[0]!
  return `## Requests

Written by \`pnpm bench\` (bench/suite.ts) on ${first.date.slice(0, 10)}: ${first.machine}; on each of the project's
private engines (Unix socket), ${suites.map((suite) => `Docker ${suite.engine}`).join(" and ")}. Median milliseconds of
${first.rounds} interleaved rounds, every client on the same engine in the same run; min/max per client are in
\`bench/results/requests.*.json\`. A ratio is the ratio of the medians, with the least and the most of the rounds' own
ratios in brackets; below 1 means effect-docker is faster. The Node clients run from an esbuild bundle in plain \`node\`, as
users run them (no TypeScript loader). In the list case every client drops each list in its callback. The clients take
turns in one process with no forced GC between them: \`gc()\` throws away V8's optimized code (712 optimizations in a
run with one before each client, 376 without), and the client with the most code then ran its first ~2,500 requests
slower: with it, the inspect case read 1.12-1.27 against raw undici in the runs before 2026-12-04's last.

"CPU ms" is the CPU the benchmark process spent in the client's run (the Node clients share it; the engine's and
docker-py's processes are not counted), a figure that the engine's own variation, which the wall times carry, does not
move. The instant case replays the engine's inspect answer, recorded at the start, from a process that answers every
request at once: the client's own cost per request, without the engine's.

Tracing: "effect-docker" is the client as users get it (tracing on, the default, with no tracer installed but Effect's
built-in one, which exports nothing: the client makes no span then); "tracing: false" is the same client with tracing
off, and "OTel recording" has OpenTelemetry's SDK recording every span (\`SimpleSpanProcessor\` into an in-memory
exporter). "spans / tracing: false" is what tracing on costs when nothing records; "OTel / tracing: false" what recording
every span costs.
${
    suites.map((suite) => `
### Docker ${suite.engine}

${suiteTable(suite.rows)}
`).join("")
  }
Rerun: \`pnpm bench\` (every benchmark, on both engines) or \`pnpm bench:suite\` (these cases).
`
}

const streamSection = (all: ReadonlyArray<StreamResults>) => {
  const first = all[0]!
  const table = (streams: StreamResults) =>
    [...new Set(streams.table.map((row) => row.case))].map((name) =>
      `#### ${name}

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
  return `## Streams

Written by \`pnpm bench:streams\` (bench/streams.ts) on ${
    first.date.slice(0, 10)
  }: ${first.sizeMiB} MiB of container logs
(demultiplexed), of an exported container filesystem and of a file read with \`getArchive\`; median of ${first.rounds}
interleaved rounds, each read in a child process of its own (plain \`node\`, no TypeScript loader). A child holds
${
    fmt(first.baselineRssMiB)
  } MiB before it loads a client; "RSS loaded" is after loading the client's library, "peak RSS"
the most it held during the read. CPU is the reading process's own (the docker CLI's is not counted). "time / fastest"
compares with the fastest client of the case. The engine limit
is how fast the engine gives the stream to a reader that only counts it: the body read straight off the socket after an
HTTP/1.0 request (no chunked framing), and curl; "/ engine limit" compares with the faster of the two. "undici's
parser alone" is undici's dispatcher with a handler that only counts what its parser hands over, never pausing it:
what undici's body path costs with nothing after it. "A lean HTTP/1.1 reader" is the body path a client could have
without undici: the same keep-alive HTTP/1.1 request, its chunked framing undone by hand over the socket, each chunk
counted where it lies, never copied (bench/streams/engine.ts): the floor of the library's own body path for streams
(packages/node/src/internal/http1.ts), which does the same and then hands every view on to a Stream. The slow consumers (ours and raw undici's) take a 2 ms break after every 4 MiB.

${all.map((streams) => `### Docker ${streams.engine ?? "engine"}\n\n${table(streams)}`).join("\n")}
Rerun: \`pnpm bench:streams\` (\`SIZE_MIB\`, \`ROUNDS\`, \`CASES=logs,export,archive\`). Decoding: \`pnpm bench:decode\`.
`
}

interface FanoutResults {
  readonly date: string
  readonly engine: string
  readonly streams: number
  readonly windowSeconds: number
  readonly rounds: number
  readonly writeIntervalSeconds: number
  readonly tagsPerSecond: number
  readonly table: ReadonlyArray<{
    readonly client: string
    readonly mibPerSecond: Summary
    readonly cpuMillisPerMiB: Summary
    readonly cpuPerMiBOverRawUndici: number
    readonly slowestOverFastest: Summary
    readonly eventsPerSubscriber: Summary
    readonly eventsMade: Summary
    readonly peakRssMiB: number
  }>
}

const fanoutSection = (all: ReadonlyArray<FanoutResults>) => {
  const first = all[0]!
  return `## Many streams at once

Written by \`pnpm bench:fanout\` (bench/fanout.ts) on ${first.date.slice(0, 10)}: ${first.streams} log follows of
containers that each write a 4 KiB line every ${first.writeIntervalSeconds} s, and ${first.streams} subscribers to the
engine's image events, all in one process, while the benchmark tags and untags an image ${first.tagsPerSecond} times a
second (two events each); effect-docker against raw undici doing the same (a pool without a connection bound, frames
demultiplexed by hand, each event line parsed). ${first.rounds} interleaved rounds of ${first.windowSeconds} s windows,
each client in a child process of its own from an esbuild bundle, median [min-max]. MiB/s counts the log payload;
CPU is the client process's own; "slowest / fastest" is the slowest follow's bytes over the fastest's in a window (1
means no stream waits behind another); events per subscriber are over every subscriber and round, beside the events
made in the windows.
${
    all.map((fanout) => `
### Docker ${fanout.engine}

| client | MiB/s | CPU ms per MiB | CPU per MiB / raw undici | slowest / fastest | events per subscriber | events made | peak RSS MiB |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${
      fanout.table.map((row) =>
        `| ${row.client} | ${span(row.mibPerSecond, 1)} | ${span(row.cpuMillisPerMiB, 1)} | ${
          fmt(row.cpuPerMiBOverRawUndici, 2)
        } | ${span(row.slowestOverFastest, 2)} | ${span(row.eventsPerSubscriber, 0)} | ${span(row.eventsMade, 0)} | ${
          fmt(row.peakRssMiB)
        } |`
      ).join("\n")
    }
`).join("")
  }
Rerun: \`pnpm bench:fanout\` (\`STREAMS\`, \`WINDOW_SECONDS\`, \`ROUNDS\`, \`WRITE_INTERVAL\`, \`TAGS_PER_SECOND\`).
`
}

const rawClient: Record<string, string> = {
  Node: "undici `Pool`",
  Bun: "`fetch` with `unix`",
  Deno: "`fetch` with a Unix-proxy `HttpClient`"
}

const runtimeSection = (runtimes: RuntimeResults) => {
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
 * Writes BENCHMARKS.md's Requests, Streams, Many streams and Runtimes sections from whatever results exist; the sections
 * written by hand from other benchmarks (loading, hijacked connections) stay as they are.
 */
export const writeReport = () => {
  const suites = readAll<SuiteResults>("requests")
  const streams = readAll<StreamResults>("streams")
  const fanouts = readAll<FanoutResults>("fanout")
  const runtimes = read<RuntimeResults>("runtimes.json")
  const file = Path.join(import.meta.dirname, "../BENCHMARKS.md")
  const page = sections(Fs.existsSync(file) ? Fs.readFileSync(file, "utf8") : "")
  page.set("", "# Benchmarks\n\n")
  if (suites.length > 0) page.set("## Requests", `${suiteSection(suites)}\n`)
  if (streams.length > 0) page.set("## Streams", `${streamSection(streams)}\n`)
  if (fanouts.length > 0) page.set("## Many streams at once", `${fanoutSection(fanouts)}\n`)
  if (runtimes !== undefined) page.set("## Runtimes", `${runtimeSection(runtimes)}\n`)
  Fs.writeFileSync(file, [...page.values()].join("").trimEnd() + "\n")
}
