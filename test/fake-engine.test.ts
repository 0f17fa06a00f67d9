/**
 * The FakeEngine against the real engine: the same Effect programs give the same results on
 * both, and the real docker CLI prints the same on both for the same steps (ids and times aside).
 */
import { Docker } from "@effect-docker/client"
import { FakeEngine } from "@effect-docker/testing"
import * as FakeEngineServer from "@effect-docker/testing/FakeEngineServer"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { execFile, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { engineApi, engineHas, env, recordingLayer, testLabel } from "./helpers.js"
import * as FakeScripts from "./support/fakeScripts.js"

const realLayer = () => recordingLayer({ host: `unix://${env("EFFECT_DOCKER_TEST_SOCKET")}` })

/** The real engine's busybox image under each of its tags, so that the fake lists the same. */
const busybox = Effect.gen(function*() {
  const docker = yield* Docker.Docker
  const image = yield* docker.images.inspect("busybox")
  return (image.RepoTags ?? []).map((reference): FakeEngine.ImageDefinition => ({
    reference,
    id: image.Id,
    size: image.Size ?? 0,
    created: Math.floor(Date.parse(image.Created ?? "") / 1000)
  }))
})

/** Ids and times vary between engines; everything else must not. */
const normalize = (text: string) =>
  text
    .replace(/\b[0-9a-f]{64}\b/g, "<id>")
    .replace(/\b[0-9a-f]{12}\b/g, "<id>")
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<time>")
    .replace(/(Less than a second|About a minute|\d+ (seconds?|minutes?)) ago/g, "<ago>")
    .replace(/Up (Less than a second|About a minute|\d+ (seconds?|minutes?))/g, "Up <duration>")

/** What an error says, without what varies. */
const describeError = (error: { readonly _tag: string; readonly message: string }) => ({
  tag: error._tag,
  message: normalize(error.message)
})

/**
 * One program, run on either engine: what it observes, normalized. Everything it makes carries
 * `prefix` in its name and the test label, and is removed at the end whatever happens.
 */
const scenario = (prefix: string) =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const labels = { ...testLabel, scenario: prefix }
    const observed: Record<string, unknown> = {}
    const since = Math.floor(Date.now() / 1000)

    // A container's life: create, start, list, stop twice, remove twice.
    const created = yield* docker.containers.create(
      { Image: "busybox", Cmd: ["sleep", "300"], Labels: labels },
      { name: `${prefix}-sleeper` }
    )
    observed.createdWarnings = created.Warnings
    observed.duplicateName = yield* docker.containers.create({ Image: "busybox", Cmd: ["true"] }, {
      name: `${prefix}-sleeper`
    }).pipe(Effect.flip, Effect.map(describeError))
    yield* docker.containers.start(created.Id)
    observed.startAgain = yield* docker.containers.start(created.Id).pipe(Effect.flip, Effect.map((e) => e._tag))
    const running = yield* docker.containers.inspect(created.Id)
    observed.running = {
      name: running.Name,
      status: running.State?.Status,
      running: running.State?.Running,
      path: running.Path,
      args: running.Args,
      image: running.Config?.Image,
      labels: running.Config?.Labels,
      tty: running.Config?.Tty
    }
    const listed = yield* docker.containers.list({ filters: { label: [`scenario=${prefix}`] } })
    observed.listedRunning = listed.map((c) => ({ names: c.Names, state: c.State, command: c.Command, image: c.Image }))
    observed.removeRunning = yield* docker.containers.remove(created.Id).pipe(
      Effect.flip,
      Effect.map(describeError)
    )
    yield* docker.containers.stop(created.Id, { timeout: "1 second" })
    observed.stopAgain = yield* docker.containers.stop(created.Id).pipe(Effect.flip, Effect.map((e) => e._tag))
    const stopped = yield* docker.containers.inspect(created.Id)
    observed.stopped = { status: stopped.State?.Status, exitCode: stopped.State?.ExitCode }
    observed.listedAll = (yield* docker.containers.list({ all: true, filters: { label: [`scenario=${prefix}`] } }))
      .map((c) => ({ state: c.State, status: normalize(c.Status ?? "") }))
    observed.listedRunningAfterStop = (yield* docker.containers.list({ filters: { label: [`scenario=${prefix}`] } }))
      .length
    yield* docker.containers.remove(created.Id)
    observed.inspectRemoved = yield* docker.containers.inspect(created.Id).pipe(
      Effect.flip,
      Effect.map(describeError)
    )

    // Output and exit codes.
    observed.run = yield* docker.containers.run({
      image: "busybox",
      cmd: ["echo", "hello from busybox"],
      labels,
      remove: true
    })
    observed.failedRun = yield* docker.containers.run({
      image: "busybox",
      cmd: ["sh", "-c", "echo out; echo err >&2; exit 3"],
      labels,
      remove: true
    }).pipe(
      Effect.flip,
      Effect.map((e) => e._tag === "ContainerExitError" ? { exitCode: e.exitCode, stderr: e.stderr } : e._tag)
    )
    const logged = yield* docker.containers.run({
      image: "busybox",
      cmd: ["sh", "-c", "echo one; echo two >&2; echo three"],
      labels,
      name: `${prefix}-logged`,
      detach: true
    })
    observed.waited = yield* docker.containers.wait(logged.Id)
    // Not `combined`: the real engine copies stdout and stderr apart, in no fixed order between them.
    const { stderr, stdout } = yield* docker.containers.logs(logged.Id)
    observed.logs = { stdout, stderr }
    yield* docker.containers.remove(logged.Id)
    const counted = yield* docker.containers.run({
      image: "busybox",
      cmd: ["sh", "-c", "echo 1; echo 2; echo 3"],
      labels,
      detach: true
    })
    yield* docker.containers.wait(counted.Id)
    observed.tail = (yield* docker.containers.logs(counted.Id, { tail: 2 })).stdout
    yield* docker.containers.remove(counted.Id)
    observed.unknownImage = yield* docker.containers.create({ Image: "busybox:nope" }).pipe(
      Effect.flip,
      Effect.map(describeError)
    )

    // Events of the first container, in order.
    const events = yield* docker.system.events({
      since,
      until: Math.floor(Date.now() / 1000) + 1,
      filters: { type: ["container"], container: [`${prefix}-sleeper`] }
    }).pipe(Stream.runCollect)
    observed.events = [...events].map((e) =>
      `${e.Action}${e.Action === "kill" ? ` ${e.Actor?.Attributes?.signal}` : ""}`
    )

    // Networks and volumes.
    const network = yield* docker.networks.create({ Name: `${prefix}-net`, Labels: labels })
    const inspected = yield* docker.networks.inspect(network.Id)
    observed.network = {
      name: inspected.Name,
      driver: inspected.Driver,
      scope: inspected.Scope,
      labels: inspected.Labels
    }
    observed.duplicateNetwork = yield* docker.networks.create({ Name: `${prefix}-net`, CheckDuplicate: true }).pipe(
      Effect.flip,
      Effect.map(describeError)
    )
    observed.networksListed = (yield* docker.networks.list({ filters: { label: [`scenario=${prefix}`] } }))
      .map((n) => n.Name)
    yield* docker.networks.remove(network.Id)
    observed.networkRemovedAgain = yield* docker.networks.remove(`${prefix}-net`).pipe(
      Effect.flip,
      Effect.map(describeError)
    )
    const volume = yield* docker.volumes.create({ Name: `${prefix}-vol`, Labels: labels })
    observed.volume = {
      name: volume.Name,
      driver: volume.Driver,
      scope: volume.Scope,
      mountpoint: volume.Mountpoint.endsWith(`/volumes/${prefix}-vol/_data`)
    }
    const user = yield* docker.containers.create({
      Image: "busybox",
      Cmd: ["true"],
      Labels: labels,
      HostConfig: { Binds: [`${prefix}-vol:/data`] }
    })
    observed.volumeInUse = yield* docker.volumes.remove(`${prefix}-vol`).pipe(Effect.flip, Effect.map(describeError))
    yield* docker.containers.remove(user.Id)
    observed.volumesListed = (yield* docker.volumes.list({ filters: { label: [`scenario=${prefix}`] } }))
      .Volumes?.map((v) => v.Name)
    yield* docker.volumes.remove(`${prefix}-vol`)
    observed.volumeRemovedAgain = yield* docker.volumes.inspect(`${prefix}-vol`).pipe(
      Effect.flip,
      Effect.map(describeError)
    )

    // Images.
    const image = yield* docker.images.inspect("busybox")
    observed.image = { tags: image.RepoTags?.includes("busybox:latest"), os: image.Os }
    observed.imageMissing = yield* docker.images.inspect("busybox:nope").pipe(Effect.flip, Effect.map(describeError))
    return observed
  }).pipe(
    // Whatever failed above, nothing with the prefix stays behind.
    Effect.ensuring(
      Effect.gen(function*() {
        const docker = yield* Docker.Docker
        const left = yield* docker.containers.list({ all: true, filters: { label: [`scenario=${prefix}`] } })
        for (const c of left) yield* docker.containers.remove(c.Id, { force: true, volumes: true })
        yield* Effect.ignore(docker.networks.remove(`${prefix}-net`))
        yield* Effect.ignore(docker.volumes.remove(`${prefix}-vol`))
      }).pipe(Effect.ignore)
    )
  )

const runOn = <A, E>(effect: Effect.Effect<A, E, Docker.Docker>, layer: Layer.Layer<Docker.Docker, unknown>) =>
  Effect.provide(effect, layer)

describe("FakeEngine and the real engine", () => {
  it.live("give the same results to the same program", () =>
    Effect.gen(function*() {
      const prefix = `fake-vs-real-${Date.now().toString(36)}`
      const real = realLayer()
      const image = yield* runOn(busybox, real)
      const onReal = yield* runOn(scenario(prefix), real)
      const onFake = yield* runOn(scenario(prefix), FakeEngine.layerDocker(FakeScripts.options(image, engineApi())))
      // The scenario saw what it should on the real engine...
      expect(onReal.stopped).toEqual({ status: "exited", exitCode: 137 })
      expect(onReal.logs).toEqual({ stdout: "one\nthree\n", stderr: "two\n" })
      expect(onReal.tail).toBe("2\n3\n")
      // Docker 28 announces the stop before the exit it waited for, 20.10 after.
      expect(onReal.events).toEqual(
        engineHas("1.51")
          ? ["create", "start", "kill 15", "kill 9", "stop", "die", "destroy"]
          : ["create", "start", "kill 15", "kill 9", "die", "stop", "destroy"]
      )
      // ...and the fake saw the same, field by field.
      for (const key of Object.keys(onReal)) expect({ [key]: onFake[key] }).toEqual({ [key]: onReal[key] })
    }), { timeout: 60_000 })
})

interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

const docker = (host: string, args: ReadonlyArray<string>) =>
  Effect.async<CliResult>((resume) => {
    execFile("docker", args, { env: { ...process.env, DOCKER_HOST: host }, timeout: 30_000 }, (error, stdout, stderr) =>
      resume(Effect.succeed({
        code: error === null ? 0 : typeof error.code === "number" ? error.code : 1,
        stdout,
        stderr
      })))
  })

/** A table the CLI prints, cell by cell: column widths follow the content, which varies in time. */
const cells = (text: string) => normalize(text).split("\n").map((line) => line.trim().split(/\s{2,}/).join(" | "))

describe("the docker CLI on the served FakeEngine", () => {
  it.scopedLive("prints what it prints on the real engine, step by step", () =>
    Effect.gen(function*() {
      const realHost = `unix://${env("EFFECT_DOCKER_TEST_SOCKET")}`
      const image = yield* runOn(busybox, realLayer())
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-docker-fake-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true })))
      const server = yield* FakeEngineServer.serve(
        FakeEngine.make(FakeScripts.options(image, engineApi())),
        `unix://${Path.join(dir, "docker.sock")}`
      )
      const p = `cli-${Date.now().toString(36)}`
      const label = "effect-docker.test=integration"
      const steps: ReadonlyArray<ReadonlyArray<string>> = [
        ["version", "--format", "{{.Server.APIVersion}} {{.Server.MinAPIVersion}} {{.Server.Os}}/{{.Server.Arch}}"],
        ["create", "--name", `${p}-a`, "--label", label, "busybox", "sleep", "300"],
        ["start", `${p}-a`],
        ["run", "-d", "--name", `${p}-b`, "--label", label, "busybox", "echo", "hello world"],
        ["wait", `${p}-b`],
        ["ps", "-a", "--filter", `name=${p}`],
        ["ps", "--filter", `name=${p}`, "--format", "{{.Names}} {{.Status}} {{.Command}}"],
        ["logs", `${p}-b`],
        [
          "inspect",
          "--format",
          "{{.Name}} {{.State.Status}} {{.State.Running}} {{.Path}} {{json .Args}} {{.Config.Image}} {{json .Config.Labels}} {{.HostConfig.NetworkMode}} {{.Driver}} {{.Platform}} {{.RestartCount}}",
          `${p}-a`
        ],
        ["rm", `${p}-a`],
        ["stop", "-t", "1", `${p}-a`],
        ["inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", `${p}-a`],
        ["start", `${p}-nope`],
        ["rm", "-f", `${p}-a`, `${p}-b`],
        ["ps", "-a", "--filter", `name=${p}`],
        ["network", "create", "--label", label, `${p}-net`],
        ["network", "ls", "--filter", `name=${p}`],
        ["network", "create", `${p}-net`],
        ["network", "rm", `${p}-net`],
        ["network", "rm", `${p}-net`],
        ["volume", "create", "--label", label, `${p}-vol`],
        ["volume", "ls", "--filter", `name=${p}`],
        ["volume", "inspect", "--format", "{{.Name}} {{.Driver}} {{.Scope}} {{json .Labels}}", `${p}-vol`],
        ["volume", "rm", `${p}-vol`],
        ["volume", "rm", `${p}-vol`],
        ["images", "busybox"],
        ["inspect", "--format", "{{.Id}} {{json .RepoTags}} {{.Size}} {{.Os}}", "busybox"]
      ]
      try {
        for (const step of steps) {
          const real = yield* docker(realHost, step)
          const fake = yield* docker(server.host, step)
          const view = (result: CliResult) => ({
            step: step.join(" "),
            code: result.code,
            stdout: cells(result.stdout),
            stderr: cells(result.stderr)
          })
          expect(view(fake)).toEqual(view(real))
        }
        // The whole inspect document has the same shape: the same keys at the top and in each section.
        const shape = (text: string) => {
          const [doc] = JSON.parse(text) as Array<Record<string, unknown>>
          return Object.fromEntries(
            Object.entries(doc!).map((
              [key, value]
            ) => [
              key,
              value !== null && typeof value === "object" && !Array.isArray(value)
                ? Object.keys(value).sort()
                : typeof value
            ])
          )
        }
        yield* docker(realHost, ["create", "--name", `${p}-shape`, "--label", label, "busybox", "sleep", "300"])
        yield* docker(server.host, ["create", "--name", `${p}-shape`, "--label", label, "busybox", "sleep", "300"])
        const realDoc = yield* docker(realHost, ["inspect", `${p}-shape`])
        const fakeDoc = yield* docker(server.host, ["inspect", `${p}-shape`])
        expect(shape(fakeDoc.stdout)).toEqual(shape(realDoc.stdout))
      } finally {
        yield* docker(realHost, ["rm", "-f", `${p}-a`, `${p}-b`, `${p}-shape`])
        yield* docker(realHost, ["network", "rm", `${p}-net`])
        yield* docker(realHost, ["volume", "rm", `${p}-vol`])
      }
    }), { timeout: 120_000 })
})

describe("effect-docker-fake-engine, the testing package's command", () => {
  it.scopedLive("serves a fake engine on loopback TCP that the docker CLI drives", () =>
    Effect.gen(function*() {
      const bin = Path.resolve(import.meta.dirname, "../packages/testing/bin/effect-docker-fake-engine.mjs")
      const config = Path.resolve(import.meta.dirname, "support/fakeEngineConfig.mjs")
      const child = yield* Effect.acquireRelease(
        Effect.sync(() => spawn(process.execPath, [bin, "--listen", "tcp://127.0.0.1:0", "--config", config])),
        (child) => Effect.sync(() => child.kill("SIGTERM"))
      )
      const host = yield* Effect.async<string, Error>((resume) => {
        let out = ""
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString()
          const match = /listening on (tcp:\/\/\S+)/.exec(out)
          if (match !== null) resume(Effect.succeed(match[1]!))
        })
        child.once("exit", (code) => resume(Effect.fail(new Error(`the fake engine exited with ${code}`))))
      })
      const run = yield* docker(host, ["run", "-d", "--name", "from-the-cli", "busybox:latest", "echo", "served"])
      expect(run).toMatchObject({ code: 0, stdout: expect.stringMatching(/^[0-9a-f]{64}\n$/) })
      expect(yield* docker(host, ["logs", "from-the-cli"])).toMatchObject({ code: 0, stdout: "served\n" })
      const ps = yield* docker(host, ["ps", "-a", "--format", "{{.Names}} {{.Status}}"])
      expect(ps.stdout).toMatch(/^from-the-cli Exited \(0\) (Less than a second|\d+ seconds?) ago\n$/)
      const missing = yield* docker(host, ["rm", "nope"])
      expect(missing).toMatchObject({ code: 1, stderr: "Error response from daemon: No such container: nope\n" })
    }), { timeout: 60_000 })
})
