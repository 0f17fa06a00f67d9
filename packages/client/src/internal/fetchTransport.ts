/**
 * Buffered and streamed requests over a runtime's own `fetch` (Bun's with `unix`, Deno's with an
 * `HttpClient`), with this client's deadlines, limits, connection bound and interruption.
 */
import * as Effect from "effect/Effect"
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

/** fetch's headers: a list is appended value by value (a runtime's fetch may join them in one line). */
const toHeaders = (headers: DockerRequest["headers"]): Headers => {
  const out = new Headers()
  for (const name in headers) {
    const value = headers[name]!
    if (typeof value === "string") out.append(name, value)
    else for (const each of value) out.append(name, each)
  }
  return out
}

/** A buffered answer whose headers are read into a record when first asked for. */
class FetchedResponse implements DockerResponse {
  private decoded: Record<string, string | undefined> | undefined
  constructor(readonly status: number, private readonly raw: Headers, readonly body: Uint8Array) {}
  get headers() {
    return this.decoded ??= Object.fromEntries(this.raw)
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
   * Sends `request` once a place in the gate is free, and settles once: with `answer`'s result,
   * a failure, the deadline, or (the canceler) interruption, which aborts the fetch.
   */
  const send = <A>(
    request: DockerRequest,
    answer: (response: Response, abort: () => void, leave: () => void) => Promise<A>
  ) =>
    Effect.async<A, TransportError>((resume) => {
      const controller = new AbortController()
      const abort = () => controller.abort()
      const millis = settings.timeoutOf(request)
      let settled = false
      let entered = false
      let left = false
      const leave = () => {
        if (entered && !left) {
          left = true
          gate.leave()
        }
      }
      const settle = (outcome: Effect.Effect<A, TransportError> | undefined) => {
        if (settled) return
        settled = true
        if (timer !== undefined) clearTimeout(timer)
        dequeue()
        if (outcome !== undefined) resume(outcome)
      }
      const timer = millis > 0
        ? setTimeout(() => {
          abort()
          leave()
          settle(Effect.fail(timedOut(request, millis)))
        }, millis)
        : undefined
      const dequeue = gate.enter(() => {
        entered = true
        if (settled) return leave()
        settings.fetch(requestTarget(request), init(request, controller.signal))
          .then((response) => answer(response, abort, leave))
          .then((value) => settle(Effect.succeed(value)), (error) => {
            leave()
            settle(Effect.fail(isTransportError(error) ? error : settings.fail(error)))
          })
      })
      return Effect.sync(() => {
        abort()
        leave()
        settle(undefined)
      })
    })

  const request = (request: DockerRequest): Effect.Effect<DockerResponse, TransportError> =>
    send(request, async (response, abort, leave) => {
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
        restore(send(request, (response, abort, leave) => Promise.resolve({ response, abort, leave }))),
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
