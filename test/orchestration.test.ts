import { Docker, Readiness, type WorkflowError } from "@effect-docker/client"
import { afterAll, expect, layer } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import { env, recordingLayer, sleep, sweep, testLabel } from "./helpers.js"

const engine = recordingLayer({ host: `unix://${env("EFFECT_DOCKER_TEST_SOCKET")}` })
const labels = { ...testLabel, suite: "orchestration" }
const forever = ["sleep", "3600"]

/** Whether a container with this id still exists. */
const exists = (id: string) =>
  Effect.flatMap(Docker.Docker, (docker) =>
    docker.containers.inspect(id).pipe(
      Effect.as(true),
      Effect.catchTag("NotFound", () => Effect.succeed(false))
    ))

/** The release errors a scoped resource reports, gathered instead of logged. */
const gathered = () => {
  const errors: Array<WorkflowError.DockerReleaseError> = []
  return {
    errors,
    onReleaseError: (error: WorkflowError.DockerReleaseError) => Effect.sync(() => void errors.push(error))
  }
}

layer(engine, { timeout: "120 seconds", excludeTestServices: true })("scoped resources", (it) => {
  afterAll(() =>
    Effect.runPromise(Effect.provide(
      Effect.gen(function*() {
        yield* sweep
        const docker = yield* Docker.Docker
        const volumes = yield* docker.volumes.list({ filters: { label: ["suite=orchestration"] } })
        yield* Effect.forEach(
          volumes.Volumes ?? [],
          (v) => Effect.ignore(docker.volumes.remove(v.Name, { force: true }))
        )
        const networks = yield* docker.networks.list({ filters: { label: ["suite=orchestration"] } })
        yield* Effect.forEach(networks, (n) => Effect.ignore(docker.networks.remove(n.Id!)))
      }),
      engine
    ))
  )

  const endings = {
    success: Effect.void,
    failure: Effect.fail("the program failed"),
    defect: Effect.die(new Error("a bug")),
    interruption: Effect.interrupt
  } as const

  for (const [ending, end] of Object.entries(endings)) {
    it.scoped(`a container is stopped and removed when its scope ends by ${ending}`, () =>
      Effect.gen(function*() {
        const docker = yield* Docker.Docker
        let id = ""
        const exit = yield* Effect.exit(Effect.scoped(Effect.gen(function*() {
          const container = yield* docker.containers.scoped({ image: "busybox", cmd: forever, labels, stopTimeout: 0 })
          id = container.Id
          expect(container.State?.Running).toBe(true)
          yield* end
        })))
        expect(Exit.isSuccess(exit)).toBe(ending === "success")
        expect(id).not.toBe("")
        expect(yield* exists(id)).toBe(false)
      }))
  }

  it.scoped("a container whose start fails is removed; an interrupted readiness wait releases it", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const failed = yield* Effect.flip(Effect.scoped(
        docker.containers.scoped({ image: "busybox", cmd: ["/no/such/binary"], labels: { ...labels, case: "start" } })
      ))
      // dockerd 20.10 answers a command it cannot run with 400.
      expect(failed).toMatchObject({ _tag: "BadRequest", message: expect.stringContaining("no such file") })
      const left = yield* docker.containers.list({ all: true, filters: { label: ["case=start"] } })
      expect(left).toEqual([])

      const waiting = yield* Effect.fork(Effect.scoped(docker.containers.scoped({
        image: "busybox",
        cmd: forever,
        labels: { ...labels, case: "interrupted" },
        stopTimeout: 0,
        readiness: Readiness.logLine("never printed")
      })))
      const running = yield* Effect.repeat(
        docker.containers.list({ filters: { label: ["case=interrupted"] } }),
        { until: (list) => list.length === 1 }
      )
      yield* Fiber.interrupt(waiting)
      expect(yield* exists(running[0]!.Id)).toBe(false)
    }))

  it.scoped("release errors are reported, and the rest of the release still runs", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const report = gathered()
      let volumeName = ""
      let networkId = ""
      let holderId = ""
      yield* Effect.scoped(Effect.gen(function*() {
        const volume = yield* docker.volumes.scoped({ Labels: labels }, report)
        const network = yield* docker.networks.scoped({ Name: "effect-docker-test-held", Labels: labels }, report)
        volumeName = volume.Name
        networkId = network.Id
        // A container outside the scope keeps both in use, so that their removal fails.
        const holder = yield* docker.containers.run({
          image: "busybox",
          cmd: forever,
          labels,
          volumes: [`${volume.Name}:/data`],
          network: network.Id,
          detach: true
        })
        holderId = holder.Id
      }))
      expect(report.errors.map((error) => [error.resource, error.step]).sort()).toEqual([
        ["network", "remove"],
        ["volume", "remove"]
      ])
      for (const error of report.errors) {
        expect(error._tag).toBe("DockerReleaseError")
        expect(error.message).toMatch(/releasing (network|volume) .*: remove failed: .*(in use|active endpoints)/)
      }
      // The network's failure did not keep the volume from being tried (and the other way round).
      yield* docker.containers.remove(holderId, { force: true })
      yield* docker.volumes.remove(volumeName)
      yield* docker.networks.remove(networkId)
    }))

  it.scoped("containers on a scoped network reach each other by name and alias; all is gone afterwards", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const report = gathered()
      const ids = yield* Effect.scoped(Effect.gen(function*() {
        const network = yield* docker.networks.scoped({ Name: "effect-docker-test-app", Labels: labels }, report)
        const data = yield* docker.volumes.scoped({ Labels: labels }, report)
        yield* docker.containers.run({
          image: "busybox",
          cmd: ["sh", "-c", "echo hello from the volume > /data/index.html"],
          volumes: { [data.Name]: { bind: "/data" } },
          labels,
          remove: true
        })
        const web = yield* docker.containers.scoped({
          image: "busybox",
          cmd: ["httpd", "-f", "-p", "8080", "-h", "/www"],
          volumes: [`${data.Name}:/www:ro`],
          network: "effect-docker-test-app",
          networkAliases: ["web"],
          labels,
          stopTimeout: 0,
          onReleaseError: report.onReleaseError,
          readiness: Readiness.listening(8080)
        })
        const page = yield* docker.containers.run({
          image: "busybox",
          // busybox's own wget crashes in this static build; nc speaks the HTTP by hand.
          cmd: ["sh", "-c", "printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | nc -w 3 web 8080"],
          network: "effect-docker-test-app",
          labels,
          remove: true
        })
        expect(page).toMatch(/^HTTP\/1\.[01] 200 OK\r\n[^]*\r\n\r\nhello from the volume\n$/)
        return { network: network.Id, volume: data.Name, web: web.Id }
      }))
      expect(report.errors).toEqual([])
      expect(yield* exists(ids.web)).toBe(false)
      expect(yield* Effect.either(docker.networks.inspect(ids.network))).toMatchObject({
        _tag: "Left",
        left: { _tag: "NotFound" }
      })
      expect(yield* Effect.either(docker.volumes.inspect(ids.volume))).toMatchObject({
        _tag: "Left",
        left: { _tag: "NotFound" }
      })
    }))
})

layer(engine, { timeout: "120 seconds", excludeTestServices: true })("readiness", (it) => {
  afterAll(() => Effect.runPromise(Effect.provide(sweep, engine)))

  const ready = (cmd: ReadonlyArray<string>, readiness: Readiness.Readiness, more: object = {}) =>
    Effect.flatMap(
      Docker.Docker,
      (docker) => docker.containers.scoped({ image: "busybox", cmd, labels, stopTimeout: 0, readiness, ...more })
    )

  it.scoped("a log line, a listening port, a command, health, an exit: each waits until it holds", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const started = Date.now()
      const logged = yield* ready(
        ["sh", "-c", "sleep 0.5; echo starting; echo ready; echo ready; sleep 3600"],
        Readiness.logLine(/^ready$/, { times: 2 })
      )
      expect(Date.now() - started).toBeGreaterThanOrEqual(400)
      expect((yield* docker.containers.logs(logged.Id)).stdout).toContain("ready\nready\n")

      const web = yield* ready(["sh", "-c", "sleep 0.5; httpd -f -p 8080"], Readiness.listening(8080))
      const listing = yield* docker.exec.run(web.Id, { cmd: ["cat", "/proc/net/tcp", "/proc/net/tcp6"] })
      expect(listing.stdout).toMatch(/:1F90 .* 0A /)

      const touched = yield* ready(
        ["sh", "-c", "sleep 0.5; touch /tmp/ready; sleep 3600"],
        Readiness.command(["test", "-e", "/tmp/ready"])
      )
      expect((yield* docker.exec.run(touched.Id, { cmd: ["test", "-e", "/tmp/ready"] })).exitCode).toBe(0)

      const healthy = yield* ready(
        ["sh", "-c", "sleep 0.5; touch /tmp/ready; sleep 3600"],
        Readiness.healthy(),
        { healthcheck: { test: ["test", "-e", "/tmp/ready"], interval: "200 millis", retries: 50 } }
      )
      expect(healthy.State?.Health?.Status).toBe("healthy")

      const job = yield* ready(["sh", "-c", "sleep 0.3; exit 0"], Readiness.exited({ exitCode: 0 }))
      expect(job.State?.Status).toBe("exited")

      const both = yield* ready(
        ["sh", "-c", "echo up; httpd -f -p 9090"],
        Readiness.all(Readiness.logLine("up"), Readiness.listening(9090))
      )
      expect(both.State?.Running).toBe(true)
    }))

  const notReady = (cmd: ReadonlyArray<string>, readiness: Readiness.Readiness, more: object = {}) =>
    Effect.flip(Effect.scoped(ready(cmd, readiness, more))).pipe(
      Effect.map((error) => {
        expect(error._tag).toBe("DockerReadinessError")
        return error as WorkflowError.DockerReadinessError
      })
    )

  it.effect("a condition that cannot hold fails at once with its reason and the last logs; a slow one times out", () =>
    Effect.gen(function*() {
      const crashed = yield* notReady(
        ["sh", "-c", "echo booting; echo 'fatal: no config' >&2; exit 3"],
        Readiness.logLine(/listening/)
      )
      expect(crashed.reason).toBe("Exited")
      expect(crashed.condition).toBe("log line matching /listening/")
      expect(crashed.lastLogs).toContain("fatal: no config")
      expect(crashed.message).toContain("fatal: no config")

      const started = Date.now()
      const slow = yield* notReady(
        ["sh", "-c", "echo still warming up; sleep 3600"],
        Readiness.listening(5432, { timeout: "1 second" })
      )
      expect(slow.reason).toBe("Timeout")
      expect(Date.now() - started).toBeLessThan(10_000)
      expect(slow.message).toContain("port 5432/tcp listening")
      expect(slow.lastLogs).toContain("still warming up")

      const unhealthy = yield* notReady(forever, Readiness.healthy(), {
        healthcheck: { test: ["sh", "-c", "echo db down; exit 1"], interval: "100 millis", retries: 1 }
      })
      expect(unhealthy.reason).toBe("Unhealthy")
      expect(unhealthy.message).toContain("db down")

      const unchecked = yield* notReady(forever, Readiness.healthy())
      expect(unchecked.reason).toBe("NoHealthCheck")

      const wrongCode = yield* notReady(["sh", "-c", "exit 2"], Readiness.exited({ exitCode: 0 }))
      expect(wrongCode.reason).toBe("ExitCode")
      expect(wrongCode.message).toContain("code 2")

      const partly = yield* notReady(
        ["sh", "-c", "echo up; sleep 3600"],
        Readiness.all(Readiness.logLine("up"), Readiness.command(["false"], { timeout: "1 second" }))
      )
      expect(partly.reason).toBe("Timeout")
      expect(partly.message).toContain(`command ["false"] exiting 0`)

      // Every container these made is gone with its scope.
      const docker = yield* Docker.Docker
      expect(yield* docker.containers.list({ all: true, filters: { label: ["suite=orchestration"] } })).toEqual([])
    }))
})

layer(engine, { timeout: "120 seconds", excludeTestServices: true })("docker-py's run options", (it) => {
  afterAll(() => Effect.runPromise(Effect.provide(sweep, engine)))

  it.scoped("reach the engine as the fields they stand for", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const container = yield* docker.containers.scoped({
        image: "busybox",
        cmd: ["-c", "sleep 3600"],
        entrypoint: ["sh"],
        env: { GREETING: "hi" },
        labels,
        ports: { "8080": null, "9090/tcp": { hostIp: "127.0.0.1", hostPort: 29090 } },
        volumes: ["/tmp:/host-tmp:ro"],
        restartPolicy: { name: "on-failure", maximumRetryCount: 3 },
        user: "1000:1000",
        workingDir: "/tmp",
        memory: 64 * 1024 * 1024,
        cpus: 0.5,
        pidsLimit: 64,
        logConfig: { type: "json-file", config: { "max-size": "1m" } },
        stopTimeout: 0
      })
      // docker-py's get: the engine's data now, not what `scoped` returned.
      const renamed = `effect-docker-test-renamed-${Date.now()}`
      yield* docker.containers.rename(container.Id, { name: renamed })
      const info = yield* docker.containers.get(container.Id)
      expect(info.Name).toBe(`/${renamed}`)
      expect(container.Name).not.toBe(info.Name)
      expect(info.Config?.Entrypoint).toEqual(["sh"])
      expect(info.Config?.Env).toContain("GREETING=hi")
      expect(Object.keys(info.Config?.ExposedPorts ?? {}).sort()).toEqual(["8080/tcp", "9090/tcp"])
      expect(info.HostConfig?.PortBindings?.["9090/tcp"]).toEqual([{ HostIp: "127.0.0.1", HostPort: "29090" }])
      expect(info.HostConfig?.Binds).toEqual(["/tmp:/host-tmp:ro"])
      expect(info.HostConfig?.RestartPolicy).toEqual({ Name: "on-failure", MaximumRetryCount: 3 })
      expect(info.Config?.User).toBe("1000:1000")
      expect(info.Config?.WorkingDir).toBe("/tmp")
      expect(info.HostConfig?.Memory).toBe(64 * 1024 * 1024)
      expect(info.HostConfig?.NanoCpus).toBe(500_000_000)
      expect(info.HostConfig?.PidsLimit).toBe(64)
      expect(info.HostConfig?.LogConfig).toEqual({ Type: "json-file", Config: { "max-size": "1m" } })
      const id = yield* docker.exec.run(container.Id, { cmd: ["id", "-u"] })
      expect(id.stdout.trim()).toBe("1000")
    }))

  it.effect("runStream gives the output while the container runs, and its exit as a typed error", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const firstAt: Array<number> = []
      const started = Date.now()
      const frames = yield* Stream.runCollect(
        docker.containers.runStream({
          image: "busybox",
          cmd: ["sh", "-c", "echo one; sleep 1; echo two"],
          labels,
          remove: true
        }).pipe(Stream.tap(() => Effect.sync(() => void firstAt.push(Date.now() - started))))
      )
      const text = Chunk.toReadonlyArray(frames).map((frame) => new TextDecoder().decode(frame.data)).join("")
      expect(text).toBe("one\ntwo\n")
      // The first line arrived before the container ended.
      expect(firstAt[0]!).toBeLessThan(firstAt.at(-1)! - 500)

      const failed = yield* Effect.flip(Stream.runDrain(docker.containers.runStream({
        image: "busybox",
        cmd: ["sh", "-c", "echo partial; echo broken >&2; exit 4"],
        labels: { ...labels, case: "stream-exit" },
        remove: true
      })))
      expect(failed).toMatchObject({ _tag: "ContainerExitError", exitCode: 4, stderr: "broken\n" })
      yield* sleep(200)
      expect(yield* docker.containers.list({ all: true, filters: { label: ["case=stream-exit"] } })).toEqual([])
    }))
})
