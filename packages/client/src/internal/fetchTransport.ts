/**
 * Buffered and streamed requests over a runtime's own `fetch` (Bun's with `unix`, Deno's with an
 * `HttpClient`), with this client's deadlines, limits, connection bound and interruption.
 */
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import type * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { DockerTimeoutError } from "../DockerError.js"
import {
  bodyLimit,
  type DockerRequest,
  type DockerResponse,
  type DockerStreamResponse,
  isTransportError,
  requestTarget,
  type TransportError
} from "../DockerTransport.js"
import * as Limits from "../Limits.js"
import { concat } from "./bytes.js"
import { describe } from "./connectionError.js"
import { Gate } from "./gate.js"
import type { Settings } from "./http1.js"

/** A runtime's `fetch`, already bound to the engine: it takes the request's path and query. */
export type Fetch = (target: string, init: RequestInit & { readonly duplex?: "half" }) => Promise<Response>

export interface FetchSettings extends Settings {
  readonly fetch: Fetch
  readonly poolSize: number
}

const emptyBody = new Uint8Array(0)

/**
 * fetch's headers: the request's own record when every value is one string (no copy), else a
 * `Headers` with a list appended value by value (a runtime's fetch may join them in one line).
 */
const toHeaders = (headers: DockerRequest["headers"]): HeadersInit => {
  for (const name in headers) {
    if (typeof headers[name] !== "string") {
      const out = new Headers()
      for (const name in headers) {
        const value = headers[name]!
        if (typeof value === "string") out.append(name, value)
        else for (const each of value) out.append(name, each)
      }
      return out
    }
  }
  return headers as Record<string, string>
}

/** A buffered answer whose headers are read into a record when first asked for. */
class FetchedResponse implements DockerResponse {
  private decoded: Record<string, string | undefined> | undefined
  constructor(readonly status: number, private readonly raw: Headers, readonly body: Uint8Array) {}
  get headers() {
    return this.decoded ??= Object.fromEntries(this.raw)
  }
}

/** What reads an answer once its headers are in: `abort` ends the fetch, `leave` frees its place. */
type Answer<A> = (response: Response, abort: () => void, leave: () => void) => Promise<A>

interface ExchangeContext {
  readonly settings: FetchSettings
  readonly gate: Gate
  readonly init: (request: DockerRequest, signal: AbortSignal) => RequestInit & { duplex?: "half" }
  readonly timedOut: (request: DockerRequest, millis: number) => DockerTimeoutError
}

/**
 * One request's fetch, from its place in the gate to its outcome. The fiber's end is watched with
 * an observer rather than a canceler, as the Node transport does: a canceler's `onInterrupt`
 * wrapper keeps every request's objects alive longer, and the closures are the class's own.
 */
class Exchange<A> {
  private readonly controller = new AbortController()
  private readonly timer: ReturnType<typeof setTimeout> | undefined
  private readonly dequeue: () => void
  private entered = false
  private left = false
  constructor(
    private readonly context: ExchangeContext,
    private readonly fiber: Fiber.RuntimeFiber<unknown, unknown>,
    private resume: ((outcome: Effect.Effect<A, TransportError>) => void) | undefined,
    private readonly request: DockerRequest,
    private readonly answer: Answer<A>
  ) {
    fiber.addObserver(this.onFiberExit)
    const millis = context.settings.timeoutOf(request)
    this.timer = millis > 0 ? setTimeout(this.onDeadline, millis, millis) : undefined
    this.dequeue = context.gate.enter(this.onEnter)
  }
  readonly abort = () => this.controller.abort()
  readonly leave = () => {
    if (this.entered && !this.left) {
      this.left = true
      this.context.gate.leave()
    }
  }
  private readonly onEnter = () => {
    this.entered = true
    if (this.resume === undefined) return this.leave()
    const { init, settings } = this.context
    settings.fetch(requestTarget(this.request), init(this.request, this.controller.signal))
      .then((response) => this.answer(response, this.abort, this.leave))
      .then(this.onValue, this.onError)
  }
  private readonly onValue = (value: A) => this.settle(Effect.succeed(value))
  private readonly onError = (error: unknown) => {
    this.leave()
    this.settle(Effect.fail(isTransportError(error) ? error : this.context.settings.fail(error)))
  }
  private readonly onDeadline = (millis: number) => {
    this.abort()
    this.leave()
    this.settle(Effect.fail(this.context.timedOut(this.request, millis)))
  }
  private readonly onFiberExit = () => {
    if (this.resume === undefined) return
    this.abort()
    this.leave()
    this.settle(undefined)
  }
  /** Hands the outcome over once (none when the fiber is gone), and lets go of the timer and the fiber. */
  private settle(outcome: Effect.Effect<A, TransportError> | undefined) {
    const resume = this.resume
    if (resume === undefined) return
    this.resume = undefined
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.dequeue()
    this.fiber.removeObserver(this.onFiberExit)
    if (outcome !== undefined) resume(outcome)
  }
}

export const make = (settings: FetchSettings, runtime: Runtime.Runtime<never>) => {
  const gate = new Gate(settings.poolSize)
  const host = settings.host.raw

  const init = (request: DockerRequest, signal: AbortSignal): RequestInit & { duplex?: "half" } => {
    const body = request.body
    return body === undefined
      ? { method: request.method, headers: toHeaders(request.headers), signal }
      : body instanceof Uint8Array
      ? { method: request.method, headers: toHeaders(request.headers), body: body as Uint8Array<ArrayBuffer>, signal }
      : {
        method: request.method,
        headers: toHeaders(request.headers),
        body: Stream.toReadableStreamRuntime(body, runtime),
        signal,
        duplex: "half"
      }
  }

  const timedOut = (request: DockerRequest, millis: number) =>
    new DockerTimeoutError({
      phase: "request",
      host,
      timeoutMillis: millis,
      message: `the engine at ${describe(settings.host)} did not answer ${request.method} ${request.path} in time`
    })

  const exchangeContext: ExchangeContext = { settings, gate, init, timedOut }
  // A streamed answer holds its connection for as long as it is read (a follow, for hours): streams
  // pass an unbounded gate, so they neither queue behind each other nor starve buffered requests.
  const streamContext: ExchangeContext = { ...exchangeContext, gate: new Gate(Infinity) }

  /** The whole body, within the request's limit: ended at the first byte over it. */
  const readBody = async (request: DockerRequest, response: Response, abort: () => void): Promise<Uint8Array> => {
    if (response.body === null) return emptyBody
    const { limit, maxBytes } = bodyLimit(request, response.status)
    const declared = response.headers.get("content-length")
    if (maxBytes === Infinity || (declared !== null && Number(declared) <= maxBytes)) {
      return new Uint8Array(await response.arrayBuffer())
    }
    const exceeded = () => {
      abort()
      return Limits.exceeded(limit, maxBytes, `the answer to ${request.method} ${request.path}`)
    }
    if (declared !== null) throw exceeded()
    const reader = response.body.getReader()
    const chunks: Array<Uint8Array> = []
    let bytes = 0
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      bytes += value.length
      if (bytes > maxBytes) throw exceeded()
      chunks.push(value)
    }
    return concat(chunks)
  }

  /**
   * Sends `request` once a place in the context's gate is free, and settles once: with `answer`'s
   * result, a failure, the deadline, or the fiber's end (interruption), which aborts the fetch.
   */
  const send = <A>(context: ExchangeContext, request: DockerRequest, answer: Answer<A>) =>
    Effect.withFiberRuntime<A, TransportError>((fiber) =>
      Effect.async<A, TransportError>((resume) => {
        new Exchange(context, fiber, resume, request, answer)
      })
    )

  const request = (request: DockerRequest): Effect.Effect<DockerResponse, TransportError> =>
    send(exchangeContext, request, async (response, abort, leave) => {
      try {
        return new FetchedResponse(response.status, response.headers, await readBody(request, response, abort))
      } finally {
        leave()
      }
    })

  // Waiting for the headers is interruptible; once they are in, closing the scope aborts the
  // body and frees the place in the gate.
  const stream = (request: DockerRequest): Effect.Effect<DockerStreamResponse, TransportError, Scope.Scope> =>
    Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(
        restore(send(streamContext, request, (response, abort, leave) => Promise.resolve({ response, abort, leave }))),
        ({ abort, leave, response }) =>
          Effect.as(
            Effect.addFinalizer(() =>
              Effect.sync(() => {
                abort()
                leave()
              })
            ),
            {
              status: response.status,
              headers: Object.fromEntries(response.headers),
              body: response.body === null
                ? Stream.empty
                : Stream.fromReadableStream({ evaluate: () => response.body!, onError: settings.fail }).pipe(
                  Stream.ensuring(Effect.sync(leave))
                )
            } satisfies DockerStreamResponse
          )
      )
    )

  return { request, stream }
}
