/**
 * Start-to-ready of test containers beside a plain `docker.containers.scoped` of the same image
 * and command: a busybox web server and a registry built offline (test/support/testcontainers),
 * each with the readiness its kind of start offers (an HTTP answer from this process through the
 * published port; `Readiness.listening` inside the container), rounds interleaved. Also the cost
 * of a session's reaper (its image present). On both test engines, one after the other; rewrites
 * the "Test containers" section of BENCHMARKS.md.
 *
 *   ROUNDS=7 bash scripts/with-engine.sh tsx bench/testcontainers.ts
 */
import { Docker, Readiness } from "@effect-docker/client"
import { NodeDocker, Tar } from "@effect-docker/node"
import { TestContainer, TestSession, Wait } from "@effect-docker/testcontainers"
import * as Effect from "effect/Effect"
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { readEngineEnv } from "../test/support/engineEnv.js"
import { registryFolder } from "../test/support/testcontainers/registryFolder.js"
import { span } from "./report.js"
import * as Stats from "./stats.js"

const rounds = Number(process.env.ROUNDS ?? 7)
const registryImage = "effect-docker-bench/tc-registry:latest"

const casesFor = (image: string) =>
  [
    {
      name: "web server (busybox httpd)",
      run: { image, cmd: ["httpd", "-f", "-p", "80"] },
      port: 80,
      wait: Wait.forHttp("/", 80, { status: 404 })
    },
    {
      name: "registry (docker-registry)",
      run: { image: registryImage },
      port: 5000,
      wait: Wait.forHttp("/v2/", 5000)
    }
  ] as const

const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.scoped(Effect.gen(function*() {
    const started = performance.now()
    yield* effect
    return performance.now() - started
  }))

const summary = (values: ReadonlyArray<number>) => span(Stats.summary(values))

const measure = (image: string) =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const cases = casesFor(image)
    const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "tc-bench-"))
    const { context, dockerfile } = yield* Tar.buildContext(registryFolder(dir, image))
    yield* docker.images.build(context, { dockerfile, tags: [registryImage] })
    Fs.rmSync(dir, { recursive: true, force: true })
    const times: Record<string, { ours: Array<number>; scoped: Array<number> }> = {}
    const reaper: Array<number> = []
    // One start of each first, not counted: the reaper's image is made, pages are in the cache.
    yield* timed(TestSession.make())
    for (let round = -1; round < rounds; round++) {
      for (const bench of cases) {
        const ours = yield* timed(
          TestContainer.start({ ...bench.run, exposedPorts: [bench.port], wait: bench.wait }).pipe(
            Effect.provide(TestSession.layer({ reaper: false }))
          )
        )
        const scoped = yield* timed(docker.containers.scoped({
          ...bench.run,
          ports: { [bench.port]: null },
          readiness: Readiness.listening(bench.port)
        }))
        if (round < 0) continue
        const entry = times[bench.name] ??= { ours: [], scoped: [] }
        entry.ours.push(ours)
        entry.scoped.push(scoped)
      }
      if (round >= 0) reaper.push(yield* timed(TestSession.make()))
    }
    yield* docker.images.remove(registryImage, { force: true })
    return { times, reaper }
  })

const rows: Array<string> = []
for (const name of ["classic", "modern"]) {
  const envFile = execFileSync("bash", [Path.resolve(import.meta.dirname, "../scripts/test-engine.sh"), "env", name], {
    encoding: "utf8"
  }).trim()
  const settings = readEngineEnv(envFile)
  const engine = NodeDocker.layer({ host: `unix://${settings.EFFECT_DOCKER_TEST_SOCKET}` })
  const { reaper, times } = await Effect.runPromise(Effect.provide(measure(settings.EFFECT_DOCKER_TEST_IMAGE!), engine))
  const docker = `Docker ${settings.EFFECT_DOCKER_TEST_ENGINE_VERSION}`
  for (const [container, { ours, scoped }] of Object.entries(times)) {
    rows.push(
      `| ${docker} | ${container} | ${summary(ours)} | ${summary(scoped)} | ${
        (Stats.median(ours) / Stats.median(scoped)).toFixed(2)
      } |`
    )
  }
  rows.push(`| ${docker} | a session's reaper (image present), ready | ${summary(reaper)} | | |`)
}
const section = [
  "## Test containers",
  "",
  `Start-to-ready in ms, median [min-max] of ${rounds} interleaved rounds per engine, ` +
  `${new Date().toISOString().slice(0, 10)} (\`bench/testcontainers.ts\`). \`TestContainer.start\` waits ` +
  "for an HTTP answer from this process through the published port; `containers.scoped` for the port " +
  "listening inside the container (an exec). Both create, start and wait; neither counts the release.",
  "",
  "| engine | container | TestContainer.start | containers.scoped | ratio |",
  "| --- | --- | --- | --- | --- |",
  ...rows,
  ""
].join("\n")
console.log(section)
const file = Path.resolve(import.meta.dirname, "../BENCHMARKS.md")
const page = Fs.readFileSync(file, "utf8")
const at = page.indexOf("## Test containers")
const next = at < 0 ? -1 : page.indexOf("\n## ", at + 1)
Fs.writeFileSync(
  file,
  at < 0 ? `${page.trimEnd()}\n\n${section}` : `${page.slice(0, at)}${section}${next < 0 ? "" : page.slice(next)}`
)
