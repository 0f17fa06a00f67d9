/**
 * docker-py's programs, rewritten against our API and run on the real engine: what they do must
 * hold here too (the auto-removed run, the log driver that cannot be read, attach without
 * streaming, detached execs, docker-py's conveniences).
 */
import { Docker, Multiplexed } from "@effect-docker/client"
import { Tar } from "@effect-docker/node"
import { afterAll, expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { env, eventually, recordingLayer, scopedContainer, sweep, testLabel } from "./helpers.js"

const engine = recordingLayer({ host: `unix://${env("EFFECT_DOCKER_TEST_SOCKET")}` })
const label = { ...testLabel, suite: "docker-py" }

/** The test's containers that are still there. */
const leftOver = (suite: string) =>
  Effect.flatMap(
    Docker.Docker,
    (docker) => docker.containers.list({ all: true, filters: { label: [`suite=${suite}`] } })
  )

layer(engine, { timeout: "120 seconds" })("docker-py's programs on the real engine", (it) => {
  afterAll(() => Effect.runPromise(Effect.provide(sweep, engine)))

  it.effect("an auto-removed run returns its output, or fails with docker-py's ContainerError", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const labels = { ...label, suite: "auto-remove" }
      for (let i = 0; i < 5; i++) {
        const output = yield* docker.containers.run({
          image: "busybox",
          cmd: ["echo", `auto ${i}`],
          hostConfig: { AutoRemove: true },
          labels
        })
        expect(output).toBe(`auto ${i}\n`)
      }
      const failed = yield* Effect.flip(docker.containers.run({
        image: "busybox",
        cmd: "sh -c 'echo broken >&2; exit 3'",
        hostConfig: { AutoRemove: true },
        labels
      }))
      expect(failed).toMatchObject({
        _tag: "ContainerExitError",
        exitCode: 3,
        image: "busybox",
        command: ["sh", "-c", "echo broken >&2; exit 3"],
        stderr: "broken\n"
      })
      expect(failed.message).toBe(
        "Command '[sh -c echo broken >&2; exit 3]' in image 'busybox' returned non-zero exit status 3: broken"
      )
      const removed = yield* Effect.flip(
        docker.containers.run({ image: "busybox", cmd: "cat /test", remove: true, labels })
      )
      expect(removed).toMatchObject({ _tag: "ContainerExitError", exitCode: 1, command: ["cat", "/test"] })
      expect(removed.message).toMatch(/^Command '\[cat \/test\]' in image 'busybox' returned non-zero exit status 1: /)
      expect(yield* eventually(leftOver("auto-remove"), (left) => left.length === 0)).toEqual([])
    }))

  it.effect("a run whose log driver cannot be read still returns its output and its exit code", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const quiet = { type: "none" } as const
      expect(yield* docker.containers.run({ image: "busybox", cmd: ["echo", "quiet"], logConfig: quiet, remove: true }))
        .toBe("quiet\n")
      const failed = yield* Effect.flip(
        docker.containers.run({
          image: "busybox",
          cmd: "sh -c 'exit 4'",
          logConfig: quiet,
          remove: true,
          labels: label
        })
      )
      expect(failed).toMatchObject({ _tag: "ContainerExitError", exitCode: 4 })
    }))

  it.scoped("attach without streaming: the output so far, then the end; stdout or stderr alone", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const container = yield* scopedContainer({
        image: "busybox",
        cmd: ["sh", "-c", "echo out; echo err >&2; sleep 30"],
        labels: label
      })
      yield* eventually(docker.containers.logs(container.Id), (logs) => logs.stderr === "err\n")
      const both = yield* Effect.scoped(Effect.flatMap(
        docker.containers.attach(container.Id, { stream: false, logs: true }),
        (session) => Multiplexed.collectText(session.output)
      ))
      expect(both).toMatchObject({ stdout: "out\n", stderr: "err\n" })
      const stdoutOnly = yield* Effect.scoped(Effect.flatMap(
        docker.containers.attach(container.Id, { stream: false, logs: true, stderr: false }),
        (session) => Multiplexed.collectText(session.output)
      ))
      expect(stdoutOnly).toMatchObject({ stdout: "out\n", stderr: "" })
      expect((yield* docker.containers.inspect(container.Id)).State?.Running).toBe(true)
    }))

  it.scoped("exec: a detached start, a TTY exec started without a TTY, combined output", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const container = yield* scopedContainer({ image: "busybox", cmd: ["sleep", "60"], labels: label })
      const detached = yield* docker.exec.create(container.Id, { Cmd: ["sh", "-c", "echo ran > /tmp/ran"] })
      yield* docker.exec.start(detached.Id, { detach: true })
      const ran = yield* eventually(docker.exec.inspect(detached.Id), (info) => info.Running === false)
      expect(ran.ExitCode).toBe(0)
      expect(yield* docker.exec.run(container.Id, { cmd: ["cat", "/tmp/ran"] })).toMatchObject({ stdout: "ran\n" })

      const tty = yield* docker.exec.create(container.Id, {
        Cmd: ["sh", "-c", "echo on a tty; test -t 1 && echo yes"],
        AttachStdout: true,
        AttachStderr: true,
        Tty: true
      })
      const frames = yield* Effect.scoped(Effect.flatMap(
        docker.exec.start(tty.Id, { tty: false }),
        (session) => Stream.runCollect(session.output)
      ))
      // Multiplexed (start without a TTY), all on stdout (the process has one).
      const text = Array.from(frames).map((frame) => new TextDecoder().decode(frame.data)).join("")
      expect(Array.from(frames).every((frame) => frame.stream === "stdout")).toBe(true)
      expect(text).toBe("on a tty\r\nyes\r\n")

      const combined = yield* docker.exec.run(container.Id, {
        cmd: ["sh", "-c", "echo out; sleep 0.1; echo err >&2; sleep 0.1; echo out again"],
        demux: false
      })
      expect(combined).toEqual({ exitCode: 0, output: "out\nerr\nout again\n" })
    }))

  it.effect("docker-py's conveniences: a command string, sizes, bare env keys, numeric signals, named saves", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      process.env.EFFECT_DOCKER_PASSTHROUGH = "from the host"
      delete process.env.EFFECT_DOCKER_ABSENT
      const container = yield* docker.containers.run({
        image: "busybox",
        cmd: "sh -c 'trap \"exit 7\" USR1; while true; do sleep 0.1; done'",
        memory: "64m",
        shmSize: "32m",
        env: ["EFFECT_DOCKER_PASSTHROUGH", "EFFECT_DOCKER_ABSENT", "GIVEN=yes"],
        labels: label,
        detach: true,
        remove: true
      })
      expect(container.Config?.Cmd).toEqual(["sh", "-c", "trap \"exit 7\" USR1; while true; do sleep 0.1; done"])
      expect(container.HostConfig?.Memory).toBe(64 * 1024 * 1024)
      expect(container.HostConfig?.ShmSize).toBe(32 * 1024 * 1024)
      expect(container.Config?.Env).toEqual(
        expect.arrayContaining(["EFFECT_DOCKER_PASSTHROUGH=from the host", "GIVEN=yes"])
      )
      expect(container.Config?.Env?.some((entry) => entry.startsWith("EFFECT_DOCKER_ABSENT"))).toBe(false)
      // SIGUSR1 by its number.
      yield* docker.containers.kill(container.Id, { signal: 10 })
      expect((yield* docker.containers.wait(container.Id, { condition: "removed" })).StatusCode).toBe(7)

      const bad = yield* Effect.flip(docker.containers.run({ image: "busybox", memory: "lots", detach: true }))
      expect(bad).toMatchObject({ _tag: "DockerInputError", reason: "Option" })
      expect(bad.message).toContain("memory")

      const manifestOf = (stream: Stream.Stream<Uint8Array, unknown>) =>
        Effect.map(Tar.readFiles(stream), (files) => JSON.parse(new TextDecoder().decode(files["manifest.json"]!)))
      const named = yield* manifestOf(docker.images.save(env("EFFECT_DOCKER_TEST_IMAGE"), { named: true }))
      expect(named[0].RepoTags).toEqual(expect.arrayContaining([expect.stringMatching(/busybox:latest$/)]))
      const byId = yield* manifestOf(docker.images.save(env("EFFECT_DOCKER_TEST_IMAGE")))
      expect(byId[0].RepoTags ?? []).toEqual([])
      const wrongTag = yield* Effect.flip(Stream.runDrain(docker.images.save("busybox", { named: "busybox:nope" })))
      expect(wrongTag).toMatchObject({ _tag: "DockerInputError" })
    }))

  it.effect("build: the specification's parameters (extraHosts, shmSize), and BuildError with the engine's code", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const id = yield* docker.images.build(
        Tar.fromFiles({ "Dockerfile": "FROM busybox\nRUN cat /etc/hosts > /hosts && df -k /dev/shm > /shm\n" }),
        {
          builder: "classic",
          extraHosts: ["extra.example:10.1.2.3"],
          shmSize: 16 * 1024 * 1024,
          tags: ["effect-docker-test/built:hosts"]
        }
      )
      const files = yield* docker.containers.run({
        image: id,
        cmd: ["cat", "/hosts", "/shm"],
        remove: true,
        labels: label
      })
      expect(files).toMatch(/10\.1\.2\.3\s+extra\.example/)
      expect(files).toMatch(/shm\s+16384\s/)
      const failed = yield* Effect.flip(docker.images.build(
        Tar.fromFiles({ "Dockerfile": "FROM busybox\nRUN exit 3\n" }),
        { builder: "classic", forceRm: true, labels: label }
      ))
      expect(failed).toMatchObject({ _tag: "BuildError", code: 3 })
      yield* docker.images.remove(id, { force: true })
    }))

  it.effect("logs with details: the attributes the log driver adds", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const container = yield* docker.containers.run({
        image: "busybox",
        cmd: ["echo", "detailed"],
        labels: { ...label, team: "core" },
        logConfig: { type: "json-file", config: { labels: "team" } },
        detach: true
      })
      yield* docker.containers.wait(container.Id)
      const plain = yield* docker.containers.logs(container.Id)
      const detailed = yield* docker.containers.logs(container.Id, { details: true })
      expect(plain.stdout).toBe("detailed\n")
      expect(detailed.stdout).toBe("team=core detailed\n")
      yield* docker.containers.remove(container.Id)
    }))
})

// A short request timeout, as users set one: a stop without a timeout waits the engine's grace.
const impatient = recordingLayer({ host: `unix://${env("EFFECT_DOCKER_TEST_SOCKET")}`, requestTimeout: "2 seconds" })

layer(impatient, { timeout: "60 seconds" })("a stop without a timeout", (it) => {
  it.scoped(
    "waits for the engine's 10 seconds of grace, beyond a requestTimeout of 2 seconds",
    () =>
      Effect.gen(function*() {
        const docker = yield* Docker.Docker
        // PID 1 ignores SIGTERM unless it handles it: the engine kills it after the grace period.
        const container = yield* scopedContainer({ image: "busybox", cmd: ["sleep", "60"], labels: label })
        yield* docker.containers.stop(container.Id)
        const info = yield* docker.containers.inspect(container.Id)
        expect(info.State).toMatchObject({ Running: false, ExitCode: 137 })
      }),
    30_000
  )
})
