/**
 * FetchTransport against raw TCP servers that decide every byte, with Node's own fetch and sockets
 * standing in for a runtime's (Bun and Deno run the same code in test/runtimes.test.ts).
 */
import { DockerTransport, FetchTransport } from "@effect-docker/client"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as Net from "node:net"
import { Readable } from "node:stream"

/** A TCP server on loopback; `answer` gets each connection and the head of its first request. */
const server = (answer: (socket: Net.Socket, head: string) => void) =>
  Effect.acquireRelease(
    Effect.async<{ port: number; server: Net.Server; connections: Array<Net.Socket>; closed: Set<Net.Socket> }>(
      (resume) => {
        const connections: Array<Net.Socket> = []
        const closed = new Set<Net.Socket>()
        const server = Net.createServer((socket) => {
          connections.push(socket)
          socket.on("error", () => {})
          socket.once("close", () => closed.add(socket))
          let head = ""
          const onData = (chunk: Buffer) => {
            head += chunk.toString("latin1")
            if (head.includes("\r\n\r\n")) {
              socket.off("data", onData)
              answer(socket, head)
            }
          }
          socket.on("data", onData)
        })
        server.listen(0, "127.0.0.1", () =>
          resume(Effect.succeed({ port: (server.address() as Net.AddressInfo).port, server, connections, closed })))
      }
    ),
    ({ connections, server }) =>
      Effect.async<void>((resume) => {
        for (const socket of connections) {
          socket.destroy()
        }
        server.close(() =>
          resume(Effect.void)
        )
      })
  )

/** Node's fetch and node:net as a runtime's sockets. */
const nodeSockets: FetchTransport.RuntimeSockets = {
  name: "Node (test)",
  fetch: (endpoint) =>
    Effect.succeed((target, init) =>
      fetch(`http://127.0.0.1:${(endpoint.host as { readonly port: number }).port}${target}`, init)
    ),
  connect: (endpoint, signal) =>
    new Promise((resolve, reject) => {
      const socket = Net.connect({ host: "127.0.0.1", port: (endpoint.host as { readonly port: number }).port })
      signal.addEventListener("abort", () => socket.destroy())
      socket.once("error", reject)
      socket.once("connect", () =>
        resolve({
          readable: Readable.toWeb(socket) as ReadableStream<Uint8Array>,
          write: (chunk) =>
            new Promise((done, failed) => socket.write(chunk, (error) => error ? failed(error) : done())),
          closeWrite: () => new Promise((done) => socket.end(() => done())),
          close: () => socket.destroy()
        }))
    })
}

const transport = (port: number, options: FetchTransport.Options = {}) =>
  FetchTransport.make({ host: `tcp://127.0.0.1:${port}`, ...options }, nodeSockets)

const get = (path: string, extra: Partial<DockerTransport.DockerRequest> = {}): DockerTransport.DockerRequest => ({
  method: "GET",
  path,
  query: "",
  headers: {},
  ...extra
})

const reply = (status: string, headers: Record<string, string>, body: string) =>
  `HTTP/1.1 ${status}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n${body}`

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

describe("FetchTransport", () => {
  it.scoped("sends a list header as one line per value and reads the answer", () =>
    Effect.gen(function*() {
      let seen = ""
      const { port } = yield* server((socket, head) => {
        seen = head
        socket.end(reply("200 OK", { "Content-Length": "2", "Api-Version": "1.41" }, "ok"))
      })
      const response = yield* Effect.flatMap(
        transport(port),
        (t) => t.request(get("/v1.41/info", { query: "a=1", headers: { "x-many": ["one", "two"] } }))
      )
      expect(response.status).toBe(200)
      expect(text(response.body)).toBe("ok")
      expect(response.headers["api-version"]).toBe("1.41")
      expect(seen).toMatch(/^GET \/v1\.41\/info\?a=1 HTTP\/1\.1\r\n/)
      // Node's fetch joins a list into one line (which HTTP reads the same); Bun's and Deno's too.
      expect(seen).toMatch(/x-many: one, ?two\r\n/i)
    }))

  it.scoped("ends an answer over its limit, declared or chunked, with DockerLimitError", () =>
    Effect.gen(function*() {
      const { port } = yield* server((socket, head) => {
        if (head.includes("/declared")) socket.end(reply("200 OK", { "Content-Length": "100" }, "x".repeat(100)))
        else {socket.end(
            reply("500 Oops", { "Transfer-Encoding": "chunked" }, "40\r\n" + "y".repeat(64) + "\r\n0\r\n\r\n")
          )}
      })
      const t = yield* transport(port)
      const declared = yield* Effect.flip(t.request(get("/declared", { maxBodyBytes: 10 })))
      expect(declared).toMatchObject({ _tag: "DockerLimitError", limit: "bodyBytes", maxBytes: 10 })
      const chunked = yield* Effect.flip(t.request(get("/chunked", { maxErrorBytes: 16 })))
      expect(chunked).toMatchObject({ _tag: "DockerLimitError", limit: "errorBytes", maxBytes: 16 })
    }))

  it.scoped("fails a request the engine does not answer in time, and aborts it", () =>
    Effect.gen(function*() {
      const asked = new Set<Net.Socket>()
      const { closed, port } = yield* server((socket) => asked.add(socket))
      const t = yield* transport(port, { requestTimeout: "150 millis" })
      const error = yield* Effect.flip(t.request(get("/slow")))
      expect(error).toMatchObject({ _tag: "DockerTimeoutError", phase: "request", timeoutMillis: 150 })
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 100)))
      // The connection the request went on is closed (Node's fetch then opens a spare one).
      expect(asked.size).toBe(1)
      expect([...asked].every((socket) => closed.has(socket))).toBe(true)
    }))

  it.scoped("keeps at most poolSize requests in flight, the rest waiting in order", () =>
    Effect.gen(function*() {
      let inFlight = 0
      let most = 0
      const { port } = yield* server((socket) => {
        most = Math.max(most, ++inFlight)
        setTimeout(() => {
          inFlight--
          socket.end(reply("200 OK", { "Content-Length": "1", "Connection": "close" }, "k"))
        }, 50)
      })
      const t = yield* transport(port, { poolSize: 2 })
      const answers = yield* Effect.forEach(Array.from({ length: 6 }, (_, i) => get(`/n${i}`)), t.request, {
        concurrency: "unbounded"
      })
      expect(answers.map((a) => text(a.body)).join("")).toBe("kkkkkk")
      expect(most).toBe(2)
    }))

  it.scopedLive("streams hold no place in the pool: an interrupted one's connection closes, and follows past poolSize leave requests answered", () =>
    Effect.gen(function*() {
      const { closed, connections, port } = yield* server((socket, head) => {
        if (head.includes("/follow")) {
          socket.write(reply("200 OK", { "Transfer-Encoding": "chunked" }, "3\r\none\r\n"))
        } else if (head.includes("/info")) {
          socket.end(reply("200 OK", { "Content-Length": "2", "Connection": "close" }, "{}"))
        }
      })
      const t = yield* transport(port, { poolSize: 1 })
      const waiting = yield* Effect.fork(Effect.scoped(t.stream(get("/never"))))
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 50)))
      const never = connections[0]!
      yield* Fiber.interrupt(waiting)
      // Three follows on a pool of one, all read at once and none ending.
      let follows = 0
      for (let i = 0; i < 3; i++) {
        yield* Effect.forkScoped(Stream.runForEach(
          Stream.unwrapScoped(Effect.map(t.stream(get("/follow")), (response) => response.body)),
          (chunk) => Effect.sync(() => text(chunk) === "one" && follows++)
        ))
      }
      for (let i = 0; i < 100 && follows < 3; i++) yield* Effect.sleep("10 millis")
      expect(follows).toBe(3)
      const info = yield* t.request(get("/info"))
      expect(text(info.body)).toBe("{}")
      expect(closed.has(never)).toBe(true)
    }))

  it.scoped("hijacks after a 101: bytes sent with it first, stdin written and half-closed, output to the end", () =>
    Effect.gen(function*() {
      let received = ""
      const { port } = yield* server((socket) => {
        socket.write(reply("101 UPGRADED", { "Connection": "Upgrade", "Upgrade": "tcp" }, "early "))
        socket.on("data", (chunk: Buffer) => (received += chunk.toString()))
        socket.once("end", () => socket.end(`late after ${received.length} bytes`))
      })
      const t = yield* transport(port)
      const result = yield* t.upgrade(get("/attach", { method: "POST", body: new TextEncoder().encode("{}") }))
      expect(DockerTransport.isUpgraded(result)).toBe(true)
      if (!DockerTransport.isUpgraded(result)) return
      expect(result.status).toBe(101)
      yield* result.write(new TextEncoder().encode("input line\n"))
      yield* result.closeWrite
      const output = yield* Stream.runCollect(result.output)
      expect(Chunk.toReadonlyArray(output).map(text).join("")).toBe("early late after 11 bytes")
      expect(received).toBe("input line\n")
    }))

  it.scoped("reads a refused upgrade's chunked answer; fails garbage with InvalidResponse and silence in time", () =>
    Effect.gen(function*() {
      const { port } = yield* server((socket, head) => {
        if (head.includes("/missing")) {
          socket.end(
            reply("404 Not Found", { "Transfer-Encoding": "chunked" }, "5\r\nno su\r\n8\r\nch thing\r\n0\r\n\r\n")
          )
        } else if (head.includes("/garbage")) socket.end("SSH-2.0-OpenSSH\r\n\r\n")
      })
      const t = yield* transport(port, { requestTimeout: "200 millis" })
      const refused = yield* t.upgrade(get("/missing", { method: "POST" }))
      expect(DockerTransport.isUpgraded(refused)).toBe(false)
      expect(refused.status).toBe(404)
      if (!DockerTransport.isUpgraded(refused)) expect(text(refused.body)).toBe("no such thing")
      const garbage = yield* Effect.flip(t.upgrade(get("/garbage", { method: "POST" })))
      expect(garbage).toMatchObject({ _tag: "DockerConnectionError", reason: "InvalidResponse" })
      const silent = yield* Effect.flip(t.upgrade(get("/silent", { method: "POST" })))
      expect(silent).toMatchObject({ _tag: "DockerTimeoutError", phase: "request", timeoutMillis: 200 })
    }))

  it("reads what a failed connection means from Node's, Bun's and Deno's errors", () => {
    const unix = {
      host: { _tag: "Unix", socketPath: "/run/x.sock", raw: "unix:///run/x.sock" },
      tls: undefined
    } as const
    const tcp = {
      host: { _tag: "Tcp", hostname: "10.0.0.1", port: 2376, tls: true, raw: "tcp://10.0.0.1:2376" },
      tls: {}
    } as const
    const reason = (endpoint: FetchTransport.Endpoint, error: unknown) => {
      const failure = FetchTransport.connectionError(endpoint, error)
      return failure._tag === "DockerConnectionError" ? failure.reason : failure._tag
    }
    expect(reason(unix, Object.assign(new Error("Failed to connect"), { code: "ENOENT" }))).toBe("SocketNotFound")
    expect(
      reason(
        unix,
        new TypeError("error sending request: client error (Connect): No such file or directory (os error 2)")
      )
    ).toBe("SocketNotFound")
    expect(reason(tcp, Object.assign(new Error("refused"), { name: "ConnectionRefused" }))).toBe("ConnectionRefused")
    expect(reason(tcp, new TypeError("fetch failed", { cause: new Error("invalid peer certificate: UnknownIssuer") })))
      .toBe("Tls")
    expect(reason(tcp, Object.assign(new Error("x"), { code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" }))).toBe("Tls")
    expect(reason(tcp, Object.assign(new Error("reset"), { code: "ECONNRESET" }))).toBe("ConnectionReset")
    const denied = FetchTransport.connectionError(
      tcp,
      Object.assign(new Error("Requires net access to \"10.0.0.1:2376\", run again with the --allow-net flag"), {
        name: "NotCapable"
      })
    )
    expect(denied._tag === "DockerConnectionError" && denied.reason).toBe("PermissionDenied")
    expect(denied.message).toContain("--allow-net")
    expect(FetchTransport.connectionError(unix, new Error("x")).message).toContain("/run/x.sock")
  })

  it.effect("refuses what the endpoint cannot be: ssh://, TLS on a socket or on http://", () =>
    Effect.gen(function*() {
      const ssh = yield* Effect.either(FetchTransport.endpoint({ host: "ssh://me@host" }))
      expect(Either.isLeft(ssh) && ssh.left.message).toContain("@effect-docker/node")
      const socket = yield* Effect.either(FetchTransport.endpoint({ host: "unix:///x.sock", tls: true }))
      expect(Either.isLeft(socket) && socket.left.message).toContain("is a Unix socket")
      const plain = yield* Effect.either(FetchTransport.endpoint({ host: "http://h:1", tls: true }))
      expect(Either.isLeft(plain) && plain.left.message).toContain("plain http://")
      const tls = yield* FetchTransport.endpoint({ host: "tcp://h:2376", tls: { verify: false } })
      expect(tls.tls).toEqual({ verify: false })
    }))
})
