/**
 * undici's own handler interface for buffered and streamed answers: the hot path of every request.
 */
import {
  bodyLimit,
  type DockerRequest,
  type DockerResponse,
  type DockerStreamResponse,
  isTransportError,
  type TransportError
} from "@effect-docker/client/DockerTransport"
import * as Limits from "@effect-docker/client/Limits"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import type { Dispatcher } from "undici"
import * as Deadline from "./deadline.js"
import { Inbox } from "./inbox.js"

/**
 * Sends a request, and sends a GET or HEAD without a body again when its connection broke before
 * any answer after it had answered others: a kept-alive connection that the engine closed while it
 * idled in the pool (an engine restarted, a proxy's idle timeout) is found dead only when written
 * to. The Go SDK's transport does the same; a new connection that breaks is the engine's failure.
 * Each resend retires one dead connection, so the pool's size bounds them.
 */
abstract class Resendable {
  private pool: Dispatcher | undefined
  private options: Dispatcher.DispatchOptions | undefined
  private resends = 0
  private resentUnsure = false
  send(pool: Dispatcher, options: Dispatcher.DispatchOptions, maxResends: number) {
    if ((options.method === "GET" || options.method === "HEAD") && options.body === undefined) {
      this.pool = pool
      this.options = options
      this.resends = maxResends
    }
    pool.dispatch(options, this as unknown as Dispatcher.DispatchHandler)
  }
  /** Whether `error`, before any answer, sent the request again. */
  protected resentAfter(error: Error): boolean {
    if (this.pool === undefined || this.resends === 0) return false
    const reused = brokeAfterAnswers(error)
    // A reset or a broken pipe may be a new connection's (a refused TLS handshake): once only.
    if (reused === false || (reused === undefined && this.resentUnsure)) return false
    if (reused === undefined) this.resentUnsure = true
    this.resends--
    this.pool.dispatch(this.options!, this as unknown as Dispatcher.DispatchHandler)
    return true
  }
}

/**
 * Whether the engine closed or reset a connection that had carried answers: undici's own error
 * says how much the connection had read; a reset or a broken pipe from the socket does not
 * (undefined).
 */
const brokeAfterAnswers = (error: Error): boolean | undefined => {
  const { code, socket } = error as Error & { code?: string; socket?: { bytesRead?: number } }
  if (code === "UND_ERR_SOCKET") return socket?.bytesRead === undefined ? undefined : socket.bytesRead > 0
  return code === "ECONNRESET" || code === "EPIPE" ? undefined : false
}

export class BufferedHandler extends Resendable {
  private status = 0
  private rawHeaders: Array<Buffer> = []
  private readonly chunks: Array<Uint8Array> = []
  private bytes = 0
  private limit: ReturnType<typeof bodyLimit> | undefined
  private abort: ((reason: Error) => void) | undefined
  private aborted: Error | undefined
  private readonly deadline: Deadline.Deadline | undefined
  constructor(
    private readonly fiber: Fiber.RuntimeFiber<unknown, unknown>,
    private resume: ((effect: Effect.Effect<DockerResponse, TransportError>) => void) | undefined,
    private readonly failure: (error: unknown) => TransportError,
    private readonly request: DockerRequest,
    timeoutMillis: number
  ) {
    super()
    fiber.addObserver(this.onFiberExit)
    this.deadline = Deadline.start(timeoutMillis, this.onDeadline)
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
  /** Hands the outcome over once, and lets go of the fiber and the deadline. */
  private settle(outcome: Effect.Effect<DockerResponse, TransportError>) {
    const resume = this.resume
    this.resume = undefined
    this.abort = undefined
    Deadline.clear(this.deadline)
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
    this.limit = bodyLimit(this.request, status)
    return true
  }
  onData(chunk: Buffer) {
    this.bytes += chunk.length
    const { limit, maxBytes } = this.limit!
    if (this.bytes > maxBytes) {
      this.abort?.(Limits.exceeded(limit, maxBytes, `the answer to ${this.request.method} ${this.request.path}`))
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
    this.abort = undefined
    if (this.status === 0 && this.resume !== undefined && this.resentAfter(error)) return
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
export class StreamingHandler extends Resendable {
  private abort: ((reason: Error) => void) | undefined
  private cancelled: Error | undefined
  private parserPaused = false
  private resumeParser: (() => void) | undefined
  private inbox: Inbox<TransportError> | undefined
  private pausable = true
  private readonly deadline: Deadline.Deadline | undefined
  constructor(
    private resume:
      | ((
        effect: Effect.Effect<DockerStreamResponse & { readonly close: Effect.Effect<void> }, TransportError>
      ) => void)
      | undefined,
    private readonly failure: (error: unknown) => TransportError,
    timeoutMillis: number
  ) {
    super()
    this.deadline = Deadline.start(
      timeoutMillis,
      () => this.cancel(Object.assign(new Error("no answer in time"), { code: "UND_ERR_HEADERS_TIMEOUT" }))
    )
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
    Deadline.clear(this.deadline)
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
    if (this.inbox === undefined && this.cancelled === undefined && this.resentAfter(error)) return
    const failure = isTransportError(error) ? error : this.failure(error)
    // Before the headers, the answer itself failed; after them, its body.
    if (this.inbox !== undefined) this.inbox.fail(failure)
    else this.answer(Effect.fail(failure))
  }
}
