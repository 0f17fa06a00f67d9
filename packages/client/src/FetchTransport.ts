/**
 * A `DockerTransport` made of a runtime's own `fetch` and its raw sockets, for the runtimes whose
 * `fetch` reaches a Unix socket and takes TLS client certificates (Bun, Deno): buffered and
 * streamed requests go through that `fetch` (its keep-alive pool, bounded here to `poolSize`
 * buffered requests in flight; streams are not bounded, since a follow holds its connection for
 * as long as it is read), and hijacked connections (attach, exec with stdin), which no `fetch` can
 * take over after `101 Switching Protocols`, through HTTP/1.1 written over a socket, with a
 * half-close. `@effect-docker/bun` and `@effect-docker/deno` give it their runtime's sockets.
 *
 * @since 0.2.0
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { DockerConfigError } from "./DockerError.js"
import * as DockerHost from "./DockerHost.js"
import { DockerTransport, requestDeadline, timeoutMillis, type TransportError } from "./DockerTransport.js"
import { classify } from "./internal/connectionError.js"
import * as Fetch from "./internal/fetchTransport.js"
import * as Http1 from "./internal/http1.js"

/**
 * TLS material and policy for `tcp://` and `https://` hosts, as every transport takes them.
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import type { FetchTransport } from "@effect-docker/client"
 *
 * const tls: FetchTransport.TlsOptions = { ca: "-----BEGIN CERTIFICATE-----…", key: Redacted.make("…") }
 * ```
 *
 * @since 0.2.0
 * @category models
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
 * Where the engine is: a Unix socket or a TCP address, with the TLS to use there.
 *
 * @example
 * ```ts
 * import type { FetchTransport } from "@effect-docker/client"
 *
 * const endpoint: FetchTransport.Endpoint = {
 *   host: { _tag: "Unix", socketPath: "/var/run/docker.sock", raw: "unix:///var/run/docker.sock" },
 *   tls: undefined
 * }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Endpoint {
  readonly host: DockerHost.DockerHost & { readonly _tag: "Unix" | "Tcp" }
  readonly tls: TlsOptions | undefined
}

/**
 * A connected socket as a runtime gives it: its incoming bytes, writes that resolve once taken,
 * and a half-close of the write side.
 *
 * @example
 * ```ts
 * import type { FetchTransport } from "@effect-docker/client"
 *
 * declare const socket: FetchTransport.RawSocket
 * await socket.write(new TextEncoder().encode("input\n"))
 * await socket.closeWrite()
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type RawSocket = Http1.RawSocket

/**
 * A runtime's `fetch` bound to the engine: it takes the request's path and query.
 *
 * @example
 * ```ts
 * import type { FetchTransport } from "@effect-docker/client"
 *
 * const bound: FetchTransport.BoundFetch = (target, init) => fetch(`http://127.0.0.1:2375${target}`, init)
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type BoundFetch = Fetch.Fetch

/**
 * A runtime's half of the transport: a `fetch` bound to the endpoint (it takes the request's
 * path and query; what it allocates, such as Deno's `HttpClient`, belongs to the scope), and a
 * connect for hijacked connections. A runtime that cannot honour an option fails with
 * `DockerConfigError` rather than ignore it.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { FetchTransport } from "@effect-docker/client"
 *
 * declare const connect: (endpoint: FetchTransport.Endpoint, signal: AbortSignal) => Promise<FetchTransport.RawSocket>
 * const sockets: FetchTransport.RuntimeSockets = {
 *   name: "example",
 *   fetch: (endpoint) => Effect.succeed((target, init) => fetch(`http://localhost${target}`, init)),
 *   connect
 * }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface RuntimeSockets {
  /** The runtime, for messages. */
  readonly name: string
  readonly fetch: (endpoint: Endpoint) => Effect.Effect<BoundFetch, DockerConfigError, Scope.Scope>
  readonly connect: (endpoint: Endpoint, signal: AbortSignal) => Promise<RawSocket>
}

/**
 * The options of every transport layer but SSH's.
 *
 * @example
 * ```ts
 * import type { FetchTransport } from "@effect-docker/client"
 *
 * const options: FetchTransport.Options = { host: "tcp://127.0.0.1:2375", requestTimeout: "30 seconds" }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** `unix:///path`, `tcp://host:port`, `http://...` or `https://...`; default `unix:///var/run/docker.sock`. */
  readonly host?: string | undefined
  /** TLS for a `tcp://` host (and the material for `https://`). */
  readonly tls?: TlsOptions | boolean | undefined
  /**
   * Buffered requests in flight to the engine at most (so connections kept open for them); default
   * 32. Streamed answers (logs, events, exports) take a connection each and never wait for a place.
   */
  readonly poolSize?: number | undefined
  /** How long a hijacked connection may take to connect; default 10 seconds. */
  readonly connectTimeout?: Duration.DurationInput | undefined
  /**
   * How long a buffered request may take from start to end (waiting for a place in the pool
   * included), and how long a streamed or hijacked one may wait for its headers; default 60
   * seconds. Streams that follow (logs, events) have no idle timeout.
   */
  readonly requestTimeout?: Duration.DurationInput | undefined
}

/**
 * Resolves a host string and TLS options to an endpoint, or the `DockerConfigError` that says
 * what does not fit: a malformed host, TLS asked for on a Unix socket or `http://`, or an
 * `ssh://` host, which `@effect-docker/node` reaches (elsewhere, forward the engine's socket).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FetchTransport } from "@effect-docker/client"
 *
 * const endpoint = FetchTransport.endpoint({ host: "tcp://127.0.0.1:2376", tls: true })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const endpoint = (options: Options): Effect.Effect<Endpoint, DockerConfigError> =>
  Effect.gen(function*() {
    const raw = options.host ?? DockerHost.defaultHost
    const wantsTls = options.tls !== undefined && options.tls !== false
    const host = yield* DockerHost.parse(raw, { tls: wantsTls })
    if (host._tag === "Ssh") {
      return yield* new DockerConfigError({
        message: `${raw}: ssh:// hosts are reached with @effect-docker/node; ` +
          "here, forward the engine's socket (ssh -L /tmp/docker.sock:/var/run/docker.sock) and use unix://"
      })
    }
    if (host._tag === "Unix") {
      if (wantsTls) return yield* new DockerConfigError({ message: `TLS was asked for, but ${raw} is a Unix socket` })
      return { host, tls: undefined }
    }
    if (!host.tls && wantsTls) {
      return yield* new DockerConfigError({ message: `TLS was asked for, but ${raw} is plain http://` })
    }
    return { host, tls: host.tls ? (typeof options.tls === "object" ? options.tls : {}) : undefined }
  })

/**
 * The typed error of a connection to `endpoint` that failed with `error`, from the errno codes
 * Node and Bun give, Deno's error classes, or the OS error a `fetch` message ends in.
 *
 * @example
 * ```ts
 * import { FetchTransport } from "@effect-docker/client"
 *
 * const endpoint = {
 *   host: { _tag: "Unix", socketPath: "/nowhere.sock", raw: "unix:///nowhere.sock" },
 *   tls: undefined
 * } as const
 * FetchTransport.connectionError(endpoint, Object.assign(new Error("connect"), { code: "ENOENT" }))
 * // DockerConnectionError { reason: "SocketNotFound", ... }
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export const connectionError = (endpoint: Endpoint, error: unknown): TransportError =>
  classify(endpoint.host, endpoint.tls !== undefined, error)

/**
 * The pool size and timeouts of `options` (timeouts in milliseconds, `0` for none), with their
 * defaults (32, 10 seconds, 60 seconds), or a `DockerConfigError` naming the option that is wrong.
 *
 * @example
 * ```ts
 * import { FetchTransport } from "@effect-docker/client"
 *
 * const limits = FetchTransport.limits({ poolSize: 8, requestTimeout: "30 seconds" })
 * // Effect of { poolSize: 8, connectTimeout: 10000, requestTimeout: 30000 }
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const limits = (options: Options): Effect.Effect<
  { readonly poolSize: number; readonly connectTimeout: number; readonly requestTimeout: number },
  DockerConfigError
> =>
  Effect.gen(function*() {
    const poolSize = options.poolSize ?? 32
    if (!Number.isInteger(poolSize) || poolSize < 1) {
      return yield* new DockerConfigError({ message: `poolSize must be a positive integer, got ${poolSize}` })
    }
    const connectTimeout = yield* timeoutMillis("connectTimeout", options.connectTimeout, "10 seconds")
    const requestTimeout = yield* timeoutMillis("requestTimeout", options.requestTimeout, "60 seconds")
    return { poolSize, connectTimeout, requestTimeout }
  })

/**
 * Builds the transport from `options` and a runtime's sockets; what the runtime allocates lives
 * until the scope closes.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FetchTransport } from "@effect-docker/client"
 *
 * declare const sockets: FetchTransport.RuntimeSockets
 * const transport = FetchTransport.make({ host: "unix:///var/run/docker.sock" }, sockets)
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (
  options: Options,
  sockets: RuntimeSockets
): Effect.Effect<DockerTransport["Type"], DockerConfigError, Scope.Scope> =>
  Effect.gen(function*() {
    const { connectTimeout, poolSize, requestTimeout } = yield* limits(options)
    const target = yield* endpoint(options)
    const fetch = yield* sockets.fetch(target)
    const runtime = yield* Effect.runtime<never>()
    const settings: Fetch.FetchSettings = {
      host: target.host,
      tls: target.tls !== undefined,
      connectTimeout,
      timeoutOf: (request) => requestDeadline(request, requestTimeout),
      fail: (error) => connectionError(target, error),
      connect: (signal) => sockets.connect(target, signal),
      fetch,
      poolSize
    }
    const { request, stream } = Fetch.make(settings, runtime)
    const { host } = target
    return DockerTransport.of({
      host: host.raw,
      peer: host._tag === "Unix"
        ? { transport: "unix", address: host.socketPath }
        : { transport: target.tls ? "tls" : "tcp", address: host.hostname, port: host.port },
      request,
      stream,
      upgrade: (request) => Http1.upgrade(settings, request)
    })
  })
