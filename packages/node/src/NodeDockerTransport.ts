/**
 * `DockerTransport` for Node.js over a Unix socket, plain TCP or TCP with TLS.
 *
 * Buffered and streamed requests go through an undici connection pool with keep-alive (undici
 * measured faster than node:http here; see BENCHMARKS.md). Hijacked connections (attach, exec
 * with stdin) use node:http's `upgrade` event, which hands over the raw socket together with the
 * bytes that arrived with the 101, and answers any other status with its body.
 *
 * @since 0.1.0
 */
import {
  DockerConfigError,
  DockerConnectionError,
  DockerLimitError,
  DockerTimeoutError
} from "@effect-docker/client/DockerError"
import * as DockerHost from "@effect-docker/client/DockerHost"
import {
  type DockerRequest,
  type DockerResponse,
  type DockerStreamResponse,
  DockerTransport,
  type DockerUpgradedConnection,
  type TransportError
} from "@effect-docker/client/DockerTransport"
import * as DurationInput from "@effect-docker/client/internal/duration"
import * as Limits from "@effect-docker/client/Limits"
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Http from "node:http"
import * as Https from "node:https"
import type * as Net from "node:net"
import { Pool } from "undici"
import * as SshTunnel from "./SshTunnel.js"

/**
 * TLS material and policy for `tcp://` and `https://` hosts.
 *
 * @since 0.1.0
 */
export interface TlsOptions {
  /** PEM certificate(s) of the CA that signed the engine's certificate. */
  readonly ca?: string | Uint8Array | undefined
  /** PEM client certificate. */
  readonly cert?: string | Uint8Array | undefined
  /** PEM client key. */
  readonly key?: Redacted.Redacted<string | Uint8Array> | undefined
  /** Check the engine's certificate and name. On unless turned off here, explicitly. */
  readonly verify?: boolean | undefined
  /** The name to check the certificate against, when it differs from the host name. */
  readonly servername?: string | undefined
}

/**
 * @since 0.1.0
 */
export interface Options {
  /** `unix:///path`, `tcp://host:port`, `http://...` or `https://...`; default `unix:///var/run/docker.sock`. */
  readonly host?: string | undefined
  /** TLS for a `tcp://` host (and the material for `https://`). */
  readonly tls?: TlsOptions | boolean | undefined
  /** Identity and host-key policy for an `ssh://` host. */
  readonly ssh?: SshTunnel.SshOptions | undefined
  /** Connections kept open to the engine at most; default 32. */
  readonly poolSize?: number | undefined
  /** Default 10 seconds. */
  readonly connectTimeout?: Duration.DurationInput | undefined
  /**
   * How long a buffered request may take from start to end (waiting for a free connection
   * included), and how long a streamed or hijacked one may wait for its headers; default 60
   * seconds. Streams that follow (logs, events) have no idle timeout.
   */
  readonly requestTimeout?: Duration.DurationInput | undefined
}

/** What the node:http upgrade path and undici both need to reach the engine. */
interface Endpoint {
  readonly host: DockerHost.DockerHost & { readonly _tag: "Unix" | "Tcp" }
  readonly tls: TlsOptions | undefined
}

const highWaterMark = 1024 * 1024

const connectionError = (endpoint: Endpoint, error: unknown): TransportError => {
  const host = endpoint.host.raw
  const err = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException }
  const code = String(err?.code ?? err?.cause?.code ?? "")
  const message = err?.message ?? String(error)
  const where = endpoint.host._tag === "Unix"
    ? `the socket ${endpoint.host.socketPath}`
    : `${endpoint.host.hostname}:${endpoint.host.port}`
  const fail = (reason: DockerConnectionError["reason"], text: string) =>
    new DockerConnectionError({ reason, host, message: text, cause: error })
  switch (code) {
    case "UND_ERR_CONNECT_TIMEOUT":
      return new DockerTimeoutError({
        phase: "connect",
        host,
        timeoutMillis: 0,
        message: `connecting to ${where} timed out`
      })
    case "UND_ERR_HEADERS_TIMEOUT":
    case "UND_ERR_BODY_TIMEOUT":
      return new DockerTimeoutError({
        phase: "request",
        host,
        timeoutMillis: 0,
        message: `the engine at ${where} did not answer in time`
      })
    case "ENOENT":
      return fail(
        "SocketNotFound",
        `no Docker engine socket at ${endpoint.host._tag === "Unix" ? endpoint.host.socketPath : host}: ` +
          "is the daemon running? Set DOCKER_HOST to reach another engine"
      )
    case "ECONNREFUSED":
      return fail(
        "ConnectionRefused",
        `${where} refused the connection: is the daemon listening there? (DOCKER_HOST=${host})`
      )
    case "EACCES":
    case "EPERM":
      return fail("PermissionDenied", `permission denied on ${where}: is this user allowed to use the engine?`)
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return fail("HostNotFound", `cannot resolve ${where}`)
    case "ECONNRESET":
    case "EPIPE":
    case "UND_ERR_SOCKET":
    case "UND_ERR_CLOSED":
      // A TLS handshake that the engine rejects (e.g. no client certificate) shows up as a reset.
      return endpoint.tls !== undefined && /TLS|SSL|secure/i.test(message)
        ? fail("Tls", `TLS with ${where} failed: ${message}`)
        : fail("ConnectionReset", `the connection to ${where} broke: ${message}`)
    case "HPE_INVALID_CONSTANT":
    case "HPE_INVALID_STATUS":
    case "HPE_INVALID_HEADER_TOKEN":
    case "UND_ERR_RES_CONTENT_LENGTH_MISMATCH":
      return fail("InvalidResponse", `${where} answered something that is not valid HTTP: ${message}`)
  }
  if (err?.name === "HTTPParserError") return fail("InvalidResponse", `${where} answered invalid HTTP: ${message}`)
  if (
    /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/.test(code) ||
    /SSL|TLS|certificate/i.test(message)
  ) {
    return fail("Tls", `TLS with ${where} failed: ${message}`)
  }
  if (code.startsWith("HPE_")) return fail("InvalidResponse", `${where} answered invalid HTTP: ${message}`)
  return fail("Unknown", `the request to ${where} failed: ${message}`)
}

const toHeaders = (raw: Record<string, string | Array<string> | undefined>): Record<string, string | undefined> => {
  const out: Record<string, string | undefined> = {}
  for (const name in raw) {
    const value = raw[name]
    out[name] = Array.isArray(value) ? value.join(", ") : value
  }
  return out
}

/**
 * The chunks of a body that arrived and wait for the reader, as a Stream. The source is told to
 * stop (`full`) while more than 1 MiB waits, and to go on (`drained`) when the reader took it all.
 * A channel rather than repeatEffectChunkOption: no effect at all while data is waiting.
 */
class Inbox<E> {
  private buffered: Array<Uint8Array> = []
  private bytes = 0
  private done = false
  private failure: E | undefined
  private wake: (() => void) | undefined
  constructor(private readonly drained: () => void) {}
  /** Adds a chunk; true when the source should stop until {@link drained}. */
  push(chunk: Uint8Array): boolean {
    this.buffered.push(chunk)
    this.bytes += chunk.length
    this.notify()
    return this.bytes >= highWaterMark
  }
  end() {
    this.done = true
    this.notify()
  }
  fail(failure: E) {
    if (!this.done) this.failure ??= failure
    this.notify()
  }
  private notify() {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }
  private readonly waitForData = Effect.async<void>((resume) => {
    this.wake = () => resume(Effect.void)
    return Effect.sync(() => {
      this.wake = undefined
    })
  })
  private readonly pull: Channel.Channel<Chunk.Chunk<Uint8Array>, unknown, E, unknown, void, unknown> = Channel
    .suspend(() => {
      if (this.buffered.length > 0) {
        const out = this.buffered
        this.buffered = []
        this.bytes = 0
        this.drained()
        return Channel.zipRight(Channel.write(Chunk.unsafeFromArray(out)), this.pull)
      }
      if (this.failure !== undefined) return Channel.fail(this.failure)
      if (this.done) return Channel.void
      return Channel.zipRight(Channel.fromEffect(this.waitForData), this.pull)
    })
  readonly stream: Stream.Stream<Uint8Array, E> = Stream.fromChannel(this.pull)
}

/** A hijacked socket's incoming bytes as a Stream, read from `'data'` events once it runs. */
const fromSocket = <E>(socket: Net.Socket, onError: (error: unknown) => E): Stream.Stream<Uint8Array, E> =>
  Stream.suspend(() => {
    const inbox = new Inbox<E>(() => {
      if (socket.isPaused()) socket.resume()
    })
    socket.on("data", (chunk: Uint8Array) => {
      if (inbox.push(chunk)) socket.pause()
    })
    socket.once("end", () => inbox.end())
    socket.once("error", (error) => inbox.fail(onError(error)))
    // Closed without 'end' or 'error': the engine went away mid-stream.
    socket.once(
      "close",
      () => inbox.fail(onError(Object.assign(new Error("the body ended early"), { code: "ECONNRESET" })))
    )
    return inbox.stream
  })

/** An error of ours, passed through undici's abort as it is. */
const isTransportError = (error: unknown): error is TransportError =>
  error instanceof DockerTimeoutError || error instanceof DockerLimitError || error instanceof DockerConnectionError

/**
 * Gathers a buffered answer. undici's own handler interface (rather than the controller-based
 * one, which wraps it) and a class: no header object built twice, no closures per request.
 * A timer bounds the whole request (undici's own timeouts bound each wait, not the sum: an
 * answer that drips a byte at a time would never end), and a limit its body.
 */
class BufferedHandler {
  private status = 0
  private rawHeaders: Array<Buffer> = []
  private readonly chunks: Array<Uint8Array> = []
  private bytes = 0
  private maxBytes = Infinity
  private abort: ((reason: Error) => void) | undefined
  private aborted: Error | undefined
  private readonly timer: ReturnType<typeof setTimeout> | undefined
  constructor(
    private readonly fiber: Fiber.RuntimeFiber<unknown, unknown>,
    private resume: ((effect: Effect.Effect<DockerResponse, TransportError>) => void) | undefined,
    private readonly failure: (error: unknown) => TransportError,
    private readonly request: DockerRequest,
    timeoutMillis: number
  ) {
    fiber.addObserver(this.onFiberExit)
    if (timeoutMillis > 0) this.timer = setTimeout(this.onDeadline, timeoutMillis)
  }
  /**
   * The fiber ended (interrupted, or done with the answer no longer awaited): abort the request,
   * and undici destroys its socket. A fiber observer, not a canceler on the async effect: the
   * `onInterrupt` wrapper a canceler brings kept every request's objects alive past the young
   * generation (a profile showed 5x the GC time).
   */
  private readonly onFiberExit = () => this.stop(new Error("interrupted"))
  private readonly onDeadline = () =>
    this.stop(Object.assign(new Error("the request timed out"), { code: "UND_ERR_HEADERS_TIMEOUT" }))
  /** Ends the request with `reason`, now if it is on a connection, else as soon as it gets one. */
  private stop(reason: Error) {
    if (this.resume === undefined) return
    if (this.abort !== undefined) this.abort(reason)
    else {
      this.aborted = reason
      this.settle(Effect.fail(this.failure(reason)))
    }
  }
  /** Hands the outcome over once, and lets go of the fiber and the timer. */
  private settle(outcome: Effect.Effect<DockerResponse, TransportError>) {
    const resume = this.resume
    this.resume = undefined
    this.abort = undefined
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.fiber.removeObserver(this.onFiberExit)
    resume?.(outcome)
  }
  onConnect(abort: (reason: Error) => void) {
    if (this.aborted !== undefined) abort(this.aborted)
    else this.abort = abort
  }
  onHeaders(status: number, raw: Array<Buffer>) {
    this.status = status
    this.rawHeaders = raw
    this.maxBytes = (status >= 200 && status < 300 ? this.request.maxBodyBytes : this.request.maxErrorBytes) ??
      Infinity
    return true
  }
  onData(chunk: Buffer) {
    this.bytes += chunk.length
    if (this.bytes > this.maxBytes) {
      const success = this.status >= 200 && this.status < 300
      this.abort?.(Limits.exceeded(
        success ? "bodyBytes" : "errorBytes",
        this.maxBytes,
        `the answer to ${this.request.method} ${this.request.path}`
      ))
      return false
    }
    this.chunks.push(chunk)
    return true
  }
  onComplete() {
    const chunks = this.chunks
    this.settle(Effect.succeed(
      new BufferedResponse(this.status, this.rawHeaders, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks))
    ))
  }
  onError(error: Error) {
    this.settle(Effect.fail(isTransportError(error) ? error : this.failure(error)))
  }
}

/** A buffered answer whose headers are decoded when first read: most callers never read them. */
class BufferedResponse implements DockerResponse {
  private decoded: Record<string, string | undefined> | undefined
  constructor(readonly status: number, private readonly rawHeaders: Array<Buffer>, readonly body: Uint8Array) {}
  get headers() {
    return this.decoded ??= fromRawHeaders(this.rawHeaders)
  }
}

/** undici's raw header list (name, value, name, value, ...) with lower-case names; repeats joined. */
const fromRawHeaders = (raw: Array<Buffer>): Record<string, string | undefined> => {
  const out: Record<string, string | undefined> = {}
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString("latin1").toLowerCase()
    const value = raw[i + 1]!.toString("utf8")
    const seen = out[name]
    out[name] = seen === undefined ? value : `${seen}, ${value}`
  }
  return out
}

/**
 * Whether the engine closes the connection after this answer. undici 7 must not be paused then:
 * when the connection ends while its parser is paused under backpressure, it throws an
 * AssertionError from the socket's 'end' handler that no caller can catch, and the process dies
 * (nodejs/undici#5360, fixed only in undici 8, which needs Node 22), even when nobody has read
 * the body yet. dockerd keeps connections alive, so this is a proxy's answer: read it at once and
 * without pausing, into memory if the caller is slower than the connection.
 */
const closesAfter = (headers: Record<string, string | undefined>) => /\bclose\b/i.test(headers["connection"] ?? "")

/**
 * A streamed answer, from undici's own handler interface: the answer is handed over at its
 * headers, and its body goes to an {@link Inbox} in the same call as the parser delivers it, so
 * that backpressure pauses the parser only while it is safe (see {@link closesAfter}). Until the
 * headers, a timer bounds the wait and {@link cancel} ends it at once, whatever the phase: in the
 * pool's queue, connecting, or sent and unanswered.
 */
class StreamingHandler {
  private abort: ((reason: Error) => void) | undefined
  private cancelled: Error | undefined
  private parserPaused = false
  private resumeParser: (() => void) | undefined
  private inbox: Inbox<TransportError> | undefined
  private pausable = true
  private timer: ReturnType<typeof setTimeout> | undefined
  constructor(
    private resume:
      | ((
        effect: Effect.Effect<DockerStreamResponse & { readonly close: Effect.Effect<void> }, TransportError>
      ) => void)
      | undefined,
    private readonly failure: (error: unknown) => TransportError,
    timeoutMillis: number
  ) {
    if (timeoutMillis > 0) {
      this.timer = setTimeout(
        () => this.cancel(Object.assign(new Error("no answer in time"), { code: "UND_ERR_HEADERS_TIMEOUT" })),
        timeoutMillis
      )
    }
  }
  /** Ends the request before its headers (interruption, timeout); a no-op once they arrived. */
  cancel(reason: Error = new Error("interrupted")) {
    if (this.inbox !== undefined || this.cancelled !== undefined) return
    this.cancelled = reason
    this.abort?.(reason)
    this.answer(Effect.fail(this.failure(reason)))
  }
  private answer(
    outcome: Effect.Effect<DockerStreamResponse & { readonly close: Effect.Effect<void> }, TransportError>
  ) {
    const resume = this.resume
    this.resume = undefined
    if (this.timer !== undefined) clearTimeout(this.timer)
    resume?.(outcome)
  }
  onConnect(abort: (reason: Error) => void) {
    if (this.cancelled !== undefined) abort(this.cancelled)
    else this.abort = abort
  }
  onHeaders(status: number, raw: Array<Buffer>, resume: () => void) {
    if (this.cancelled !== undefined) return false
    this.resumeParser = resume
    const headers = fromRawHeaders(raw)
    this.pausable = !closesAfter(headers)
    const inbox = new Inbox<TransportError>(() => {
      if (this.parserPaused) {
        this.parserPaused = false
        // Later, not inside the reader's pull: resuming there runs the parser within the pull,
        // which doubled the CPU of a slow reader of a 1 GiB export (bench/streams.ts).
        setImmediate(() => this.resumeParser?.())
      }
    })
    this.inbox = inbox
    this.answer(Effect.succeed({
      status,
      headers,
      body: inbox.stream,
      // Aborting an unfinished answer closes its socket; a finished one is a no-op.
      close: Effect.sync(() => this.abort?.(new Error("the stream was closed before its end")))
    }))
    return true
  }
  onData(chunk: Buffer) {
    if (this.inbox!.push(chunk) && this.pausable) {
      this.parserPaused = true
      return false
    }
    return true
  }
  onComplete() {
    this.abort = undefined
    this.inbox?.end()
  }
  onError(error: Error) {
    this.abort = undefined
    const failure = isTransportError(error) ? error : this.failure(error)
    // Before the headers, the answer itself failed; after them, its body.
    if (this.inbox !== undefined) this.inbox.fail(failure)
    else this.answer(Effect.fail(failure))
  }
}

/** What an upgrade ends with: the hijacked socket, or another answer read to its end. */
type UpgradeResult = DockerUpgradedConnection & { readonly socket: Net.Socket } | DockerResponse

/** A timeout option in milliseconds (0 for an infinite one), refused when it is not a duration. */
const timeoutOption = (name: string, input: Duration.DurationInput | undefined, fallback: Duration.DurationInput) =>
  Either.match(DurationInput.toMillis(input ?? fallback), {
    onLeft: (reason) => Either.left(new DockerConfigError({ message: `${name}: ${reason}` })),
    onRight: (millis) => Either.right(millis === Infinity ? 0 : millis)
  })

const makePool = (endpoint: Endpoint, poolSize: number, connectTimeout: number) => {
  const common = {
    connections: poolSize,
    keepAliveTimeout: 30_000
  }
  const { host, tls } = endpoint
  if (host._tag === "Unix") {
    return new Pool("http://localhost", {
      ...common,
      socketPath: host.socketPath,
      connect: { timeout: connectTimeout }
    })
  }
  const hostname = host.hostname.includes(":") ? `[${host.hostname}]` : host.hostname
  if (tls === undefined) {
    return new Pool(`http://${hostname}:${host.port}`, { ...common, connect: { timeout: connectTimeout } })
  }
  return new Pool(`https://${hostname}:${host.port}`, {
    ...common,
    connect: { timeout: connectTimeout, ...tlsConnectOptions(tls) }
  })
}

const tlsConnectOptions = (tls: TlsOptions) => ({
  ...(tls.ca !== undefined ? { ca: toPem(tls.ca) } : {}),
  ...(tls.cert !== undefined ? { cert: toPem(tls.cert) } : {}),
  ...(tls.key !== undefined ? { key: toPem(Redacted.value(tls.key)) } : {}),
  ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
  rejectUnauthorized: tls.verify !== false
})

const toPem = (value: string | Uint8Array): string | Buffer => typeof value === "string" ? value : Buffer.from(value)

/**
 * Resolves a host string and TLS options to an endpoint; a malformed host fails here, when the
 * layer is built. An `ssh://` host opens its tunnel (closed with the scope) and is reached
 * through the tunnel's socket.
 *
 * @since 0.1.0
 */
export const endpoint = (
  options: Options
): Effect.Effect<Endpoint, DockerConfigError | DockerConnectionError | DockerTimeoutError, Scope.Scope> =>
  Effect.gen(function*() {
    const raw = options.host ?? DockerHost.defaultHost
    const wantsTls = options.tls !== undefined && options.tls !== false
    const host = yield* DockerHost.parse(raw, { tls: wantsTls })
    if (host._tag === "Ssh") {
      if (wantsTls) {
        return yield* new DockerConfigError({ message: `TLS was asked for, but ${raw} is reached over SSH` })
      }
      const connectTimeout = yield* timeoutOption("connectTimeout", options.connectTimeout, "10 seconds")
      const tunnel = yield* SshTunnel.open(host, options.ssh, connectTimeout)
      return { host: { _tag: "Unix", socketPath: tunnel.socketPath, raw }, tls: undefined }
    }
    if (host._tag === "Unix") {
      if (wantsTls) return yield* new DockerConfigError({ message: `TLS was asked for, but ${raw} is a Unix socket` })
      return { host, tls: undefined }
    }
    if (!host.tls && wantsTls) {
      return yield* new DockerConfigError({ message: `TLS was asked for, but ${raw} is plain http://` })
    }
    const tls = host.tls ? (typeof options.tls === "object" ? options.tls : {}) : undefined
    return { host, tls }
  })

/**
 * Builds the transport; the pool lives until the scope closes.
 *
 * @since 0.1.0
 */
export const make = (
  options: Options = {}
): Effect.Effect<
  DockerTransport["Type"],
  DockerConfigError | DockerConnectionError | DockerTimeoutError,
  Scope.Scope
> =>
  Effect.gen(function*() {
    const poolSize = options.poolSize ?? 32
    if (!Number.isInteger(poolSize) || poolSize < 1) {
      return yield* new DockerConfigError({ message: `poolSize must be a positive integer, got ${poolSize}` })
    }
    const connectTimeout = yield* timeoutOption("connectTimeout", options.connectTimeout, "10 seconds")
    const requestTimeout = yield* timeoutOption("requestTimeout", options.requestTimeout, "60 seconds")
    const target = yield* endpoint(options)
    const pool = yield* Effect.acquireRelease(
      Effect.sync(() => makePool(target, poolSize, connectTimeout)),
      (pool) => Effect.promise(() => pool.destroy())
    )
    const runtime = yield* Effect.runtime<never>()
    const fail = (error: unknown) => connectionError(target, error)
    const host = target.host.raw

    const requestBody = (body: DockerRequest["body"]) =>
      body === undefined || body instanceof Uint8Array
        ? body
        : Stream.toAsyncIterableRuntime(body, runtime)

    /** The request's own deadline, else the layer's plus what the engine waits before it answers. */
    const timeoutOf = (request: DockerRequest) => {
      const total = request.timeoutMillis ??
        (requestTimeout === 0 ? 0 : requestTimeout + (request.engineWaitMillis ?? 0))
      return Number.isFinite(total) ? total : 0
    }

    /**
     * undici's options for a request. Our own timers bound the wait (see the handlers); undici's
     * are off, and a streamed body has no idle timeout (follows wait).
     */
    const dispatchOptions = (request: DockerRequest) => ({
      method: request.method,
      path: request.query === "" ? request.path : `${request.path}?${request.query}`,
      headers: request.headers,
      body: requestBody(request.body) as any,
      headersTimeout: 0,
      bodyTimeout: 0
    })

    const withTimeoutMillis = (request: DockerRequest, error: TransportError): TransportError =>
      error._tag === "DockerTimeoutError"
        ? new DockerTimeoutError({
          phase: error.phase,
          host: error.host,
          message: error.message,
          timeoutMillis: error.phase === "connect" ? connectTimeout : timeoutOf(request)
        })
        : error

    // The hot path: undici's dispatcher with a handler that gathers the body, without a Readable.
    const request = (request: DockerRequest) =>
      Effect.withFiberRuntime<DockerResponse, TransportError>((fiber) =>
        Effect.async((resume) => {
          const handler = new BufferedHandler(
            fiber,
            resume,
            (error) => withTimeoutMillis(request, fail(error)),
            request,
            timeoutOf(request)
          )
          pool.dispatch(dispatchOptions(request), handler)
        })
      )

    // Waiting for the headers is interruptible (the handler's cancel ends the request in any
    // phase); once they are in, the close of the answer is in the scope.
    const stream = (request: DockerRequest) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(
          restore(
            Effect.async<DockerStreamResponse & { readonly close: Effect.Effect<void> }, TransportError>((resume) => {
              const handler = new StreamingHandler(
                resume,
                (error) => withTimeoutMillis(request, fail(error)),
                timeoutOf(request)
              )
              pool.dispatch(dispatchOptions(request), handler)
              return Effect.sync(() => handler.cancel())
            })
          ),
          ({ close, ...response }) => Effect.as(Effect.addFinalizer(() => close), response as DockerStreamResponse)
        )
      )

    const upgrade = (request: DockerRequest) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(
          restore(Effect.async<UpgradeResult, TransportError>((resume, signal) => {
            const { host: h } = target
            const base = {
              method: request.method,
              path: request.query === "" ? request.path : `${request.path}?${request.query}`,
              headers: request.headers,
              signal
            }
            const req = h._tag === "Unix"
              ? Http.request({ ...base, socketPath: h.socketPath })
              : target.tls === undefined
              ? Http.request({ ...base, host: h.hostname, port: h.port })
              : Https.request({ ...base, host: h.hostname, port: h.port, ...tlsConnectOptions(target.tls) })
            // Until the engine answers: a deadline for the whole wait, not an idle timeout.
            const timeout = timeoutOf(request)
            const timer = timeout > 0
              ? setTimeout(
                () => req.destroy(Object.assign(new Error("timeout"), { code: "UND_ERR_HEADERS_TIMEOUT" })),
                timeout
              )
              : undefined
            let settled = false
            const settle = (outcome: Effect.Effect<UpgradeResult, TransportError>) => {
              if (settled) return
              settled = true
              clearTimeout(timer)
              resume(outcome)
            }
            req.once("error", (error) => settle(Effect.fail(withTimeoutMillis(request, fail(error)))))
            req.once("upgrade", (response, socket, head) => {
              socket.setTimeout(0)
              const output = Stream.concat(
                head.length > 0 ? Stream.succeed(new Uint8Array(head)) : Stream.empty,
                fromSocket(socket, fail)
              )
              settle(Effect.succeed({
                status: response.statusCode ?? 101,
                headers: toHeaders(response.headers),
                output,
                socket,
                write: (chunk) =>
                  Effect.async<void, TransportError>((done) => {
                    socket.write(chunk, (error) => done(error ? Effect.fail(fail(error)) : Effect.void))
                  }),
                closeWrite: Effect.async<void>((done) => {
                  socket.end(() => done(Effect.void))
                })
              }))
            })
            // Any other answer is read to its end, within the limit of what it may be.
            req.once("response", (response) => {
              const status = response.statusCode ?? 0
              const success = status >= 200 && status < 300
              const maxBytes = (success ? request.maxBodyBytes : request.maxErrorBytes) ?? Infinity
              const chunks: Array<Buffer> = []
              let bytes = 0
              response.on("data", (chunk: Buffer) => {
                bytes += chunk.length
                if (bytes <= maxBytes) return chunks.push(chunk)
                req.destroy()
                settle(Effect.fail(
                  Limits.exceeded(success ? "bodyBytes" : "errorBytes", maxBytes, `the answer to ${request.path}`)
                ))
              })
              response.once("end", () =>
                settle(Effect.succeed({ status, headers: toHeaders(response.headers), body: Buffer.concat(chunks) })))
              response.once("error", (error) =>
                settle(Effect.fail(fail(error))))
            })
            const body = request.body
            if (body instanceof Uint8Array) {
              req.end(body)
            } else req.end()
          })),
          (result): Effect.Effect<DockerUpgradedConnection | DockerResponse, never, Scope.Scope> => {
            if (!("socket" in result)) {
              return Effect.succeed(result)
            }
            const { socket, ...connection } = result
            return Effect.as(
              Effect.addFinalizer(() =>
                Effect.sync(() => socket.destroy())
              ),
              connection
            )
          }
        )
      )

    return DockerTransport.of({ host, request, stream, upgrade })
  })

/**
 * The Node transport as a layer.
 *
 * @since 0.1.0
 */
export const layer = (
  options?: Options
): Layer.Layer<DockerTransport, DockerConfigError | DockerConnectionError | DockerTimeoutError> =>
  Layer.scoped(DockerTransport, make(options))
