/**
 * The connections of streamed answers (internal/streamClient.ts) against raw servers: when one is
 * kept for the next stream and when it is not, the resend of a GET on a connection the engine
 * closed while it idled, request bodies with backpressure, and the transport's close.
 */
import { DockerEngine, EnginePath } from "@effect-docker/client"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Net from "node:net"
import { engineOn, eventually, pinned, rawServer } from "./support/servers.js"

/**
 * A server that reads requests without bodies one after another on each connection, and lets
 * `answer` write each answer. Counts connections and keeps each request's line.
 */
const keptAliveServer = (answer: (socket: Net.Socket, requestLine: string, nth: number) => void) =>
  Effect.gen(function*() {
    const seen = { connections: 0, open: 0, requests: [] as Array<string> }
    const server = yield* rawServer((socket) => {
      seen.connections++
      seen.open++
      socket.on("close", () => seen.open--)
      socket.on("error", () => {})
      let buffered = ""
      let nth = 0
      socket.on("data", (chunk) => {
        buffered += chunk.toString("latin1")
        for (let end = buffered.indexOf("\r\n\r\n"); end !== -1; end = buffered.indexOf("\r\n\r\n")) {
          const requestLine = buffered.slice(0, buffered.indexOf("\r\n"))
          buffered = buffered.slice(end + 4)
          seen.requests.push(requestLine)
          answer(socket, requestLine, nth++)
        }
      })
    })
    return { ...server, seen }
  })

const chunked = (text: string) =>
  `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${text.length.toString(16)}\r\n${text}\r\n0\r\n\r\n`

const read = (engine: DockerEngine.DockerEngine["Type"], method: "GET" | "POST" = "GET") =>
  Effect.scoped(Effect.flatMap(
    engine.stream({ method, path: EnginePath.make`/events` }),
    (response) => Effect.map(DockerEngine.collect(response.body), (bytes) => new TextDecoder().decode(bytes))
  ))

describe("streamed answers on connections of their own", () => {
  it.scopedLive("a connection whose answer ended at its framing carries the next stream; concurrent streams get one each", () =>
    Effect.gen(function*() {
      const { path, seen } = yield* keptAliveServer((socket, _, nth) => socket.write(chunked(`answer ${nth}`)))
      const engine = yield* engineOn(path)
      const texts: Array<string> = []
      for (let i = 0; i < 5; i++) texts.push(yield* read(engine))
      expect(texts).toEqual(["answer 0", "answer 1", "answer 2", "answer 3", "answer 4"])
      expect(seen.connections).toBe(1)
      const together = yield* Effect.all([read(engine), read(engine), read(engine)], { concurrency: "unbounded" })
      expect(together).toHaveLength(3)
      // The idle connection went to one of the three; the others needed their own.
      expect(seen.connections).toBe(3)
    }))

  it.scopedLive("an idle connection does not keep the process alive; one carrying a stream does", () =>
    Effect.gen(function*() {
      const { path, seen } = yield* keptAliveServer((socket, requestLine) => {
        socket.unref() // the server's side is not what is measured
        if (requestLine.includes("/follow")) {
          socket.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n")
        } else socket.write(chunked("done"))
      })
      const engine = yield* engineOn(path)
      // Handles that hold the event loop open: Node lists only the ref'd ones.
      const holding = () => process.getActiveResourcesInfo().filter((name) => name === "PipeWrap").length
      expect(yield* read(engine)).toBe("done")
      expect(seen.open).toBe(1)
      yield* Effect.sleep("100 millis") // what earlier tests closed is gone
      const idle = holding()
      yield* Effect.scoped(Effect.gen(function*() {
        const follow = yield* engine.stream({ method: "GET", path: EnginePath.make`/follow` })
        yield* Stream.runCollect(Stream.take(follow.body, 1))
        // The same connection, now carrying a stream, holds the process.
        expect(seen.connections).toBe(1)
        expect(holding()).toBe(idle + 1)
      }))
    }))

  it.scopedLive("no connection is kept after Connection: close, a body run to the close, or a stream left before its end", () =>
    Effect.gen(function*() {
      const { path, seen } = yield* keptAliveServer((socket, requestLine) => {
        if (requestLine.includes("/close")) {
          socket.write("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok")
        } else if (requestLine.includes("/untilEnd")) {
          socket.end("HTTP/1.1 200 OK\r\n\r\nall of it")
        } else {
          // A follow: it never ends by itself.
          socket.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
        }
      })
      const engine = yield* engineOn(path)
      const get = (path: string) =>
        Effect.scoped(Effect.flatMap(
          engine.stream({ method: "GET", path: { encoded: path, invalid: undefined } }),
          (response) => Stream.runCollect(Stream.take(Stream.decodeText(response.body), 1))
        ))
      expect(Array.from(yield* get("/close"))).toEqual(["ok"])
      expect(Array.from(yield* get("/untilEnd"))).toEqual(["all of it"])
      expect(Array.from(yield* get("/follow"))).toEqual(["hello"])
      expect(Array.from(yield* get("/close"))).toEqual(["ok"])
      expect(seen.connections).toBe(4)
      yield* eventually(() => seen.open === 0)
      expect(seen.open).toBe(0)
    }))

  it.scopedLive("a GET is sent again when its idle connection was closed by the engine, a POST never", () =>
    Effect.gen(function*() {
      // Each connection answers its first request and drops at its second: a connection the
      // engine closed while it idled, seen only when the next request is written on it.
      const { path, seen } = yield* keptAliveServer((socket, _, nth) =>
        nth === 0 ? socket.write(chunked("first")) : socket.destroy()
      )
      const engine = yield* engineOn(path)
      expect(yield* read(engine)).toBe("first")
      expect(yield* read(engine)).toBe("first")
      // The second GET was written on the first connection, then again on a second one.
      expect(seen.requests.filter((line) => line.startsWith("GET"))).toHaveLength(3)
      expect(seen.connections).toBe(2)
      const error = yield* Effect.flip(read(engine, "POST"))
      expect(error).toMatchObject({ _tag: "DockerConnectionError", reason: "ConnectionReset" })
      expect(seen.requests.filter((line) => line.startsWith("POST"))).toHaveLength(1)
    }))

  it.scopedLive("a GET whose new connection breaks fails, and is not sent again", () =>
    Effect.gen(function*() {
      const { path, seen } = yield* keptAliveServer((socket) => socket.destroy())
      const engine = yield* engineOn(path)
      const error = yield* Effect.flip(read(engine))
      expect(error).toMatchObject({ _tag: "DockerConnectionError", reason: "ConnectionReset" })
      expect(seen.requests).toHaveLength(1)
    }))

  it.scopedLive("a Stream request body is written as it is pulled, no faster than the engine reads", () =>
    Effect.gen(function*() {
      const chunk = new Uint8Array(64 * 1024).fill(7)
      const total = 512
      let pulled = 0
      let received = 0
      let sockets: Net.Socket | undefined
      const { path } = yield* rawServer((socket) => {
        sockets = socket
        socket.pause() // the engine does not read yet
        socket.on("data", (data) => {
          received += data.length
          if (data.subarray(-5).toString() === "0\r\n\r\n") socket.end(chunked("built"))
        })
      })
      const engine = yield* engineOn(path)
      const body = Stream.repeatEffect(Effect.sync(() => (pulled++, chunk))).pipe(Stream.take(total))
      const answer = yield* Effect.fork(Effect.scoped(Effect.flatMap(
        engine.stream({ method: "POST", path: EnginePath.make`/build`, body }),
        (response) => DockerEngine.collect(response.body)
      )))
      yield* eventually(() => sockets !== undefined && pulled > 0)
      yield* Effect.sleep("200 millis")
      // The kernel's buffers hold a few MiB at most: the writer waits for them to drain.
      expect(pulled).toBeGreaterThan(0)
      expect(pulled).toBeLessThan(total / 2)
      sockets!.resume()
      const bytes = yield* Fiber.join(answer)
      expect(new TextDecoder().decode(bytes)).toBe("built")
      expect(pulled).toBe(total)
      expect(received).toBeGreaterThan(total * chunk.length)
    }))

  it.scopedLive("a Stream request body that fails ends the request with RequestBody and closes its connection, streamed or buffered", () =>
    Effect.gen(function*() {
      let closed = false
      const { path } = yield* rawServer((socket) => {
        socket.on("error", () => {})
        socket.on("close", () => closed = true)
      })
      const engine = yield* engineOn(path)
      const body = Stream.concat(
        Stream.make(new Uint8Array([1, 2, 3])),
        Stream.fail(new Error("the tar is unreadable"))
      )
      const request = { method: "POST" as const, path: EnginePath.make`/build`, body }
      const error = yield* Effect.flip(Effect.scoped(engine.stream(request)))
      expect(error).toMatchObject({ _tag: "DockerConnectionError", reason: "RequestBody" })
      expect(error.message).toContain("the tar is unreadable")
      yield* eventually(() => closed)
      expect(closed).toBe(true)
      // A buffered request on undici's pool says the same.
      const buffered = yield* Effect.flip(engine.request(request))
      expect(buffered).toMatchObject({ _tag: "DockerConnectionError", reason: "RequestBody" })
      expect(buffered.message).toContain("the tar is unreadable")
    }))

  it.scopedLive("closing the transport fails the streams still reading and closes every connection, idle ones too", () =>
    Effect.gen(function*() {
      const { path, seen } = yield* keptAliveServer((socket, requestLine) =>
        requestLine.includes("/follow")
          ? socket.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
          : socket.write(chunked("done"))
      )
      const scope = yield* Scope.make()
      const engine = yield* Effect.map(
        Layer.buildWithScope(pinned(path), scope),
        (context) => context.unsafeMap.get(DockerEngine.DockerEngine.key) as DockerEngine.DockerEngine["Type"]
      )
      // Two connections left idle: the follow takes one, the other waits.
      expect(yield* Effect.all([read(engine), read(engine)], { concurrency: "unbounded" })).toEqual(["done", "done"])
      const follow = yield* Effect.fork(Effect.scoped(Effect.flatMap(
        engine.stream({ method: "GET", path: EnginePath.make`/follow` }),
        (response) => Stream.runDrain(response.body)
      )))
      yield* eventually(() => seen.open === 2)
      expect(seen.open).toBe(2)
      yield* Scope.close(scope, Exit.void)
      const exit = yield* Fiber.await(follow)
      expect(Exit.isFailure(exit) && exit.cause).toBeTruthy()
      expect(Exit.isFailure(exit) ? JSON.stringify(exit.cause) : "").toContain("ConnectionReset")
      yield* eventually(() => seen.open === 0)
      expect(seen.open).toBe(0)
      const after = yield* Effect.flip(read(engine))
      expect(after).toMatchObject({ _tag: "DockerConnectionError" })
    }))

  it.scopedLive("a stream that waits for its headers past requestTimeout fails with DockerTimeoutError and frees its socket", () =>
    Effect.gen(function*() {
      const { path, seen } = yield* keptAliveServer(() => {})
      const engine = yield* engineOn(path, { requestTimeout: "300 millis" })
      const error = yield* Effect.flip(read(engine))
      expect(error).toMatchObject({ _tag: "DockerTimeoutError", phase: "request", timeoutMillis: 300 })
      yield* eventually(() => seen.open === 0)
      expect(seen.open).toBe(0)
    }))
})
