/**
 * undici's own handler interface for buffered answers: the hot path of every request.
 */
import {
  bodyLimit,
  type DockerRequest,
  type DockerResponse,
  isTransportError,
  type TransportError
} from "@effect-docker/client/DockerTransport"
import * as Limits from "@effect-docker/client/Limits"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import type { Dispatcher } from "undici"
import * as Deadline from "./deadline.js"

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
