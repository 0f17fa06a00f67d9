// The progress examples as a person sees them: a pull of a multi-layer image from the local
// registry drawn inside tmux (its final screen read with capture-pane), the same pull piped to a
// file (plain lines), and builds with BuildKit (in tmux and piped) and the classic builder, a
// failing one drawn with its error last.
import { Docker } from "@effect-docker/client"
import { NodeDocker, Tar } from "@effect-docker/node"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { execFile, execFileSync } from "node:child_process"
import * as Path from "node:path"
import { env } from "../../test/helpers.js"

const root = Path.resolve(import.meta.dirname, "../..")
const tsx = Path.join(root, "node_modules/.bin/tsx")

/** Runs an example to its end, its stdout piped: the exit code and what it wrote. */
const runPiped = (script: string, args: ReadonlyArray<string>, extraEnv: Record<string, string> = {}) =>
  Effect.async<{ code: number; stdout: string }>((resume) => {
    execFile(tsx, [script, ...args], { cwd: root, env: { ...process.env, ...extraEnv } }, (error, stdout) => {
      resume(Effect.succeed({ code: error === null ? 0 : Number(error.code ?? 1), stdout }))
    })
  })

/** Runs an example in a detached tmux session of its own and reads the screen once it has ended. */
const runInTmux = (script: string, args: ReadonlyArray<string>, extraEnv: Record<string, string> = {}) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const server = `effect-docker-progress-${process.pid}`
      const command = [
        ...Object.entries(extraEnv).map(([name, value]) => `${name}='${value}'`),
        ...[tsx, script, ...args].map((part) => `'${part}'`)
      ].join(" ")
      execFileSync("tmux", [
        "-L",
        server,
        "new-session",
        "-d",
        "-x",
        "160",
        "-y",
        "40",
        `cd '${root}' && ${command}; echo "exited: $?"; sleep 600`
      ], { env: process.env })
      return server
    }),
    (server) =>
      Effect.gen(function*() {
        for (let attempt = 0; attempt < 240; attempt++) {
          const screen = execFileSync("tmux", ["-L", server, "capture-pane", "-p"], { encoding: "utf8" })
          if (/exited: \d+/.test(screen)) {
            return screen.split("\n").map((line) => line.trimEnd()).filter((l) => l !== "")
          }
          yield* Effect.sleep("250 millis")
        }
        return yield* Effect.dieMessage("the example did not end within 60 seconds in tmux")
      }),
    (server) => Effect.sync(() => execFileSync("tmux", ["-L", server, "kill-server"]))
  )

layer(NodeDocker.layerFromEnv(), { excludeTestServices: true, timeout: "180 seconds" })(
  "the progress examples",
  (it) => {
    it.scoped("a pull of a multi-layer image drawn in a terminal, and piped", () =>
      Effect.gen(function*() {
        const docker = yield* Docker.Docker
        const image = `${env("EFFECT_DOCKER_TEST_REGISTRY")}/effect-docker/layers:${env("EFFECT_DOCKER_TEST_ENGINE")}`
        yield* Effect.addFinalizer(() => Effect.ignore(docker.images.remove(image, { force: true })))
        // Three layers on top of the test image, pushed to the local registry and removed here.
        yield* docker.images.build(
          Tar.fromFiles({
            Dockerfile: [
              `FROM ${env("EFFECT_DOCKER_TEST_IMAGE")}`,
              "RUN head -c 3000000 /dev/urandom > /first",
              "RUN head -c 2000000 /dev/urandom > /second",
              "RUN echo third > /third"
            ].join("\n")
          }),
          // The classic builder: BuildKit's cache would keep the layers the pull is to fetch.
          { builder: "classic", tags: [image], removeIntermediate: true }
        )
        yield* docker.images.push(image)
        yield* docker.images.remove(image)

        const screen = yield* runInTmux("examples/images/pull-progress.ts", [image])
        expect(screen.at(-1)).toBe("exited: 0")
        const layers = screen.filter((line) => /^[0-9a-f]{12}: /.test(line))
        expect(layers.length).toBeGreaterThanOrEqual(4)
        for (const line of layers) expect(line).toMatch(/^[0-9a-f]{12}: (Pull complete|Already exists)$/)
        expect(layers.filter((line) => line.endsWith("Pull complete")).length).toBeGreaterThanOrEqual(3)
        expect(screen).toContainEqual(expect.stringMatching(/^Status: Downloaded newer image for /))

        yield* docker.images.remove(image)
        const piped = yield* runPiped("examples/images/pull-progress.ts", [image])
        expect(piped.code).toBe(0)
        expect(piped.stdout).not.toContain("\x1b")
        const lines = piped.stdout.trimEnd().split("\n")
        for (const line of layers) expect(lines).toContain(line)
        // A plain line per status change: the downloads' byte counts are not repeated.
        expect(lines.filter((line) => line.endsWith(": Downloading")).length).toBeLessThanOrEqual(layers.length)
        expect(lines.at(-1)).toMatch(/^Status: Downloaded newer image for /)

        const missing = yield* runPiped("examples/images/pull-progress.ts", [
          `${env("EFFECT_DOCKER_TEST_REGISTRY")}/effect-docker/no-such-image:v1`
        ])
        expect(missing.code).toBe(1)
        expect(missing.stdout.trimEnd().split("\n").at(-1)).toMatch(/^error: .*(not found|manifest unknown)/i)
      }))

    it.scoped("a BuildKit build drawn a line per step in a terminal and piped, a failing step's error last", () =>
      Effect.gen(function*() {
        const docker = yield* Docker.Docker
        const tag = `effect-docker-example:buildkit-progress-${process.pid}`
        yield* Effect.addFinalizer(() => Effect.ignore(docker.images.remove(tag, { force: true })))
        const screen = yield* runInTmux("examples/images/build-progress.ts", [], {
          IMAGE: env("EFFECT_DOCKER_TEST_IMAGE"),
          TAG: tag,
          NO_CACHE: "1"
        })
        console.log(`the BuildKit build as the terminal showed it:\n${screen.join("\n")}`)
        expect(screen.at(-1)).toBe("exited: 0")
        // Each step's line ends in its last state; its output is under its number.
        const first = screen.find((line) => /^#\d+ \[2\/3\] RUN echo building the first layer/.test(line))
        expect(first).toMatch(/ DONE \d+\.\d+s$/)
        const number = /^#(\d+) /.exec(first!)![1]
        expect(screen).toContain(`#${number} building the first layer`)
        expect(screen).toContainEqual(expect.stringMatching(/^#\d+ \[3\/3\] RUN echo two > \/two DONE \d+\.\d+s$/))
        expect(screen).toContainEqual(expect.stringMatching(/^writing image sha256:[0-9a-f]{64}$/))
        expect((yield* docker.images.inspect(tag)).Config?.Labels).toMatchObject({ example: "build-progress" })

        // Again, piped: the same steps, now from the cache, as plain lines.
        const piped = yield* runPiped("examples/images/build-progress.ts", [], {
          IMAGE: env("EFFECT_DOCKER_TEST_IMAGE"),
          TAG: tag
        })
        expect(piped.code).toBe(0)
        expect(piped.stdout).not.toContain("\x1b")
        expect(piped.stdout).toMatch(/^#\d+ \[2\/3\] RUN echo building the first layer .* CACHED$/m)

        const failed = yield* runPiped("examples/images/build-progress.ts", [], {
          IMAGE: env("EFFECT_DOCKER_TEST_IMAGE"),
          TAG: `${tag}-failed`,
          FAIL: "1"
        })
        expect(failed.code).toBe(1)
        const lines = failed.stdout.trimEnd().split("\n")
        expect(lines).toContainEqual(expect.stringMatching(/^#\d+ about to fail$/))
        expect(lines).toContainEqual(expect.stringMatching(/^#\d+ \[3\/3\] RUN echo about to fail .* ERROR: /))
        expect(lines.at(-1)).toMatch(/^error: .*exit code: 7/)
      }))

    it.scoped("a classic build drawn line by line, and a failing step's error last", () =>
      Effect.gen(function*() {
        const docker = yield* Docker.Docker
        const tag = `effect-docker-example:build-progress-${process.pid}`
        yield* Effect.addFinalizer(() => Effect.ignore(docker.images.remove(tag, { force: true })))
        const built = yield* runPiped("examples/images/build-progress.ts", [], {
          IMAGE: env("EFFECT_DOCKER_TEST_IMAGE"),
          TAG: tag,
          BUILDER: "classic"
        })
        expect(built.code).toBe(0)
        expect(built.stdout).toContain("building the first layer")
        expect(built.stdout).toMatch(/Successfully tagged effect-docker-example:build-progress-\d+/)
        expect((yield* docker.images.inspect(tag)).Config?.Labels).toMatchObject({ example: "build-progress" })

        const failed = yield* runPiped("examples/images/build-progress.ts", [], {
          IMAGE: env("EFFECT_DOCKER_TEST_IMAGE"),
          TAG: `${tag}-failed`,
          FAIL: "1",
          BUILDER: "classic"
        })
        expect(failed.code).toBe(1)
        const lines = failed.stdout.trimEnd().split("\n")
        expect(lines).toContain("about to fail")
        expect(lines.at(-1)).toMatch(/^error: .*returned a non-zero code: 7/)
      }))
  }
)
