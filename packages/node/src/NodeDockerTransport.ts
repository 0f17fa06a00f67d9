/**
 * `DockerTransport` for Node.js over a Unix socket, plain TCP or TCP with TLS.
 *
 * Buffered requests go through an undici connection pool with keep-alive (undici measured faster
 * than node:http here; see BENCHMARKS.md). Streamed answers take connections of their own, read
 * without undici: its body path cost ~500 ms of CPU per GiB more than the framing needs. Hijacked
 * connections (attach, exec with stdin) use node:http's `upgrade` event, which hands over the raw
 * socket together with the bytes that arrived with the 101, and answers any other status with its
 * body.
 *
 * @since 0.1.0
 */
import { DockerConfigError, type DockerConnectionError, DockerTimeoutError } from "@effect-docker/client/DockerError"
import * as DockerHost from "@effect-docker/client/DockerHost"
import {
  type DockerRequest,
  type DockerResponse,
  type DockerStreamResponse,
  DockerTransport,
  requestDeadline,
  requestTarget,
  timeoutMillis,
  type TransportError
} from "@effect-docker/client/DockerTransport"
import * as FetchTransport from "@effect-docker/client/FetchTransport"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Endpoint from "./internal/endpoint.js"
import { BufferedHandler } from "./internal/handlers.js"
import * as NodeContext from "./internal/nodeContext.js"
import * as SshTunnel from "./internal/sshTunnel.js"
import { type StreamAnswer, StreamClient } from "./internal/streamClient.js"
import * as Upgrade from "./internal/upgrade.js"
import * as Websocket from "./internal/websocket.js"

/**
 * TLS material and policy for `tcp://` and `https://` hosts.
 *
 * @since 0.1.0
 * @category models
 */
export type TlsOptions = Endpoint.TlsOptions

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** `unix:///path`, `tcp://host:port`, `http://...` or `https://...`; default `unix:///var/run/docker.sock`. */
  readonly host?: string | undefined
  /** TLS for a `tcp://` host (and the material for `https://`). */
  readonly tls?: TlsOptions | boolean | undefined
  /** Identity and host-key policy for an `ssh://` host. */
  readonly ssh?: SshTunnel.SshOptions | undefined
  /**
   * Connections open at most for buffered requests; default 32. Streamed answers (logs, events,
   * exports) use connections of their own, one per stream, so a follow never waits for a place
   * and never holds one; of those, at most `poolSize` that ended cleanly wait 30 seconds for the
   * next stream, without keeping the process alive.
   */
  readonly poolSize?: number | undefined
  /** Default 10 seconds. */
  readonly connectTimeout?: Duration.DurationInput | undefined
  /**
   * How long a buffered request may take from start to end (waiting for a free connection
   * included), and how long a streamed or hijacked one may wait for its headers; default 60
   * seconds. Streams that follow (logs, events) have no idle timeout. A deadline of a second or more
   * fires within 100 ms after its time (one timer sweeps them all); a shorter one is exact.
   */
  readonly requestTimeout?: Duration.DurationInput | undefined
}

/**
 * Resolves a host string and TLS options to an endpoint; a malformed host fails here, when the
 * layer is built. An `ssh://` host opens its tunnel (closed with the scope) and is reached
 * through the tunnel's socket.
 *
 * @since 0.1.0
 * @category combinators
 */
export const endpoint = (
  options: Options
): Effect.Effect<Endpoint.Endpoint, DockerConfigError | DockerConnectionError | DockerTimeoutError, Scope.Scope> =>
  Effect.gen(function*() {
    const raw = options.host ?? DockerHost.defaultHost
    const wantsTls = options.tls !== undefined && options.tls !== false
    const host = yield* DockerHost.parse(raw, { tls: wantsTls })
    if (host._tag === "Ssh") {
      if (wantsTls) {
        return yield* new DockerConfigError({ message: `TLS was asked for, but ${raw} is reached over SSH` })
      }
      const connectTimeout = yield* timeoutMillis("connectTimeout", options.connectTimeout, "10 seconds")
      const tunnel = yield* SshTunnel.open(host, options.ssh, connectTimeout).pipe(Effect.provide(NodeContext.layer))
      return { host: { _tag: "Unix", socketPath: tunnel.socketPath, raw }, tls: undefined }
    }
    return yield* FetchTransport.endpoint(options)
  })

/**
 * Builds the transport; the pool lives until the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options = {}
): Effect.Effect<
  DockerTransport["Type"],
  DockerConfigError | DockerConnectionError | DockerTimeoutError,
  Scope.Scope
> =>
  Effect.gen(function*() {
    const { connectTimeout, poolSize, requestTimeout } = yield* FetchTransport.limits(options)
    const target = yield* endpoint(options)
    const pool = yield* Effect.acquireRelease(
      Effect.sync(() => Endpoint.makePool(target, poolSize, connectTimeout)),
      (pool) => Effect.promise(() => pool.destroy())
    )
    const runtime = yield* Effect.runtime<never>()
    // A streamed answer holds its connection for as long as it is read: a follow may hold it for
    // hours. Streams get connections of their own, unbounded, as in dockerode and the Go SDK, so
    // that 64 follows neither queue behind each other nor starve the buffered requests.
    const streams = yield* Effect.acquireRelease(
      Effect.sync(() => new StreamClient(target, connectTimeout, poolSize, runtime)),
      (client) => Effect.sync(() => client.close())
    )
    const fail = (error: unknown) => Endpoint.connectionError(target, error)
    const host = target.host.raw

    const requestBody = (body: DockerRequest["body"]) =>
      body === undefined || body instanceof Uint8Array
        ? body
        : Stream.toAsyncIterableRuntime(Stream.mapError(body, Endpoint.requestBodyError), runtime)

    /** The request's own deadline, else the layer's plus what the engine waits before it answers. */
    const timeoutOf = (request: DockerRequest) => requestDeadline(request, requestTimeout)

    /**
     * undici's options for a request. Our own timers bound the wait (see the handlers); undici's
     * are off, and a streamed body has no idle timeout (follows wait).
     */
    const dispatchOptions = (request: DockerRequest) => ({
      method: request.method,
      path: requestTarget(request),
      // undici reads a list as one header line per value, and changes none of them.
      headers: request.headers as Record<string, string | Array<string>>,
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
          handler.send(pool, dispatchOptions(request), poolSize)
        })
      )

    // Waiting for the headers is interruptible (the handler's cancel ends the request in any
    // phase); once they are in, the close of the answer is in the scope.
    const stream = (request: DockerRequest) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(
          restore(
            Effect.async<StreamAnswer, TransportError>((resume) => {
              const exchange = streams.send(
                request,
                timeoutOf(request),
                (error) => withTimeoutMillis(request, fail(error)),
                resume
              )
              return Effect.sync(() => exchange.cancel())
            })
          ),
          ({ close, ...response }) => Effect.as(Effect.addFinalizer(() => close), response as DockerStreamResponse)
        )
      )

    const upgrade = (request: DockerRequest) =>
      Upgrade.upgrade(target, request, timeoutOf(request), fail, (error) => withTimeoutMillis(request, error))

    const websocket = (request: DockerRequest) =>
      Websocket.websocket(target, request, timeoutOf(request), (error) => withTimeoutMillis(request, fail(error)))

    // An ssh:// host is reached through its tunnel's socket: its spans name the SSH host, read
    // from `host`; TCP says whether it is TLS, which `host` may not.
    const peer = target.host._tag === "Tcp"
      ? {
        transport: target.tls ? "tls" as const : "tcp" as const,
        address: target.host.hostname,
        port: target.host.port
      }
      : undefined
    return DockerTransport.of({ host, peer, request, stream, upgrade, websocket })
  })

/**
 * The Node transport as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options?: Options
): Layer.Layer<DockerTransport, DockerConfigError | DockerConnectionError | DockerTimeoutError> =>
  Layer.scoped(DockerTransport, make(options))
