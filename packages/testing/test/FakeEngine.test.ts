import { Docker, Multiplexed } from "@effect-docker/client"
import { FakeEngine, MockTransport } from "@effect-docker/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"

const busybox: FakeEngine.ImageDefinition = { reference: "busybox:latest", size: 1_982_354, created: 1_700_000_000 }

/** Scripts by command: `echo` prints and exits, `fail` exits 2 with a message, anything else runs until stopped. */
const options: FakeEngine.Options = {
  images: [busybox],
  registry: [busybox, { reference: "127.0.0.1:5000/app:v1", labels: { app: "demo" }, cmd: ["serve"] }],
  run: (container) =>
    container.cmd[0] === "echo"
      ? { output: [{ stream: "stdout", data: `${container.cmd.slice(1).join(" ")}\n` }], exit: 0 }
      : container.cmd[0] === "fail"
      ? { output: [{ stream: "stderr", data: "it failed\n" }], exit: 2 }
      : container.cmd[0] === "serve"
      ? { output: [{ stream: "stdout", data: "ready\n" }], stopExit: 0 }
      : undefined,
  exec: (_, cmd) =>
    cmd[0] === "whoami"
      ? { output: [{ stream: "stdout", data: "root\n" }, { stream: "stderr", data: "warning\n" }], exit: 0 }
      : { exit: 127, output: [{ stream: "stderr", data: `${cmd[0]}: not found\n` }] }
}

const withEngine = <A, E>(effect: Effect.Effect<A, E, Docker.Docker | MockTransport.MockTransport>) =>
  Effect.provide(effect, FakeEngine.layerDocker(options))

describe("FakeEngine", () => {
  it.effect("runs scripted containers: output, exit codes, logs, wait", () =>
    withEngine(Effect.gen(function*() {
      const docker = yield* Docker.Docker
      expect(yield* docker.containers.run({ image: "busybox", cmd: ["echo", "hello"] })).toBe("hello\n")
      const failed = yield* Effect.flip(docker.containers.run({ image: "busybox", cmd: ["fail"] }))
      expect(failed).toMatchObject({ _tag: "ContainerExitError", exitCode: 2, stderr: "it failed\n" })
      const created = yield* docker.containers.create({ Image: "busybox", Cmd: ["echo", "a b"], Tty: true }, {
        name: "tty"
      })
      yield* docker.containers.start("tty")
      expect(yield* docker.containers.wait(created.Id)).toEqual({ StatusCode: 0 })
      // A TTY container's log is raw: all of it is stdout.
      expect(yield* docker.containers.logs("tty")).toMatchObject({ stdout: "a b\n", stderr: "" })
    })))

  it.effect("keeps the container lifecycle and answers with the engine's statuses and messages", () =>
    withEngine(Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const { Id } = yield* docker.containers.create({ Image: "busybox", Cmd: ["sleep", "1d"], Labels: { a: "1" } }, {
        name: "sleeper"
      })
      expect((yield* docker.containers.inspect("sleeper")).State?.Status).toBe("created")
      yield* docker.containers.start(Id)
      expect(yield* Effect.flip(docker.containers.start(Id))).toMatchObject({ _tag: "NotModified" })
      yield* docker.containers.pause(Id)
      expect((yield* docker.containers.list({ filters: { status: ["paused"] } })).map((c) => c.Id)).toEqual([Id])
      expect((yield* Effect.flip(docker.containers.pause(Id))).message).toBe(`Container ${Id} is already paused`)
      yield* docker.containers.unpause(Id)
      yield* docker.containers.rename(Id, { name: "renamed" })
      expect((yield* docker.containers.inspect(Id)).Name).toBe("/renamed")
      const removing = yield* Effect.flip(docker.containers.remove("renamed"))
      expect(removing).toMatchObject({ _tag: "Conflict", message: expect.stringContaining("cannot remove a running") })
      yield* docker.containers.kill(Id, { signal: "SIGTERM" })
      expect((yield* docker.containers.inspect(Id)).State).toMatchObject({ Status: "exited", ExitCode: 143 })
      expect(yield* Effect.flip(docker.containers.kill(Id))).toMatchObject({ _tag: "Conflict" })
      expect(yield* docker.containers.list({ filters: { label: ["a=1"] } })).toEqual([])
      expect((yield* docker.containers.list({ all: true, filters: { exited: ["143"] } })).map((c) => c.Names)).toEqual(
        [["/renamed"]]
      )
      yield* docker.containers.remove(Id)
      expect(yield* Effect.flip(docker.containers.inspect(Id))).toMatchObject({
        _tag: "NotFound",
        message: `No such container: ${Id}`
      })
      const unknown = yield* Effect.flip(docker.containers.create({ Image: "alpine" }))
      expect(unknown).toMatchObject({ _tag: "NotFound", message: "No such image: alpine:latest" })
      const badName = yield* Effect.flip(
        docker.containers.create({ Image: "busybox", Cmd: ["x"] }, { name: "no/slash" })
      )
      expect(badName).toMatchObject({ _tag: "BadRequest" })
    })))

  it.effect("runs exec processes with their own output and exit code", () =>
    withEngine(Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const { Id } = yield* docker.containers.run({ image: "busybox", cmd: ["sleep", "1d"], detach: true })
      expect(yield* docker.exec.run(Id, { cmd: ["whoami"] })).toEqual({
        exitCode: 0,
        stdout: "root\n",
        stderr: "warning\n"
      })
      expect(yield* docker.exec.run(Id, { cmd: ["nope"] })).toEqual({
        exitCode: 127,
        stdout: "",
        stderr: "nope: not found\n"
      })
      yield* docker.containers.stop(Id)
      const stopped = yield* Effect.flip(docker.exec.run(Id, { cmd: ["whoami"] }))
      expect(stopped).toMatchObject({ _tag: "Conflict", message: `Container ${Id} is not running` })
    })))

  it.effect("pulls from its registry with progress, tags and removes images", () =>
    withEngine(Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const progress = yield* Stream.runCollect(docker.images.pullStream("127.0.0.1:5000/app:v1"))
      expect(Chunk.toReadonlyArray(progress).at(-1)?.status).toBe(
        "Status: Downloaded newer image for 127.0.0.1:5000/app:v1"
      )
      const missing = yield* Effect.flip(docker.images.pull("127.0.0.1:5000/app:v2"))
      expect(missing).toMatchObject({ _tag: "NotFound", message: expect.stringContaining("manifest unknown") })
      yield* docker.images.tag("127.0.0.1:5000/app:v1", { repo: "app", tag: "local" })
      const listed = yield* docker.images.list({ filters: { label: ["app=demo"] } })
      expect(listed.map((image) => [...(image.RepoTags ?? [])].sort())).toEqual([[
        "127.0.0.1:5000/app:v1",
        "app:local"
      ]])
      // The image's command is the container's when none is given.
      const { Id } = yield* docker.containers.run({ image: "app:local", detach: true })
      expect(yield* docker.containers.logs(Id)).toMatchObject({ stdout: "ready\n" })
      expect(yield* docker.images.remove("app:local")).toEqual([{ Untagged: "app:local" }])
      const inUse = yield* Effect.flip(docker.images.remove("127.0.0.1:5000/app:v1"))
      expect(inUse).toMatchObject({
        _tag: "Conflict",
        message: expect.stringContaining("is using its referenced image")
      })
      yield* docker.containers.remove(Id, { force: true })
      const removed = yield* docker.images.remove("127.0.0.1:5000/app:v1")
      expect(removed.map((item) => Object.keys(item)[0])).toEqual(["Untagged", "Deleted"])
    })))

  it.effect("keeps networks and volumes, with the engine's refusals", () =>
    withEngine(Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const predefined = yield* Effect.flip(docker.networks.remove("bridge"))
      expect(predefined).toMatchObject({
        _tag: "Forbidden",
        message: "bridge is a pre-defined network and cannot be removed"
      })
      const network = yield* docker.networks.create({ Name: "backend", Labels: { tier: "db" } })
      const { Id } = yield* docker.containers.run({ image: "busybox", cmd: ["sleep", "1d"], detach: true })
      yield* docker.networks.connect("backend", { Container: Id })
      expect(Object.keys((yield* docker.containers.inspect(Id)).NetworkSettings?.Networks ?? {})).toContain("backend")
      expect(yield* Effect.flip(docker.networks.remove(network.Id))).toMatchObject({ _tag: "Forbidden" })
      yield* docker.networks.disconnect("backend", { Container: Id })
      yield* docker.networks.remove(network.Id)
      expect((yield* Effect.flip(docker.networks.inspect("backend"))).message).toBe("network backend not found")

      yield* docker.volumes.create({ Name: "data", Labels: { keep: "yes" } })
      const user = yield* docker.containers.create({
        Image: "busybox",
        Cmd: ["true"],
        HostConfig: { Binds: ["data:/data"] }
      })
      expect((yield* Effect.flip(docker.volumes.remove("data"))).message).toBe(
        `remove data: volume is in use - [${user.Id}]`
      )
      expect((yield* docker.volumes.list({ filters: { label: ["keep=yes"] } })).Volumes?.map((v) => v.Name)).toEqual([
        "data"
      ])
      yield* docker.containers.remove(user.Id, { volumes: true })
      expect((yield* Effect.flip(docker.volumes.inspect("data"))).message).toBe("get data: no such volume")
    })))

  it.live("streams events and followed logs as things happen, and ends them", () =>
    withEngine(Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const since = Math.floor(Date.now() / 1000)
      const events = yield* docker.system.events({ since, filters: { type: ["container"] } }).pipe(
        Stream.map((event) => event.Action),
        Stream.take(3),
        Stream.runCollect,
        Effect.fork
      )
      const { Id } = yield* docker.containers.create({ Image: "busybox", Cmd: ["serve"] })
      yield* docker.containers.start(Id)
      // As on the engine, a follow goes on while the container runs (and ends at once if it does not).
      const followed = yield* docker.containers.logStream(Id, { follow: true }).pipe(
        Multiplexed.collectText,
        Effect.fork
      )
      yield* Effect.sleep("50 millis")
      expect(followed.unsafePoll()).toBeNull()
      yield* docker.containers.stop(Id)
      expect(Chunk.toReadonlyArray(yield* Fiber.join(events))).toEqual(["create", "start", "kill"])
      // The follow ends when the container stops, with what it printed meanwhile.
      expect((yield* Fiber.join(followed)).stdout).toBe("ready\n")
      expect((yield* docker.containers.inspect(Id)).State?.ExitCode).toBe(0)
    })))

  it.effect("records what it was sent, as MockTransport does", () =>
    withEngine(Effect.gen(function*() {
      const docker = yield* Docker.Docker
      yield* docker.containers.list({ all: true })
      const sent = yield* MockTransport.requests
      expect(sent.map((request) => `${request.method} ${request.path}?${request.query}`)).toContain(
        "GET /v1.41/containers/json?all=true"
      )
    })))
})
