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
import { DockerConfigError, DockerConnectionError, DockerTimeoutError } from "@effect-docker/client/DockerError"
import * as DockerHost from "@effect-docker/client/DockerHost"
import {
  type DockerRequest,
  type DockerResponse,
  type DockerStreamResponse,
  DockerTransport,
  type DockerUpgradedConnection,
  type TransportError
} from "@effect-docker/client/DockerTransport"
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
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
   * How long a buffered request may take, and how long a streamed one may wait for its headers;
   * default 60 seconds. Streams that follow (logs, events) have no idle timeout. undici checks
   * this timeout about once a second, so it fires up to a second late.
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

/**
 * Gathers a buffered answer. undici's own handler interface (rather than the controller-based
 * one, which wraps it) and a class: no header object built twice, no closures per request.
 */
class BufferedHandler {
  private status = 0
  private rawHeaders: Array<Buffer> = []
  private readonly chunks: Array<Uint8Array> = []
  private abort: ((reason: Error) => void) | undefined
  private aborted = false
  constructor(
    private readonly fiber: Fiber.RuntimeFiber<unknown, unknown>,
    private resume: ((effect: Effect.Effect<DockerResponse, TransportError>) => void) | undefined,
    private readonly failure: (error: unknown) => TransportError
  ) {
    fiber.addObserver(this.onFiberExit)
  }
  /**
   * The fiber ended (interrupted, or done with the answer no longer awaited): abort the request,
   * and undici destroys its socket. A fiber observer, not a canceler on the async effect: the
   * `onInterrupt` wrapper a canceler brings kept every request's objects alive past the young
   * generation (a profile showed 5x the GC time).
   */
  private readonly onFiberExit = () => {
    this.aborted = true
    this.abort?.(new Error("interrupted"))
  }
  /** Hands the outcome over once, and lets go of the fiber. */
  private settle(outcome: Effect.Effect<DockerResponse, TransportError>) {
    const resume = this.resume
    this.resume = undefined
    this.abort = undefined
    this.fiber.removeObserver(this.onFiberExit)
    resume?.(outcome)
  }
  onConnect(abort: (reason: Error) => void) {
    if (this.aborted) abort(new Error("interrupted"))
    else this.abort = abort
  }
  onHeaders(status: number, raw: Array<Buffer>) {
    this.status = status
    this.rawHeaders = raw
    return true
  }
  onData(chunk: Buffer) {
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
    this.settle(Effect.fail(this.failure(error)))
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
 * that backpressure pauses the parser only while it is safe (see {@link closesAfter}).
 */
class StreamingHandler {
  private abort: ((reason: Error) => void) | undefined
  private parserPaused = false
  private resumeParser: (() => void) | undefined
  private inbox: Inbox<TransportError> | undefined
  private pausable = true
  constructor(
    private readonly resume: (
      effect: Effect.Effect<DockerStreamResponse & { readonly close: Effect.Effect<void> }, TransportError>
    ) => void,
    private readonly failure: (error: unknown) => TransportError
  ) {}
  onConnect(abort: (reason: Error) => void) {
    this.abort = abort
  }
  onHeaders(status: number, raw: Array<Buffer>, resume: () => void) {
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
    this.resume(Effect.succeed({
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
    // Before the headers, the answer itself failed; after them, its body.
    if (this.inbox !== undefined) this.inbox.fail(this.failure(error))
    else this.resume(Effect.fail(this.failure(error)))
  }
}

const makePool = (endpoint: Endpoint, poolSize: number, connectTimeout: number, requestTimeout: number) => {
  const common = {
    connections: poolSize,
    headersTimeout: requestTimeout,
    bodyTimeout: requestTimeout,
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
      const connectTimeout = Duration.toMillis(options.connectTimeout ?? Duration.seconds(10))
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
    const target = yield* endpoint(options)
    const poolSize = options.poolSize ?? 32
    if (!Number.isInteger(poolSize) || poolSize < 1) {
      return yield* new DockerConfigError({ message: `poolSize must be a positive integer, got ${poolSize}` })
    }
    const connectTimeout = Duration.toMillis(options.connectTimeout ?? Duration.seconds(10))
    const requestTimeout = Duration.toMillis(options.requestTimeout ?? Duration.seconds(60))
    const pool = yield* Effect.acquireRelease(
      Effect.sync(() => makePool(target, poolSize, connectTimeout, requestTimeout)),
      (pool) => Effect.promise(() => pool.destroy())
    )
    const runtime = yield* Effect.runtime<never>()
    const fail = (error: unknown) => connectionError(target, error)
    const host = target.host.raw

    const requestBody = (body: DockerRequest["body"]) =>
      body === undefined || body instanceof Uint8Array
        ? body
        : Stream.toAsyncIterableRuntime(body, runtime)

    /** undici's options for a request; a streamed body has no idle timeout (follows wait). */
    const dispatchOptions = (request: DockerRequest, streaming: boolean) => {
      const timeout = request.timeoutMillis ?? requestTimeout
      return {
        method: request.method,
        path: request.query === "" ? request.path : `${request.path}?${request.query}`,
        headers: request.headers,
        body: requestBody(request.body) as any,
        headersTimeout: timeout,
        bodyTimeout: streaming ? 0 : timeout
      }
    }

    const withTimeoutMillis = (request: DockerRequest, error: TransportError): TransportError =>
      error._tag === "DockerTimeoutError"
        ? new DockerTimeoutError({
          phase: error.phase,
          host: error.host,
          message: error.message,
          timeoutMillis: error.phase === "connect" ? connectTimeout : request.timeoutMillis ?? requestTimeout
        })
        : error

    // The hot path: undici's dispatcher with a handler that gathers the body, without a Readable.
    const request = (request: DockerRequest) =>
      Effect.withFiberRuntime<DockerResponse, TransportError>((fiber) =>
        Effect.async((resume) => {
          const handler = new BufferedHandler(fiber, resume, (error) => withTimeoutMillis(request, fail(error)))
          pool.dispatch(dispatchOptions(request, false), handler)
        })
      )

    const stream = (request: DockerRequest) =>
      Effect.map(
        Effect.acquireRelease(
          Effect.async<DockerStreamResponse & { readonly close: Effect.Effect<void> }, TransportError>((resume) => {
            pool.dispatch(
              dispatchOptions(request, true),
              new StreamingHandler(resume, (error) => withTimeoutMillis(request, fail(error)))
            )
          }),
          (response) => response.close
        ),
        ({ close: _, ...response }): DockerStreamResponse => response
      )

    const upgrade = (request: DockerRequest) =>
      Effect.acquireRelease(
        Effect.async<DockerUpgradedConnection & { socket: Net.Socket } | DockerResponse, TransportError>(
          (resume, signal) => {
            const base = {
              method: request.method,
              path: request.query === "" ? request.path : `${request.path}?${request.query}`,
              headers: request.headers,
              signal,
              timeout: request.timeoutMillis ?? requestTimeout
            }
            const { host: h } = target
            const req = h._tag === "Unix"
              ? Http.request({ ...base, socketPath: h.socketPath })
              : target.tls === undefined
              ? Http.request({ ...base, host: h.hostname, port: h.port })
              : Https.request({ ...base, host: h.hostname, port: h.port, ...tlsConnectOptions(target.tls) })
            req.once(
              "timeout",
              () => req.destroy(Object.assign(new Error("timeout"), { code: "UND_ERR_HEADERS_TIMEOUT" }))
            )
            req.once("error", (error) => resume(Effect.fail(withTimeoutMillis(request, fail(error)))))
            req.once("upgrade", (response, socket, head) => {
              socket.setTimeout(0)
              const output = Stream.concat(
                head.length > 0 ? Stream.succeed(new Uint8Array(head)) : Stream.empty,
                fromSocket(socket, fail)
              )
              resume(Effect.succeed({
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
            req.once("response", (response) => {
              const chunks: Array<Buffer> = []
              response.on("data", (chunk: Buffer) => chunks.push(chunk))
              response.once("end", () =>
                resume(Effect.succeed({
                  status: response.statusCode ?? 0,
                  headers: toHeaders(response.headers),
                  body: Buffer.concat(chunks)
                })))
              response.once("error", (error) => resume(Effect.fail(fail(error))))
            })
            const body = request.body
            if (body instanceof Uint8Array) req.end(body)
            else req.end()
          }
        ),
        (result) => Effect.sync(() => "socket" in result && result.socket.destroy())
      ).pipe(Effect.map((result) => {
        if (!("socket" in result)) return result
        const { socket: _, ...connection } = result
        return connection
      }))

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
