/**
 * Streamed answers (logs, events, exports, archives, pulls, builds) on connections of their own,
 * spoken with ./http1.ts: the body goes from the socket's buffers to an {@link Inbox} without a
 * copy, and backpressure pauses the socket. A connection whose answer ended at its framing waits,
 * unref'd, for the next stream, as undici's pool did; buffered requests stay on undici's pool.
 */
import {
  type DockerRequest,
  type DockerStreamResponse,
  isTransportError,
  requestTarget,
  type TransportError
} from "@effect-docker/client/DockerTransport"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as Runtime from "effect/Runtime"
import * as Stream from "effect/Stream"
import * as Net from "node:net"
import * as Tls from "node:tls"
import * as Deadline from "./deadline.js"
import { type Endpoint, requestBodyError, tlsConnectOptions } from "./endpoint.js"
import { requestHead, type ResponseHead, ResponseParser } from "./http1.js"
import { flowWindowMs, Inbox } from "./inbox.js"

/** How long a connection waits for the next stream before it closes, as undici's pool here. */
const idleMillis = 30_000

/** The answer as the transport hands it on: `close` ends it early and frees the socket. */
export type StreamAnswer = DockerStreamResponse & { readonly close: Effect.Effect<void> }

const socketError = (message: string) => Object.assign(new Error(message), { code: "UND_ERR_SOCKET" })

/** A connection to the engine, and the exchange that owns it now; none while it idles. */
class Connection {
  owner: Exchange | undefined
  /** Answers this connection carried: one that breaks before its first never carried a request. */
  answers = 0
  connected = false
  constructor(readonly socket: Net.Socket, private readonly forget: (connection: Connection) => void) {
    socket.setNoDelay(true)
    socket.once(socket instanceof Tls.TLSSocket ? "secureConnect" : "connect", () => {
      this.connected = true
      this.owner?.onConnect()
    })
    socket.on("data", (chunk: Buffer) => this.owner !== undefined ? this.owner.onData(chunk) : socket.destroy())
    socket.on("end", () => this.owner !== undefined ? this.owner.onEnd() : socket.destroy())
    socket.on("error", (error) => this.owner?.onError(error))
    socket.once("close", () => {
      this.forget(this)
      this.owner?.onError(socketError("the engine closed the connection before its answer ended"))
    })
    socket.on("timeout", () => this.owner === undefined && socket.destroy())
  }
}

/**
 * The connections of streamed answers to one endpoint. Each stream has a connection to itself
 * while it lasts; at most `maxIdle` finished ones wait for the next.
 */
export class StreamClient {
  private readonly idle: Array<Connection> = []
  private readonly all = new Set<Connection>()
  closed = false
  /** The value of the `host` header: what undici sent for the same endpoint. */
  readonly hostHeader: string
  constructor(
    private readonly endpoint: Endpoint,
    readonly connectTimeout: number,
    private readonly maxIdle: number,
    private readonly runtime: Runtime.Runtime<never>
  ) {
    const { host } = endpoint
    this.hostHeader = host._tag !== "Tcp"
      ? "localhost"
      : `${host.hostname.includes(":") ? `[${host.hostname}]` : host.hostname}:${host.port}`
  }

  /**
   * Sends `request`; `resume` gets the answer at its headers, or the failure. `timeoutMillis`
   * bounds the wait for the headers (0: none). Returns the cancel of a request whose headers
   * have not arrived.
   */
  send(
    request: DockerRequest,
    timeoutMillis: number,
    failure: (error: unknown) => TransportError,
    resume: (outcome: Effect.Effect<StreamAnswer, TransportError>) => void
  ): Exchange {
    const exchange = new Exchange(this, request, failure, resume, timeoutMillis)
    if (this.closed) exchange.onError(Object.assign(new Error("the transport is closed"), { code: "UND_ERR_CLOSED" }))
    else exchange.attach(this.acquire())
    return exchange
  }

  /** The most recently idled live connection, else a new one. */
  acquire(): Connection {
    for (let connection = this.idle.pop(); connection !== undefined; connection = this.idle.pop()) {
      if (!connection.socket.destroyed) return connection
    }
    const connection = new Connection(this.connect(), this.forgetConnection)
    this.all.add(connection)
    return connection
  }

  /** Takes back a connection whose answer ended at its framing. */
  release(connection: Connection) {
    connection.owner = undefined
    connection.answers++
    const { socket } = connection
    if (this.closed || this.idle.length >= this.maxIdle) return void socket.destroy()
    // Idle: read on, so that the engine's close is seen, and let the process exit.
    socket.resume()
    socket.setTimeout(idleMillis)
    socket.unref()
    this.idle.push(connection)
  }

  /** Closes every connection; the streams still reading fail with ConnectionReset. */
  close() {
    this.closed = true
    for (const connection of this.all) connection.socket.destroy()
  }

  runFork<A, E>(effect: Effect.Effect<A, E>) {
    return Runtime.runFork(this.runtime)(effect)
  }

  private readonly forgetConnection = (connection: Connection) => {
    this.all.delete(connection)
    const at = this.idle.indexOf(connection)
    if (at !== -1) this.idle.splice(at, 1)
  }

  private connect(): Net.Socket {
    const { host, tls } = this.endpoint
    if (host._tag === "Unix") return Net.connect({ path: host.socketPath })
    if (tls === undefined) return Net.connect({ host: host.hostname, port: host.port })
    return Tls.connect({ host: host.hostname, port: host.port, ...tlsConnectOptions(tls) })
  }
}

/**
 * One request and its answer. Until the headers, a deadline bounds the wait and {@link cancel}
 * ends it at once, connecting or sent and unanswered. A GET or HEAD without a body whose
 * kept-alive connection breaks before any byte of the answer is sent again on another: the
 * engine closed it while it idled (the Go SDK does the same); a new connection that breaks is
 * the engine's failure.
 */
class Exchange {
  private connection: Connection | undefined
  private parser: ResponseParser | undefined
  private inbox: Inbox<TransportError> | undefined
  private socketPaused = false
  private bodyEnded = false
  private bodyWritten = false
  private writer: Fiber.RuntimeFiber<void, unknown> | undefined
  /** The answer ended, failed, was cancelled or closed: nothing more happens. */
  private over = false
  private readonly deadline: Deadline.Deadline | undefined
  private connectDeadline: Deadline.Deadline | undefined
  constructor(
    private readonly client: StreamClient,
    private readonly request: DockerRequest,
    private readonly failure: (error: unknown) => TransportError,
    private resume: ((outcome: Effect.Effect<StreamAnswer, TransportError>) => void) | undefined,
    timeoutMillis: number
  ) {
    this.deadline = Deadline.start(
      timeoutMillis,
      () => this.cancel(Object.assign(new Error("no answer in time"), { code: "UND_ERR_HEADERS_TIMEOUT" }))
    )
  }

  attach(connection: Connection) {
    this.connection = connection
    connection.owner = this
    const { socket } = connection
    socket.ref()
    socket.setTimeout(0)
    this.parser = new ResponseParser(this.request.method, this.onHead, this.onBodyData, this.onBodyEnd)
    if (!connection.connected) {
      this.connectDeadline = Deadline.start(
        this.client.connectTimeout,
        () => this.onError(Object.assign(new Error("connect timed out"), { code: "UND_ERR_CONNECT_TIMEOUT" }))
      )
    }
    // Written at once: a socket holds what is written before it connects.
    this.write(socket)
  }

  onConnect() {
    Deadline.clear(this.connectDeadline)
  }

  /** Ends the request before its headers (interruption, timeout); a no-op once they arrived. */
  cancel(reason: Error = new Error("interrupted")) {
    if (this.inbox !== undefined || this.over) return
    this.finish(false)
    this.answer(Effect.fail(this.failure(reason)))
  }

  onData(chunk: Buffer) {
    try {
      this.parser!.feed(chunk)
    } catch (error) {
      if (this.bodyEnded) this.connection?.socket.destroy()
      return this.onError(error as Error)
    }
    if (this.bodyEnded) this.finish(this.parser!.reusable && this.bodyWritten)
  }

  onEnd() {
    try {
      this.parser!.end()
    } catch (error) {
      return this.onError(error as Error)
    }
    if (this.bodyEnded) this.finish(false)
  }

  onError(error: Error) {
    if (this.over) return
    const connection = this.connection
    if (connection !== undefined && !this.client.closed && this.resendable(connection)) {
      connection.owner = undefined
      connection.socket.destroy()
      return this.attach(this.client.acquire())
    }
    this.finish(false)
    const failure = isTransportError(error) ? error : this.failure(error)
    // Before the headers, the answer itself failed; after them, its body.
    if (this.inbox !== undefined) this.inbox.fail(failure)
    else this.answer(Effect.fail(failure))
  }

  private resendable(connection: Connection): boolean {
    const { method, body } = this.request
    return connection.answers > 0 && !this.parser!.received && body === undefined &&
      (method === "GET" || method === "HEAD")
  }

  private readonly onHead = ({ headers, status }: ResponseHead) => {
    Deadline.clear(this.deadline)
    const inbox = new Inbox<TransportError>(() => {
      if (!this.socketPaused) return
      this.socketPaused = false
      // Later, not inside the reader's pull: reading there runs the parser within the pull.
      setImmediate(() => {
        if (this.connection?.owner === this) this.connection.socket.resume()
      })
    }, flowWindowMs)
    this.inbox = inbox
    this.answer(Effect.succeed({ status, headers, body: inbox.stream, close: Effect.sync(() => this.close()) }))
  }

  private readonly onBodyData = (chunk: Buffer) => {
    if (this.inbox!.push(chunk) && !this.socketPaused) {
      this.socketPaused = true
      this.connection!.socket.pause()
    }
  }

  private readonly onBodyEnd = () => {
    this.bodyEnded = true
    this.inbox!.end()
  }

  /** The reader is done with the answer (its scope closed): an unfinished one closes its socket. */
  private close() {
    if (!this.over) this.finish(false)
  }

  /** Lets go of the connection: back to the client when it may carry another answer, else closed. */
  private finish(reusable: boolean) {
    this.over = true
    Deadline.clear(this.deadline)
    Deadline.clear(this.connectDeadline)
    this.writer?.unsafeInterruptAsFork(FiberId.none)
    const connection = this.connection
    this.connection = undefined
    if (connection === undefined || connection.owner !== this) return
    if (reusable) return this.client.release(connection)
    connection.owner = undefined
    connection.socket.destroy()
  }

  private answer(outcome: Effect.Effect<StreamAnswer, TransportError>) {
    const resume = this.resume
    this.resume = undefined
    resume?.(outcome)
  }

  /** The request head and its body: as is with its length, or chunked from a Stream with backpressure. */
  private write(socket: Net.Socket) {
    const { body, headers, method } = this.request
    const target = requestTarget(this.request)
    const host = this.client.hostHeader
    let head: string
    try {
      head = requestHead(
        method,
        target,
        host,
        headers,
        body === undefined
          ? method === "POST" || method === "PUT" ? { contentLength: 0 } : "none"
          : body instanceof Uint8Array
          ? { contentLength: body.length }
          : "chunked"
      )
    } catch (error) {
      return this.onError(error as Error)
    }
    if (body === undefined || body instanceof Uint8Array) {
      socket.cork()
      socket.write(head, "latin1")
      if (body !== undefined && body.length > 0) socket.write(body)
      socket.uncork()
      this.bodyWritten = true
      return
    }
    socket.write(head, "latin1")
    const writer = this.client.runFork(writeChunked(socket, body))
    this.writer = writer
    writer.addObserver((exit) => {
      if (this.writer !== writer) return
      this.writer = undefined
      if (Exit.isSuccess(exit)) this.bodyWritten = true
      else if (!Cause.isInterruptedOnly(exit.cause)) this.onError(requestBodyError(Cause.squash(exit.cause)))
    })
  }
}

/** Writes a Stream's chunks with chunked framing, waiting for the socket to drain when it is full. */
const writeChunked = (socket: Net.Socket, body: Stream.Stream<Uint8Array, unknown>): Effect.Effect<void, unknown> =>
  Effect.zipRight(
    Stream.runForEach(body, (chunk) => {
      if (chunk.length === 0) return Effect.void // a chunk of size 0 would end the body
      socket.cork()
      socket.write(`${chunk.length.toString(16)}\r\n`, "latin1")
      socket.write(chunk)
      const room = socket.write("\r\n", "latin1")
      socket.uncork()
      return room ? Effect.void : drained(socket)
    }),
    Effect.sync(() => void socket.write("0\r\n\r\n", "latin1"))
  )

const drained = (socket: Net.Socket) =>
  Effect.async<void>((resume) => {
    const go = () => resume(Effect.void)
    socket.once("drain", go)
    return Effect.sync(() => socket.off("drain", go))
  })
