/**
 * The parts of Bun's API this package uses, typed here rather than through `bun-types` (whose
 * globals would clash with Node's in the workspace's type check), and Bun's sockets as
 * `FetchTransport`'s: `fetch` with `unix` and `tls`, and `Bun.connect` for hijacked connections.
 */
import { DockerConfigError } from "@effect-docker/client/DockerError"
import type * as FetchTransport from "@effect-docker/client/FetchTransport"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

interface BunTls {
  readonly ca?: string | Uint8Array | undefined
  readonly cert?: string | Uint8Array | undefined
  readonly key?: string | Uint8Array | undefined
  readonly rejectUnauthorized: boolean
  readonly serverName?: string | undefined
}

interface BunSocket {
  write(data: Uint8Array): number
  shutdown(halfClose?: boolean): void
  terminate(): void
  pause(): void
  resume(): void
}

interface BunSocketHandler {
  data(socket: BunSocket, data: Uint8Array): void
  drain(socket: BunSocket): void
  end(socket: BunSocket): void
  close(socket: BunSocket, error?: Error): void
  error(socket: BunSocket, error: Error): void
}

interface BunApi {
  readonly version: string
  connect(
    options:
      & ({ readonly unix: string } | { readonly hostname: string; readonly port: number })
      & { readonly tls?: BunTls | undefined; readonly allowHalfOpen: boolean; readonly socket: BunSocketHandler }
  ): Promise<BunSocket>
}

/** Bun's API, or a `DockerConfigError` outside Bun. */
export const bun: Effect.Effect<BunApi, DockerConfigError> = Effect.suspend(() => {
  const api = (globalThis as { readonly Bun?: BunApi }).Bun
  return api === undefined
    ? Effect.fail(new DockerConfigError({ message: "@effect-docker/bun runs on Bun; on Node use @effect-docker/node" }))
    : Effect.succeed(api)
})

const tlsOf = (tls: FetchTransport.TlsOptions | undefined): BunTls | undefined =>
  tls === undefined ? undefined : {
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key === undefined ? undefined : Redacted.value(tls.key),
    rejectUnauthorized: tls.verify !== false,
    serverName: tls.servername
  }

/** The most bytes that wait for the reader of a hijacked connection before the socket pauses. */
const highWaterMark = 1024 * 1024

/** A connection by `Bun.connect` as a `RawSocket`: its data as a byte stream with backpressure. */
const connect = (api: BunApi) => (endpoint: FetchTransport.Endpoint, signal: AbortSignal) =>
  new Promise<FetchTransport.RawSocket>((resolve, reject) => {
    let incoming!: ReadableStreamDefaultController<Uint8Array>
    let paused = false
    let ended = false
    const fail = (error: Error) => {
      if (ended) return
      ended = true
      incoming.error(error)
    }
    // Writes wait for 'drain' when the socket takes part of a chunk; one at a time, in order.
    let pending: { chunk: Uint8Array; done: () => void; failed: (error: Error) => void } | undefined
    let closed: Error | undefined
    const flush = (socket: BunSocket) => {
      if (pending === undefined) return
      const written = socket.write(pending.chunk)
      if (written < 0) {
        pending.failed(closed ?? Object.assign(new Error("the connection is closed"), { code: "EPIPE" }))
        pending = undefined
      } else if (written === pending.chunk.length) {
        const { done } = pending
        pending = undefined
        done()
      } else pending.chunk = pending.chunk.subarray(written)
    }
    const readable = new ReadableStream<Uint8Array>({
      start: (controller) => {
        incoming = controller
      },
      pull: () => {
        if (paused) {
          paused = false
          socketRef?.resume()
        }
      },
      cancel: () => socketRef?.terminate()
    }, { highWaterMark, size: (chunk) => chunk.length })
    let socketRef: BunSocket | undefined
    const { host } = endpoint
    api.connect({
      ...(host._tag === "Unix" ? { unix: host.socketPath } : { hostname: host.hostname, port: host.port }),
      tls: tlsOf(endpoint.tls),
      allowHalfOpen: true,
      socket: {
        // Bun hands each read in a buffer of its own; a copy keeps the chunk ours for good.
        data: (socket, data) => {
          if (ended) return
          incoming.enqueue(new Uint8Array(data))
          if ((incoming.desiredSize ?? 1) <= 0 && !paused) {
            paused = true
            socket.pause()
          }
        },
        drain: flush,
        end: () => {
          if (ended) return
          ended = true
          incoming.close()
        },
        // Once both sides are shut, Bun reports the engine's end as a close without an error.
        close: (_, error) => {
          closed = error ?? Object.assign(new Error("the connection is closed"), { code: "EPIPE" })
          pending?.failed(closed)
          pending = undefined
          if (error !== undefined) return fail(error)
          if (ended) return
          ended = true
          incoming.close()
        },
        error: (_, error) => fail(error)
      }
    }).then((socket) => {
      socketRef = socket
      if (signal.aborted) {
        socket.terminate()
        return reject(signal.reason)
      }
      let queue = Promise.resolve()
      resolve({
        readable,
        write: (chunk) => {
          const next = queue.then(() =>
            new Promise<void>((done, failed) => {
              if (closed !== undefined) return failed(closed)
              pending = { chunk, done, failed }
              flush(socket)
            })
          )
          queue = next.catch(() => undefined)
          return next
        },
        closeWrite: () => queue.then(() => socket.shutdown()),
        close: () => socket.terminate()
      })
    }, reject)
  })

/** Bun's sockets for `FetchTransport.make`. */
export const sockets = (api: BunApi): FetchTransport.RuntimeSockets => ({
  name: `Bun ${api.version}`,
  fetch: (endpoint) => {
    const { host } = endpoint
    const tls = tlsOf(endpoint.tls)
    if (host._tag === "Unix") {
      const unix = host.socketPath
      return Effect.succeed((target, init) => fetch(`http://localhost${target}`, { ...init, unix } as RequestInit))
    }
    const hostname = host.hostname.includes(":") ? `[${host.hostname}]` : host.hostname
    const base = `${tls === undefined ? "http" : "https"}://${hostname}:${host.port}`
    return Effect.succeed((target, init) => fetch(`${base}${target}`, { ...init, tls } as RequestInit))
  },
  connect: connect(api)
})
