import { Docker, DockerError } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import { afterAll, describe, expect, it, layer } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { execFile, execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { env, openSockets, recordingLayer, scopedContainer, sleep, sweep, testLabel } from "./helpers.js"

// Over the plain TCP forward: killing the forward's connection processes is the engine going
// away mid-stream, as a client sees it, while the engine itself stays up for the other tests.
const engine = recordingLayer({ host: env("EFFECT_DOCKER_TEST_TCP") })
const label = { ...testLabel, suite: "faults" }

/** Ends every connection the TCP forward carries now (its forked children); it keeps listening. */
const dropConnections = () => {
  const pid = Fs.readFileSync(Path.join(Path.dirname(env("EFFECT_DOCKER_TEST_SOCKET")), "socat.pid"), "utf8").trim()
  execFileSync("pkill", ["-KILL", "-P", pid])
}

layer(engine, { timeout: "60 seconds" })("an engine that goes away mid-stream", (it) => {
  afterAll(() => Effect.runPromise(Effect.provide(sweep, engine)))

  it.scoped("ends a follow with a typed error within a second, and the next request succeeds", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const container = yield* scopedContainer({
        image: "busybox",
        cmd: ["sh", "-c", "while true; do echo still here; sleep 0.02; done"],
        labels: label
      })
      let frames = 0
      const follow = yield* Effect.fork(
        Stream.runForEach(docker.containers.logStream(container.Id, { follow: true }), () =>
          Effect.sync(() => {
            frames++
          }))
      )
      while (frames < 5) yield* sleep(20)
      const cut = Date.now()
      dropConnections()
      // Never a hang: give up on the stream after 5 seconds, real time.
      const outcome = yield* Effect.raceFirst(
        Effect.map(Effect.flip(Fiber.join(follow)), (error) => ({ error })),
        Effect.as(sleep(5000), "hung" as const)
      )
      const elapsed = Date.now() - cut
      expect(outcome).not.toBe("hung")
      expect(outcome).toMatchObject({ error: { _tag: "DockerConnectionError" } })
      expect(elapsed).toBeLessThan(1000)
      expect(yield* docker.system.ping()).toBe("OK")
      expect((yield* docker.containers.inspect(container.Id)).State?.Running).toBe(true)
    }))

  it.scoped("ends a hijacked session whose connection is cut with DockerConnectionError, not a success", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const container = yield* scopedContainer({ image: "busybox", cmd: ["sleep", "60"], labels: label })
      const session = yield* docker.exec.session(container.Id, {
        cmd: ["sh", "-c", "while true; do echo tick; sleep 0.02; done"]
      })
      let frames = 0
      const output = yield* Effect.fork(Stream.runForEach(session.output, () =>
        Effect.sync(() => {
          frames++
        })))
      while (frames < 5) yield* sleep(20)
      dropConnections()
      const outcome = yield* Effect.raceFirst(
        Effect.either(Fiber.join(output)),
        Effect.as(sleep(5000), "hung" as const)
      )
      expect(outcome).toMatchObject({ _tag: "Left", left: { _tag: "DockerConnectionError" } })
      // The real clock: the end check asks the engine again on Effect's clock (a TestClock here).
    }).pipe(Effect.withClock(Clock.make())))
})

describe("load", () => {
  it.live(
    "10,000 requests at 64 in flight: no error, at most the pool's connections, none left open",
    () =>
      Effect.gen(function*() {
        const before = openSockets()
        let most = 0
        const outcome = yield* Effect.scoped(Effect.gen(function*() {
          const context = yield* Layer.build(
            NodeDocker.layer({ host: `unix://${env("EFFECT_DOCKER_TEST_SOCKET")}`, poolSize: 32 })
          )
          const docker = Context.get(context, Docker.Docker)
          let failures = 0
          let done = 0
          yield* Effect.forEach(
            Array.from({ length: 10_000 }, (_, i) => i),
            (i) =>
              (i % 2 === 0 ? docker.system.ping() : Effect.asVoid(docker.containers.list({ all: true, limit: 5 })))
                .pipe(
                  Effect.tap(() => {
                    done++
                    if (done % 500 === 0) most = Math.max(most, openSockets())
                  }),
                  Effect.catchAll(() => Effect.sync(() => void failures++))
                ),
            { concurrency: 64, discard: true }
          )
          return { failures, done }
        }))
        expect(outcome).toEqual({ failures: 0, done: 10_000 })
        expect(most - before).toBeGreaterThan(0)
        expect(most - before).toBeLessThanOrEqual(32)
        // The layer's scope closed the pool: every connection it opened is closed.
        for (let i = 0; i < 100 && openSockets() > before; i++) yield* sleep(20)
        expect(openSockets()).toBe(before)
      }),
    120_000
  )
})

/** The fault tests' own engine of this kind (scripts/test-engine.sh victim-*), killed and started again. */
const victim = (action: "start" | "kill") =>
  Effect.promise(() =>
    new Promise<string>((resolve, reject) =>
      execFile(
        "bash",
        [
          Path.resolve(import.meta.dirname, "../scripts/test-engine.sh"),
          `victim-${action}`,
          env("EFFECT_DOCKER_TEST_ENGINE")
        ],
        { env: { ...process.env, EFFECT_DOCKER_ENGINE_DIR: env("EFFECT_DOCKER_TEST_STATE_DIR") } },
        (error, stdout, stderr) => (error ? reject(new Error(`victim-${action}: ${stderr}`)) : resolve(stdout.trim()))
      )
    )
  )

/** The outcome of a fiber, or "hung" after 5 seconds of real time. */
const within5s = <A, E>(fiber: Fiber.Fiber<A, E>) =>
  Effect.raceFirst(Effect.either(Fiber.join(fiber)), Effect.as(sleep(5000), "hung" as const))

describe("an engine killed mid-request and mid-stream", () => {
  it.scopedLive(
    "fails both with a typed error within a second; a retried ping succeeds once it is back",
    () =>
      Effect.gen(function*() {
        const socket = yield* Effect.acquireRelease(victim("start"), () => Effect.ignore(victim("kill")))
        const context = yield* Layer.build(NodeDocker.layer({ host: `unix://${socket}`, apiVersion: "1.41" }))
        const docker = Context.get(context, Docker.Docker)
        expect(yield* docker.system.ping()).toBe("OK")

        // In flight when the engine dies: a follow of its events, and a load whose body never ends.
        const events = yield* Effect.fork(Stream.runDrain(docker.system.events()))
        const load = yield* Effect.fork(
          docker.images.load(Stream.concat(Stream.make(new Uint8Array(512)), Stream.never))
        )
        yield* sleep(300)
        const killed = Date.now()
        yield* victim("kill")
        const [streamed, loaded] = yield* Effect.all([within5s(events), within5s(load)], { concurrency: 2 })
        const elapsed = Date.now() - killed
        expect(streamed).toMatchObject({ _tag: "Left", left: { _tag: "DockerConnectionError" } })
        expect(loaded).toMatchObject({ _tag: "Left", left: { _tag: "DockerConnectionError" } })
        expect(elapsed).toBeLessThan(1000)

        // While it is down, a request fails at once, typed, and transient.
        const down = yield* Effect.flip(docker.system.ping())
        expect(down).toMatchObject({ _tag: "DockerConnectionError", reason: "ConnectionRefused" })
        expect(DockerError.isTransient(down)).toBe(true)

        // The documented retry policy: idempotent requests only, while the failure is transient.
        let attempts = 0
        const retried = yield* Effect.fork(
          Effect.suspend(() => {
            attempts++
            return docker.system.ping()
          }).pipe(Effect.retry({
            schedule: Schedule.exponential("100 millis").pipe(Schedule.intersect(Schedule.recurs(9))),
            while: DockerError.isTransient
          }))
        )
        yield* sleep(400)
        yield* victim("start")
        expect(yield* within5s(retried)).toMatchObject({ _tag: "Right", right: "OK" })
        expect(attempts).toBeGreaterThan(1)
      }),
    60_000
  )
})
