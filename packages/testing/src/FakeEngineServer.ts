/**
 * Serves a {@link FakeEngine} over HTTP on a Unix socket or a loopback TCP port, for clients in
 * other processes: the docker CLI, docker-py, another program's test. Node.js only.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FakeEngine, FakeEngineServer } from "@effect-docker/testing"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const server = yield* FakeEngineServer.serve(FakeEngine.make(), "unix:///tmp/fake.sock")
 *   // DOCKER_HOST=unix:///tmp/fake.sock docker ps -a
 * }))
 * ```
 *
 * @since 0.1.0
 */
import { DockerConfigError } from "@effect-docker/client/DockerError"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Fs from "node:fs"
import * as Http from "node:http"
import type * as Net from "node:net"
import type { FakeEngine } from "./FakeEngine.js"
import type { RecordedRequest, Reply } from "./MockTransport.js"

/**
 * A running server.
 *
 * @since 0.1.0
 * @category models
 */
export interface FakeEngineServer {
  /** Where it listens, as a `DOCKER_HOST` value (`unix:///...` or `tcp://127.0.0.1:PORT`). */
  readonly host: string
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

const readBody = (request: Http.IncomingMessage) =>
  new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.once("end", () => resolve(Buffer.concat(chunks)))
    request.once("error", reject)
  })

const record = (request: Http.IncomingMessage, body: Uint8Array): RecordedRequest => {
  const url = new URL(request.url ?? "/", "http://fake")
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value
  }
  return {
    method: (request.method ?? "GET") as RecordedRequest["method"],
    path: url.pathname,
    query: url.searchParams,
    headers,
    body,
    text: decoder.decode(body),
    written: [],
    writeClosed: { value: false }
  }
}

/** `unix:///path` or `tcp://host:port`, where port 0 asks for a free one (which a client's host cannot). */
const listenAddress = (listen: string) => {
  const refuse = new DockerConfigError({
    message: `the fake engine listens on unix:///path or tcp://host:port, not ${listen}`
  })
  if (listen.startsWith("unix://")) {
    const socketPath = listen.slice("unix://".length)
    return socketPath === "" ? Effect.fail(refuse) : Effect.succeed({ _tag: "Unix" as const, socketPath })
  }
  const url = URL.canParse(listen) ? new URL(listen) : undefined
  if (url?.protocol !== "tcp:" || (url.port === "" && !listen.endsWith(":0"))) return Effect.fail(refuse)
  return Effect.succeed({
    _tag: "Tcp" as const,
    hostname: url.hostname.replace(/^\[|\]$/g, ""),
    port: Number(url.port || 0)
  })
}

const bytesOf = (body: string | Uint8Array) => typeof body === "string" ? encoder.encode(body) : body

/**
 * Serves `engine` at `listen` (`unix:///path` or `tcp://127.0.0.1:PORT`; port 0 picks a free one)
 * until the scope closes; a socket file left by an earlier run is replaced.
 *
 * @since 0.1.0
 * @category constructors
 */
export const serve = (
  engine: FakeEngine,
  listen: string
): Effect.Effect<FakeEngineServer, DockerConfigError, Scope.Scope> =>
  Effect.gen(function*() {
    const target = yield* listenAddress(listen)
    const runtime = yield* Effect.runtime<never>()
    const run = <A>(effect: Effect.Effect<A>) => Effect.runFork(Effect.provide(effect, runtime))
    const sockets = new Set<Net.Socket>()
    const engineHeaders = engine.headers

    /** Answers one request: the handler's reply, its body streamed with backpressure. */
    const answer = (entry: RecordedRequest) => {
      const result = engine.handle(entry)
      return (Effect.isEffect(result) ? result : Effect.succeed(result)).pipe(
        Effect.orDie,
        Effect.map((reply): Reply =>
          reply ??
            { status: 404, headers: { "Content-Type": "application/json" }, body: "{\"message\":\"page not found\"}" }
        )
      )
    }

    const server = Http.createServer((request, response) => {
      const fiber = run(Effect.gen(function*() {
        const body = yield* Effect.promise(() => readBody(request))
        const reply = yield* answer(record(request, body))
        const headers = { ...engineHeaders, ...reply.headers }
        if (reply.body === undefined || typeof reply.body === "string" || reply.body instanceof Uint8Array) {
          const bytes = reply.body === undefined ? new Uint8Array(0) : bytesOf(reply.body)
          response.writeHead(reply.status, { ...headers, "Content-Length": String(bytes.length) })
          response.end(bytes)
          return
        }
        response.writeHead(reply.status, headers)
        response.flushHeaders()
        yield* Stream.runForEach(reply.body, (chunk) =>
          Effect.async<void>((resume) => {
            if (response.write(chunk)) resume(Effect.void)
            else response.once("drain", () => resume(Effect.void))
          }))
        response.end()
      }))
      // A client that goes away ends a follow or an event stream.
      response.once("close", () => run(Fiber.interrupt(fiber)))
      fiber.addObserver((exit) => {
        if (Exit.isFailure(exit) && !Exit.isInterrupted(exit) && !response.headersSent) {
          response.writeHead(500, { ...engineHeaders, "Content-Type": "application/json" })
          response.end(JSON.stringify({ message: "the fake engine failed" }))
        }
      })
    })

    // Attach and exec: the engine answers 101 and the connection carries raw bytes both ways.
    server.on("upgrade", (request: Http.IncomingMessage, socket: Net.Socket, head: Buffer) => {
      const entry = record(request, head)
      socket.on("data", (chunk: Buffer) => entry.written.push(new Uint8Array(chunk)))
      socket.once("end", () => {
        entry.writeClosed.value = true
      })
      socket.on("error", () => socket.destroy())
      run(Effect.gen(function*() {
        const reply = yield* answer(entry)
        const lines = (status: string, headers: Record<string, string>) =>
          `HTTP/1.1 ${status}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join("\r\n")}\r\n\r\n`
        if (reply.hijack !== true) {
          const bytes =
            reply.body === undefined || !(typeof reply.body === "string" || reply.body instanceof Uint8Array)
              ? new Uint8Array(0)
              : bytesOf(reply.body)
          socket.end(
            lines(`${reply.status} ${Http.STATUS_CODES[reply.status] ?? ""}`, {
              ...engineHeaders,
              ...reply.headers,
              "Content-Length": String(bytes.length)
            }) + decoder.decode(bytes)
          )
          return
        }
        socket.write(
          lines("101 UPGRADED", { ...engineHeaders, ...reply.headers, "Connection": "Upgrade", "Upgrade": "tcp" })
        )
        const output = reply.body === undefined
          ? Stream.empty
          : typeof reply.body === "string" || reply.body instanceof Uint8Array
          ? Stream.succeed(bytesOf(reply.body))
          : reply.body
        yield* Stream.runForEach(output, (chunk) => Effect.sync(() => socket.write(chunk)))
        socket.end()
      }))
    })

    server.on("connection", (socket: Net.Socket) => {
      sockets.add(socket)
      socket.once("close", () => sockets.delete(socket))
    })

    yield* Effect.acquireRelease(
      Effect.async<void, DockerConfigError>((resume) => {
        const failed = (error: Error) =>
          resume(
            Effect.fail(
              new DockerConfigError({ message: `the fake engine cannot listen on ${listen}: ${error.message}` })
            )
          )
        server.once("error", failed)
        const listening = () => {
          server.off("error", failed)
          resume(Effect.void)
        }
        if (target._tag === "Unix") {
          Fs.rmSync(target.socketPath, { force: true })
          server.listen(target.socketPath, listening)
        } else {
          server.listen(target.port, target.hostname, listening)
        }
      }),
      () =>
        Effect.async<void>((resume) => {
          for (const socket of sockets) socket.destroy()
          server.close(() => resume(Effect.void))
        })
    )
    const address = server.address()
    const host = target._tag === "Unix"
      ? `unix://${target.socketPath}`
      : `tcp://${target.hostname}:${typeof address === "object" && address !== null ? address.port : target.port}`
    return { host }
  })
