import { Docker } from "@effect-docker/client"
import { afterAll, expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { env, recordingLayer, scopedContainer, sleep, sweep, testLabel } from "./helpers.js"

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
})
