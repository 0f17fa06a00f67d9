import { Docker, Multiplexed } from "@effect-docker/client"
import { afterAll, expect, layer } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import { engineHas, openSockets, scopedContainer, sleep, sweep, testLabel, transports } from "./helpers.js"

const engine = transports()[0].layer
const label = { ...testLabel, suite: "streams" }

/** Lines 1..n, and n..1, as the shell's `seq` writes them. */
const seq = (from: number, to: number) => {
  const lines: Array<string> = []
  for (let i = from; from <= to ? i <= to : i >= to; from <= to ? i++ : i--) lines.push(`${i}\n`)
  return lines.join("")
}

layer(engine, { timeout: "120 seconds" })("streams against the real engine", (it) => {
  afterAll(() => Effect.runPromise(Effect.provide(sweep, engine)))

  it.scoped("follows logs while the container writes, exactly, stdout and stderr apart", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const container = yield* scopedContainer({
        image: "busybox",
        cmd: ["sh", "-c", "seq 1 20000; seq 20000 -1 1 >&2; for i in 1 2 3; do echo tick $i; sleep 0.2; done"],
        labels: label
      })
      const output = yield* Multiplexed.collectText(docker.containers.logStream(container.Id, { follow: true }))
      expect(output.stdout).toBe(seq(1, 20000) + "tick 1\ntick 2\ntick 3\n")
      expect(output.stderr).toBe(seq(20000, 1))
    }))

  it.scoped("ends a follow and an endless event stream when interrupted, leaving no socket open", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const container = yield* scopedContainer({
        image: "busybox",
        cmd: ["sh", "-c", "while true; do echo more; sleep 0.05; done"],
        labels: label
      })
      yield* docker.containers.inspect(container.Id)
      const before = openSockets()
      // Taking what one needs ends the stream and its connection.
      const taken = yield* docker.containers.logStream(container.Id, { follow: true }).pipe(
        Stream.take(5),
        Stream.runCollect
      )
      expect(Chunk.size(taken)).toBe(5)
      // Interrupting follows again and again: a leak would add a socket each time. The pool may
      // keep one fresh idle connection for the next request; nothing more.
      for (let round = 0; round < 10; round++) {
        const fiber = yield* Effect.fork(
          round % 2 === 0
            ? Stream.runDrain(docker.containers.logStream(container.Id, { follow: true }))
            : Stream.runDrain(docker.system.events())
        )
        yield* sleep(150)
        yield* Fiber.interrupt(fiber)
      }
      yield* sleep(300)
      expect(openSockets() - before).toBeLessThanOrEqual(1)
    }))

  it.scoped("streams events: those since a time, and the next one as it happens", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const since = Math.floor(Date.now() / 1000) - 1
      const container = yield* scopedContainer({ image: "busybox", cmd: ["sleep", "60"], labels: label })
      const past = yield* docker.system.events({
        since,
        until: Math.floor(Date.now() / 1000) + 1,
        filters: { type: ["container"], container: [container.Id] }
      }).pipe(Stream.runCollect)
      expect(Chunk.toReadonlyArray(past).map((e) => e.Action)).toEqual(expect.arrayContaining(["create", "start"]))
      const nextDeath = yield* Effect.fork(
        docker.system.events({ filters: { type: ["container"], event: ["die"], container: [container.Id] } }).pipe(
          Stream.runHead
        )
      )
      yield* sleep(300)
      yield* docker.containers.kill(container.Id)
      const died = yield* Fiber.join(nextDeath)
      expect(died._tag === "Some" && died.value.Actor?.ID).toBe(container.Id)
    }))

  it.scoped("gives one stats sample, and a stream of them", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const container = yield* scopedContainer({ image: "busybox", cmd: ["sleep", "60"], labels: label })
      const sample = yield* docker.containers.stats(container.Id, { oneShot: true })
      // Docker 28.5 (API 1.51) sends no `id` and `name` in a one-shot sample; 20.10 does, and both
      // do in a stream.
      expect(sample.id).toBe(engineHas("1.51") ? undefined : container.Id)
      expect(sample.pids_stats?.current).toBe(1)
      const samples = yield* docker.containers.statsStream(container.Id).pipe(Stream.take(2), Stream.runCollect)
      expect(Chunk.toReadonlyArray(samples).map((s) => s.id)).toEqual([container.Id, container.Id])
      expect(Chunk.toReadonlyArray(samples).every((s) => s.cpu_stats?.cpu_usage?.total_usage !== undefined)).toBe(true)
    }))

  it.scoped("runs exec sessions with stdin that half-closes, exact output and exit codes", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const container = yield* scopedContainer({ image: "busybox", cmd: ["sleep", "60"], labels: label })
      const input = seq(1, 50000)
      const echoed = yield* docker.exec.run(container.Id, {
        cmd: ["sh", "-c", "cat; echo done >&2; exit 4"],
        stdin: input
      })
      expect(echoed).toEqual({ exitCode: 4, stdout: input, stderr: "done\n" })
      const tty = yield* docker.exec.run(container.Id, { cmd: ["sh", "-c", "echo on a tty"], tty: true })
      expect(tty).toEqual({ exitCode: 0, stdout: "on a tty\r\n", stderr: "" })
      const session = yield* docker.exec.session(container.Id, { cmd: ["tr", "a-z", "A-Z"], stdin: true })
      yield* session.write("hello ")
      yield* session.write(new TextEncoder().encode("world\n"))
      yield* session.closeStdin
      expect((yield* Multiplexed.collectText(session.output)).stdout).toBe("HELLO WORLD\n")
      expect(yield* session.exitCode).toBe(0)
    }))

  it.scoped("attaches with stdin before start: the container reads it and sees its end", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const created = yield* Effect.acquireRelease(
        docker.containers.create({
          Image: "busybox",
          Cmd: ["sh", "-c", "wc -l; echo bye >&2"],
          OpenStdin: true,
          StdinOnce: true,
          AttachStdin: true,
          Labels: label
        }),
        (c) => Effect.ignore(docker.containers.remove(c.Id, { force: true }))
      )
      const session = yield* docker.containers.attach(created.Id, { stdin: true })
      yield* docker.containers.start(created.Id)
      yield* session.write(seq(1, 1000))
      yield* session.closeStdin
      const output = yield* Multiplexed.collectText(session.output)
      expect(output.stdout.trim()).toBe("1000")
      expect(output.stderr).toBe("bye\n")
      expect((yield* docker.containers.wait(created.Id)).StatusCode).toBe(0)
    }))
})
