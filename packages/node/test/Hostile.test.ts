/**
 * The client against a hostile network: engines that accept and never answer, drip, flood, cut
 * hijacked sessions, or send JSON nested deeper than any stack. Every case ends within a bound,
 * in a typed error, with its socket closed and memory bounded.
 */
import { Docker } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import type * as Net from "node:net"
import { eventually, http, onRequest, pinned, rawServer } from "./support/servers.js"

const json = (body: unknown, headers: Record<string, string> = {}) =>
  http("200 OK", { "Content-Type": "application/json", ...headers }, JSON.stringify(body))

const container = { Id: "c".repeat(64), Config: { Tty: false }, State: { Running: true } }

/** Counts the connections a server saw end. */
const counting = () => {
  const state = { opened: 0, closed: 0 }
  const track = (socket: Net.Socket) => {
    state.opened++
    socket.on("close", () => state.closed++)
  }
  return { state, track }
}

const dockerOn = (path: string, options: NodeDocker.Options = {}) =>
  Effect.map(Layer.build(Layer.provide(Docker.layer, pinned(path, options))), Context.get(Docker.Docker))

const elapsedOf = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const start = Date.now()
    const exit = yield* Effect.exit(effect)
    return { exit, millis: Date.now() - start }
  })

/** The heap and buffers this process holds now, in MiB. */
const residentMiB = () => process.memoryUsage().rss / 1024 / 1024

describe("interruption and timeouts", () => {
  it.scopedLive("a stream still waiting for its headers ends at once when interrupted or timed out", () =>
    Effect.gen(function*() {
      const { state, track } = counting()
      // Inspect answers; logs, events and attach are accepted and never answered.
      const { path } = yield* rawServer(onRequest((socket, head) => {
        track(socket)
        if (head.startsWith("GET /v1.41/containers/") && head.includes("/json")) socket.end(json(container))
      }))
      const docker = yield* dockerOn(path, { requestTimeout: "30 seconds" })
      const logs = yield* elapsedOf(
        Effect.timeout(Stream.runDrain(docker.containers.logStream("c", { follow: true })), "200 millis")
      )
      const events = yield* elapsedOf(Effect.timeout(Stream.runDrain(docker.system.events()), "200 millis"))
      const attach = yield* elapsedOf(Effect.timeout(Effect.scoped(docker.containers.attach("c")), "200 millis"))
      for (
        const { exit, millis } of [logs, events, attach] as Array<{ exit: Exit.Exit<unknown, unknown>; millis: number }>
      ) {
        expect(Exit.isFailure(exit) && Cause.squash(exit.cause)).toMatchObject({ _tag: "TimeoutException" })
        expect(millis).toBeLessThan(2000)
      }
      const fiber = yield* Effect.fork(Stream.runDrain(docker.system.events()))
      yield* eventually(() => state.opened === 6)
      const interrupted = yield* elapsedOf(Fiber.interrupt(fiber))
      expect(interrupted.millis).toBeLessThan(1000)
      // Every unanswered request's socket was closed.
      yield* eventually(() => state.closed === state.opened)
      expect(state.closed).toBe(state.opened)
    }))

  it.scopedLive("200 unanswered streams on a pool of 32 each get a socket, all closed at once on interruption; the pool serves on", () =>
    Effect.gen(function*() {
      const { state, track } = counting()
      const { path } = yield* rawServer(onRequest((socket, head) => {
        track(socket)
        if (head.startsWith("GET /v1.41/containers/json")) socket.end(json([]))
      }))
      const docker = yield* dockerOn(path, { poolSize: 32 })
      const fibers = yield* Effect.forEach(
        Array.from({ length: 200 }),
        () => Effect.fork(Stream.runDrain(docker.system.events())),
        { concurrency: "unbounded" }
      )
      // Streams are not bounded by the pool: none waits behind another for a connection.
      yield* eventually(() => state.opened === 200)
      expect(state.opened).toBe(200)
      const interrupted = yield* elapsedOf(Fiber.interruptAll(fibers))
      expect(interrupted.millis).toBeLessThan(1000)
      yield* eventually(() => state.closed === 200)
      expect(state.closed).toBe(200)
      expect(yield* docker.containers.list()).toEqual([])
    }))

  it.scopedLive("requestTimeout bounds a whole buffered answer, not the gap between its bytes", () =>
    Effect.gen(function*() {
      const { state, track } = counting()
      const { path } = yield* rawServer(onRequest((socket) => {
        track(socket)
        socket.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[")
        const timer = setInterval(() => socket.writable && socket.write(" "), 50)
        socket.on("close", () => clearInterval(timer))
      }))
      const docker = yield* dockerOn(path, { requestTimeout: "500 millis" })
      const { exit, millis } = yield* elapsedOf(docker.containers.list())
      expect(Exit.isFailure(exit) && Cause.squash(exit.cause)).toMatchObject({
        _tag: "DockerTimeoutError",
        phase: "request",
        timeoutMillis: 500
      })
      expect(millis).toBeLessThan(2000)
      yield* eventually(() => state.closed === 1)
      expect(state.closed).toBe(1)
    }))

  it.scopedLive("deadlines of a second or more (one shared timer) fire at their time among answered requests, and after the timer idled", () =>
    Effect.gen(function*() {
      // A list and an event stream are never answered; pings are, at once.
      const { path } = yield* rawServer(onRequest((socket, head) => {
        if (head.startsWith("GET /v1.41/_ping")) socket.end(http("200 OK", { "Content-Type": "text/plain" }, "OK"))
      }))
      const docker = yield* dockerOn(path, { requestTimeout: "1200 millis", poolSize: 4 })
      const unanswered = yield* Effect.fork(Effect.all([
        elapsedOf(Effect.asVoid(docker.containers.list())),
        elapsedOf(Stream.runDrain(docker.system.events())),
        Effect.delay(elapsedOf(Effect.asVoid(docker.containers.list())), "300 millis")
      ], { concurrency: "unbounded" }))
      // Answered requests come and go on the same sweep while the others wait for theirs.
      const pings = yield* Effect.forEach(Array.from({ length: 300 }), () => docker.system.ping(), { concurrency: 3 })
      expect(pings).toHaveLength(300)
      const results = yield* Fiber.join(unanswered)
      for (const [index, { exit, millis }] of results.entries()) {
        expect(Exit.isFailure(exit) && Cause.squash(exit.cause)).toMatchObject({
          _tag: "DockerTimeoutError",
          timeoutMillis: 1200
        })
        // Each from its own start (the last began 300 ms after the others); the sweep runs every 100 ms.
        expect(millis, `request ${index}`).toBeGreaterThanOrEqual(1195)
        expect(millis, `request ${index}`).toBeLessThan(1600)
      }
      // Once the shared timer found nothing pending and stopped, a new request starts it again.
      yield* Effect.sleep("300 millis")
      const again = yield* elapsedOf(docker.containers.list())
      expect(Exit.isFailure(again.exit) && Cause.squash(again.exit.cause)).toMatchObject({ _tag: "DockerTimeoutError" })
      expect(again.millis).toBeLessThan(1600)
    }))

  it.effect("refuses a NaN, negative or malformed timeout when the layer is built", () =>
    Effect.gen(function*() {
      for (
        const options of [
          { requestTimeout: Number.NaN },
          { requestTimeout: -1 },
          { connectTimeout: Number.NaN },
          { connectTimeout: "-5 seconds" as never },
          { requestTimeout: "soon" as never }
        ]
      ) {
        const error = yield* Effect.flip(Layer.build(NodeDocker.layer({ host: "unix:///x.sock", ...options })))
        expect(error._tag, JSON.stringify(options)).toBe("DockerConfigError")
      }
    }).pipe(Effect.scoped))

  it.scopedLive("a stop without a timeout waits for the engine's grace period beyond requestTimeout", () =>
    Effect.gen(function*() {
      const heads: Array<string> = []
      const { path } = yield* rawServer(onRequest((socket, head) => {
        heads.push(head.split("\r\n")[0]!)
        // The engine answers a stop once the container ended: here after 0.8 seconds.
        setTimeout(() => socket.end(http("204 No Content", {}, "")), 800)
      }))
      const docker = yield* dockerOn(path, { requestTimeout: "500 millis" })
      yield* docker.containers.stop("c")
      yield* docker.containers.stop("c", { timeout: "2 seconds" })
      yield* docker.containers.restart("c", { timeout: 1100 })
      expect(heads).toEqual([
        "POST /v1.41/containers/c/stop HTTP/1.1",
        "POST /v1.41/containers/c/stop?t=2 HTTP/1.1",
        "POST /v1.41/containers/c/restart?t=2 HTTP/1.1"
      ])
      const refused = yield* Effect.flip(docker.containers.stop("c", { timeout: Number.NaN }))
      expect(refused).toMatchObject({ _tag: "DockerInputError", reason: "Option", operation: "ContainerStop" })
      expect(heads).toHaveLength(3)
    }))
})

describe("memory stays bounded whatever the engine sends", () => {
  const limits = { bodyBytes: 8 * 1024 * 1024, errorBytes: 64 * 1024, lineBytes: 1024 * 1024, frameBytes: 64 * 1024 }
  const flood = (socket: Net.Socket, head: string) => {
    const chunk = Buffer.alloc(64 * 1024, "x")
    socket.write(head)
    const write = () => {
      while (socket.writable && socket.write(chunk));
    }
    socket.on("drain", write)
    write()
  }

  it.scopedLive("a flooding answer fails with DockerLimitError and its connection closes", () =>
    Effect.gen(function*() {
      const { state, track } = counting()
      const { path } = yield* rawServer(onRequest((socket, head) => {
        track(socket)
        socket.on("error", () => {})
        if (head.includes("/containers/json")) {
          // A buffered answer that claims 2 GiB.
          flood(socket, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2147483648\r\n\r\n")
        } else if (head.includes("/info")) {
          // An endless error body.
          flood(socket, "HTTP/1.1 500 Oops\r\nContent-Type: text/plain\r\nContent-Length: 2147483648\r\n\r\n")
        } else if (head.includes("/events")) {
          // An event line that never ends.
          socket.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
          const chunk = `10000\r\n${"x".repeat(0x10000)}\r\n`
          const write = () => {
            while (socket.writable && socket.write(chunk));
          }
          socket.on("drain", write)
          write()
        } else if (head.includes("/logs")) {
          // A multiplexed error frame that claims 4 GiB.
          socket.write("HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\n\r\n")
          socket.write(Buffer.from([3, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]))
          flood(socket, "")
        } else if (head.includes("/attach")) {
          // A 200 that floods where a 101 was asked for.
          flood(socket, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n")
        } else if (head.includes("/json")) {
          socket.end(json(container))
        }
      }))
      const docker = yield* dockerOn(path, { limits })
      const before = residentMiB()
      const outcomes = [
        yield* Effect.flip(docker.containers.list()),
        yield* Effect.flip(docker.system.info()),
        yield* Effect.flip(Stream.runDrain(docker.system.events())),
        yield* Effect.flip(Stream.runDrain(docker.containers.logStream("c"))),
        yield* Effect.flip(Effect.scoped(docker.containers.attach("c")))
      ]
      expect(outcomes.map((error) => [error._tag, "limit" in error ? error.limit : undefined])).toEqual([
        ["DockerLimitError", "bodyBytes"],
        ["DockerLimitError", "errorBytes"],
        ["DockerLimitError", "lineBytes"],
        ["DockerLimitError", "frameBytes"],
        ["DockerLimitError", "bodyBytes"]
      ])
      // Within the limits and some slack for the socket buffers: not the gigabytes claimed.
      expect(residentMiB() - before).toBeLessThan(150)
      yield* eventually(() => state.closed === state.opened)
      expect(state.closed).toBe(state.opened)
    }))

  it.effect("limits that are not positive integers are refused when the layer is built", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Layer.build(NodeDocker.layer({ host: "unix:///x.sock", apiVersion: "1.41", limits: { lineBytes: 0 } }))
      )
      expect(error).toMatchObject({ _tag: "DockerConfigError", message: expect.stringContaining("lineBytes") })
    }).pipe(Effect.scoped))
})

describe("JSON nested deeper than the stack", () => {
  const depth = 100_000
  const deepArray = "[".repeat(depth) + "]".repeat(depth)
  const deepObject = "{\"a\":".repeat(depth) + "1" + "}".repeat(depth)

  it.scopedLive("is a DockerDecodeError, never a defect, in a list, a label, a path stat header or an event", () =>
    Effect.gen(function*() {
      const { path } = yield* rawServer(onRequest((socket, head) => {
        if (head.includes("/containers/json")) {
          socket.end(http("200 OK", { "Content-Type": "application/json" }, deepArray))
        } else if (head.includes("/archive")) {
          // As deep as fits in the 16 KiB a response head may have.
          const stat = Buffer.from(`{"name":${"[".repeat(5_000)}${"]".repeat(5_000)}}`).toString("base64")
          socket.end(http("200 OK", { "X-Docker-Container-Path-Stat": stat }, ""))
        } else if (head.includes("/events")) {
          socket.end(http("200 OK", { "Content-Type": "application/json" }, deepArray + "\n"))
        } else {
          const body = `{"Id":"c","Config":{"Labels":${deepObject}}}`
          socket.end(http("200 OK", { "Content-Type": "application/json" }, body))
        }
      }))
      const docker = yield* dockerOn(path)
      const exits: Array<Exit.Exit<unknown, unknown>> = [
        yield* Effect.exit(docker.containers.list()),
        yield* Effect.exit(docker.containers.inspect("c")),
        yield* Effect.exit(docker.containers.archiveInfo("c", "/x")),
        yield* Effect.exit(Stream.runDrain(docker.system.events()))
      ]
      const tags = exits.map((exit) =>
        Exit.isFailure(exit) && !Cause.isDie(exit.cause) ? (Cause.squash(exit.cause) as { _tag: string })._tag : exit
      )
      expect(tags).toEqual(["DockerDecodeError", "DockerDecodeError", "DockerDecodeError", "DockerDecodeError"])
    }))
})

describe("a hijacked session whose connection is cut", () => {
  /** An engine with one exec: its start sends `output` and ends the connection; inspect says `running`. */
  const execEngine = (running: boolean) =>
    rawServer(onRequest((socket, head) => {
      if (head.startsWith("POST /v1.41/containers/c/exec")) socket.end(json({ Id: "e1" }))
      else if (head.startsWith("POST /v1.41/exec/e1/start")) {
        socket.write("HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
        socket.end(Buffer.from([1, 0, 0, 0, 0, 0, 0, 3, 104, 105, 10]))
      } else if (head.startsWith("GET /v1.41/exec/e1/json")) {
        socket.end(json({ ID: "e1", Running: running, ExitCode: running ? 0 : 7 }))
      }
    }))

  it.scopedLive("fails with DockerConnectionError when the engine says the process still runs", () =>
    Effect.gen(function*() {
      const { path } = yield* execEngine(true)
      const docker = yield* dockerOn(path)
      const error = yield* Effect.flip(docker.exec.run("c", { cmd: ["cat"] }))
      expect(error).toMatchObject({ _tag: "DockerConnectionError", reason: "ConnectionReset" })
      expect(error.message).toContain("exec e1")
    }))

  it.scopedLive("ends as a success when the process ended, and the exit code is the one the check saw", () =>
    Effect.gen(function*() {
      const { path } = yield* execEngine(false)
      const docker = yield* dockerOn(path)
      const result = yield* docker.exec.run("c", { cmd: ["echo", "hi"] })
      expect(result).toEqual({ exitCode: 7, stdout: "hi\n", stderr: "" })
      const output = yield* Effect.scoped(Effect.flatMap(
        docker.exec.session("c", { cmd: ["echo", "hi"] }),
        (session) => Stream.runCollect(session.output)
      ))
      expect(Chunk.size(output)).toBe(1)
    }))

  it.scopedLive("fails when the engine cannot be asked after the connection ended", () =>
    Effect.gen(function*() {
      const server = yield* rawServer(onRequest((socket, head) => {
        if (head.startsWith("GET /v1.41/containers/c/json")) socket.end(json(container))
        else if (head.startsWith("POST /v1.41/containers/")) {
          socket.write("HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
          // The engine goes away: its listening socket closes with the session.
          server.server.close()
          socket.end()
        }
      }))
      const docker = yield* dockerOn(server.path)
      const error = yield* Effect.flip(
        Effect.scoped(Effect.flatMap(docker.containers.attach("c"), (session) => Stream.runDrain(session.output)))
      )
      expect(error._tag).toBe("DockerConnectionError")
    }))
})
