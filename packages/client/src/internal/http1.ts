/**
 * HTTP/1.1 written over a raw socket for hijacked connections (attach, exec with stdin): the
 * request, the answer's head, and then either the raw bytes after `101 Switching Protocols`, with
 * a half-close of the write side, or any other answer read to its end. For runtimes whose `fetch`
 * cannot hand a connection over (Bun, Deno).
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { DockerTimeoutError } from "../DockerError.js"
import type * as DockerHost from "../DockerHost.js"
import {
  bodyLimit,
  type DockerHeaders,
  type DockerRequest,
  type DockerResponse,
  type DockerUpgradedConnection,
  isTransportError,
  requestTarget,
  type TransportError
} from "../DockerTransport.js"
import * as Limits from "../Limits.js"
import { concat } from "./bytes.js"
import { describe } from "./connectionError.js"

/** A connected byte stream both ways, as a runtime's socket gives it. */
export interface RawSocket {
  /** The bytes the engine sends, until it closes its side. */
  readonly readable: ReadableStream<Uint8Array>
  /** Resolves once the socket took all of `chunk`. */
  readonly write: (chunk: Uint8Array) => Promise<void>
  /** Ends the write side; reading goes on. */
  readonly closeWrite: () => Promise<void>
  /** Closes both sides at once. */
  readonly close: () => void
}

/** Opens a socket to the engine; `signal` aborts a connect still under way. */
export type Connect = (signal: AbortSignal) => Promise<RawSocket>

export interface Settings {
  readonly host: DockerHost.DockerHost & { readonly _tag: "Unix" | "Tcp" }
  readonly tls: boolean
  readonly connectTimeout: number
  /** The deadline of a request in milliseconds, 0 for none. */
  readonly timeoutOf: (request: DockerRequest) => number
  readonly fail: (error: unknown) => TransportError
  readonly connect: Connect
}

/** The most bytes an answer's status line and headers may have. */
const maxHeadBytes = 64 * 1024

const encoder = new TextEncoder()
const latin1 = new TextDecoder("latin1")

const invalid = (message: string) => Object.assign(new Error(message), { code: "HPE_INVALID_RESPONSE" })

/** The bytes of a socket read so far and not yet taken. */
class Incoming {
  buffer: Uint8Array<ArrayBufferLike> = new Uint8Array(0)
  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}
  /** Reads one more chunk; false at the end of the stream. */
  async more(): Promise<boolean> {
    const { done, value } = await this.reader.read()
    if (done) return false
    this.buffer = this.buffer.length === 0 ? value : concat([this.buffer, value])
    return true
  }
  take(count: number): Uint8Array {
    const out = this.buffer.subarray(0, count)
    this.buffer = this.buffer.subarray(count)
    return out
  }
  /** The next line without its CRLF, within `max` bytes. */
  async line(max: number): Promise<string> {
    for (;;) {
      const end = indexOfCrlf(this.buffer, 0)
      if (end >= 0) {
        const text = latin1.decode(this.buffer.subarray(0, end))
        this.take(end + 2)
        return text
      }
      if (this.buffer.length > max) throw invalid("a line of the answer is too long")
      if (!(await this.more())) throw invalid("the answer ended in the middle of a line")
    }
  }
  async exactly(count: number): Promise<Uint8Array> {
    while (this.buffer.length < count) {
      if (!(await this.more())) throw invalid("the answer ended before its body")
    }
    return this.take(count)
  }
  release() {
    this.reader.releaseLock()
  }
}

const indexOfCrlf = (bytes: Uint8Array, from: number): number => {
  for (let i = from; i + 1 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10) return i
  }
  return -1
}

/** The request's head: what node:http would write for it, with `Content-Length` for a body. */
const encodeHead = (settings: Settings, request: DockerRequest, body: Uint8Array | undefined): Uint8Array => {
  const host = settings.host._tag === "Unix" ? "localhost" : `${settings.host.hostname}:${settings.host.port}`
  let head = `${request.method} ${requestTarget(request)} HTTP/1.1\r\nHost: ${host}\r\n`
  for (const name in request.headers) {
    const value = request.headers[name]!
    for (const each of typeof value === "string" ? [value] : value) {
      if (/[\r\n]/.test(name) || /[\r\n]/.test(each)) throw new TypeError(`the header ${name} holds a line break`)
      head += `${name}: ${each}\r\n`
    }
  }
  if (body !== undefined) head += `Content-Length: ${body.length}\r\n`
  return encoder.encode(`${head}\r\n`)
}

/** The answer's status and headers (names in lower case, repeats joined), after its head. */
const readHead = async (incoming: Incoming): Promise<{ status: number; headers: Record<string, string> }> => {
  const statusLine = await incoming.line(maxHeadBytes)
  const match = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(statusLine)
  if (match === null) throw invalid(`the answer does not start with an HTTP status line: ${statusLine.slice(0, 80)}`)
  const headers: Record<string, string> = {}
  let bytes = statusLine.length
  for (;;) {
    const line = await incoming.line(maxHeadBytes - bytes)
    bytes += line.length + 2
    if (bytes > maxHeadBytes) throw invalid(`the answer's headers are larger than ${maxHeadBytes} bytes`)
    if (line === "") break
    const colon = line.indexOf(":")
    if (colon <= 0) throw invalid(`the answer has a malformed header line: ${line.slice(0, 80)}`)
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`
  }
  return { status: Number(match[1]), headers }
}

/** A non-101 answer's body, framed as its headers say, within the request's limit. */
const readBody = async (
  incoming: Incoming,
  request: DockerRequest,
  status: number,
  headers: DockerHeaders
): Promise<Uint8Array> => {
  const { limit, maxBytes } = bodyLimit(request, status)
  const exceeded = () => Limits.exceeded(limit, maxBytes, `the answer to ${request.method} ${request.path}`)
  if (request.method === "HEAD" || status === 204 || status === 304) return new Uint8Array(0)
  if (/\bchunked\b/i.test(headers["transfer-encoding"] ?? "")) {
    let body: Uint8Array = new Uint8Array(0)
    for (;;) {
      const size = Number.parseInt((await incoming.line(1024)).split(";")[0]!, 16)
      if (!Number.isFinite(size) || size < 0) throw invalid("the answer has a malformed chunk size")
      if (size === 0) break
      if (body.length + size > maxBytes) throw exceeded()
      body = concat([body, await incoming.exactly(size)])
      if ((await incoming.exactly(2))[0] !== 13) throw invalid("a chunk of the answer does not end in CRLF")
    }
    while ((await incoming.line(maxHeadBytes)) !== "") {
      // trailers
    }
    return body
  }
  const declared = headers["content-length"]
  if (declared !== undefined) {
    const length = Number(declared)
    if (!Number.isSafeInteger(length) || length < 0) throw invalid(`the answer has a malformed length: ${declared}`)
    if (length > maxBytes) throw exceeded()
    return new Uint8Array(await incoming.exactly(length))
  }
  while (await incoming.more()) {
    if (incoming.buffer.length > maxBytes) throw exceeded()
  }
  return incoming.take(incoming.buffer.length)
}

type Upgraded = { readonly status: number; readonly headers: DockerHeaders; readonly rest: Uint8Array }

/**
 * Sends `request` with its upgrade headers; the connect timeout bounds the connect, the request's
 * deadline the wait for the answer, and interruption ends it in any phase. After a 101 the socket
 * belongs to the scope.
 */
export const upgrade = (
  settings: Settings,
  request: DockerRequest
): Effect.Effect<DockerUpgradedConnection | DockerResponse, TransportError, Scope.Scope> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(
      restore(Effect.async<{ socket: RawSocket; answer: Upgraded } | DockerResponse, TransportError>((resume) => {
        const controller = new AbortController()
        let socket: RawSocket | undefined
        let settled = false
        let answerTimer: ReturnType<typeof setTimeout> | undefined
        const settle = (
          outcome: Effect.Effect<{ socket: RawSocket; answer: Upgraded } | DockerResponse, TransportError>
        ) => {
          if (settled) return
          settled = true
          clearTimeout(connectTimer)
          clearTimeout(answerTimer)
          resume(outcome)
        }
        const timeout = (phase: "connect" | "request", timeoutMillis: number) => () => {
          controller.abort()
          socket?.close()
          settle(Effect.fail(
            new DockerTimeoutError({
              phase,
              host: settings.host.raw,
              timeoutMillis,
              message: phase === "connect"
                ? `connecting to ${describe(settings.host)} timed out`
                : `the engine at ${describe(settings.host)} did not answer ${request.method} ${request.path} in time`
            })
          ))
        }
        const connectTimer = settings.connectTimeout > 0
          ? setTimeout(timeout("connect", settings.connectTimeout), settings.connectTimeout)
          : undefined
        const exchange = async () => {
          const opened = await settings.connect(controller.signal)
          socket = opened
          if (settled) return undefined
          clearTimeout(connectTimer)
          const millis = settings.timeoutOf(request)
          if (millis > 0) answerTimer = setTimeout(timeout("request", millis), millis)
          const body = request.body instanceof Uint8Array ? request.body : undefined
          await opened.write(encodeHead(settings, request, body))
          if (body !== undefined && body.length > 0) await opened.write(body)
          const incoming = new Incoming(opened.readable.getReader())
          const { headers, status } = await readHead(incoming)
          if (status === 101) {
            incoming.release()
            return { socket: opened, answer: { status, headers, rest: incoming.buffer } }
          }
          const answer: DockerResponse = { status, headers, body: await readBody(incoming, request, status, headers) }
          opened.close()
          return answer
        }
        exchange().then(
          (result) => {
            if (result === undefined || settled) socket?.close()
            else settle(Effect.succeed(result))
          },
          (error) => {
            socket?.close()
            settle(Effect.fail(isTransportError(error) ? error : settings.fail(error)))
          }
        )
        return Effect.sync(() => {
          settled = true
          clearTimeout(connectTimer)
          clearTimeout(answerTimer)
          controller.abort()
          socket?.close()
        })
      })),
      (result): Effect.Effect<DockerUpgradedConnection | DockerResponse, never, Scope.Scope> => {
        if (!("socket" in result)) return Effect.succeed(result)
        const { answer, socket } = result
        const connection: DockerUpgradedConnection = {
          status: answer.status,
          headers: answer.headers,
          output: Stream.concat(
            answer.rest.length > 0 ? Stream.succeed(answer.rest) : Stream.empty,
            Stream.fromReadableStream({ evaluate: () => socket.readable, onError: settings.fail })
          ),
          write: (chunk) => Effect.tryPromise({ try: () => socket.write(chunk), catch: settings.fail }),
          closeWrite: Effect.promise(() => socket.closeWrite().catch(() => undefined))
        }
        return Effect.as(Effect.addFinalizer(() => Effect.sync(() => socket.close())), connection)
      }
    )
  )
