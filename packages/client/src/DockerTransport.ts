/**
 * The only service that touches a socket. A platform package (`@effect-docker/node`) or a test
 * layer (`@effect-docker/testing`) provides it; everything above it speaks in {@link DockerRequest}
 * and {@link DockerResponse} and never knows how the bytes travel.
 *
 * Its request and response types are our own small ones, not `@effect/platform`'s HttpClient
 * types: measured here, the platform client cost 2.4x raw undici's time per request, while this
 * interface runs at raw undici's speed (BENCHMARKS.md); and it needs a hijacked connection that
 * half-closes, which HttpClient has no verb for.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import {
  DockerConfigError,
  type DockerConnectionError,
  type DockerLimitError,
  type DockerTimeoutError
} from "./DockerError.js"
import * as DurationInput from "./internal/duration.js"

/**
 * @since 0.1.0
 * @category models
 */
export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "DELETE"

/**
 * A request as it goes on the wire: the path is already versioned and percent-encoded, the query
 * already serialized.
 *
 * @since 0.1.0
 * @category models
 */
export interface DockerRequest {
  readonly method: HttpMethod
  /** Absolute, encoded path, e.g. `/v1.41/containers/abc/json`. */
  readonly path: string
  /** Encoded query string without the leading `?`; empty when there is none. */
  readonly query: string
  /** Header names in lower case; a list is sent as one header line per value. */
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string>>>
  readonly body?: Uint8Array | Stream.Stream<Uint8Array, unknown> | undefined
  /**
   * How long to wait for the whole answer of a buffered request, or for the headers of a
   * streamed one, in milliseconds; `0` waits as long as it takes (e.g. `containers.wait`).
   * Absent: the transport's configured request timeout.
   */
  readonly timeoutMillis?: number | undefined
  /**
   * How long the engine itself waits before it answers (a stop's grace period), in milliseconds:
   * added to the transport's request timeout when `timeoutMillis` is absent.
   */
  readonly engineWaitMillis?: number | undefined
  /** The most bytes a buffered success body may have (`Limits.bodyBytes`); absent: no limit. */
  readonly maxBodyBytes?: number | undefined
  /** The most bytes the body of an error status, or a refused upgrade, may have (`Limits.errorBytes`). */
  readonly maxErrorBytes?: number | undefined
}

/**
 * Response headers, names in lower case.
 *
 * @since 0.1.0
 * @category models
 */
export type DockerHeaders = Readonly<Record<string, string | undefined>>

/**
 * An answer read to its end.
 *
 * @since 0.1.0
 * @category models
 */
export interface DockerResponse {
  readonly status: number
  readonly headers: DockerHeaders
  readonly body: Uint8Array
}

/**
 * An answer whose body arrives over time, with backpressure. The body belongs to the scope the
 * request ran in: closing the scope before the body ends aborts it and frees the socket. Each
 * chunk is handed over for good (a transport never reuses its memory), so readers may keep views
 * of it without copying.
 *
 * @since 0.1.0
 * @category models
 */
export interface DockerStreamResponse {
  readonly status: number
  readonly headers: DockerHeaders
  readonly body: Stream.Stream<Uint8Array, TransportError>
}

/**
 * A hijacked connection (HTTP `101 Switching Protocols` to raw TCP) for attach and exec with
 * stdin. Bytes the engine sent together with the 101 are the first bytes of `output`.
 *
 * @since 0.1.0
 * @category models
 */
export interface DockerUpgradedConnection {
  readonly status: number
  readonly headers: DockerHeaders
  /** Everything the engine sends after the 101, until it closes its side. */
  readonly output: Stream.Stream<Uint8Array, TransportError>
  /** Sends bytes to the engine (the process's stdin); waits while the socket is full. */
  readonly write: (chunk: Uint8Array) => Effect.Effect<void, TransportError>
  /** Half-closes the connection: the process sees end of input, its output keeps coming. */
  readonly closeWrite: Effect.Effect<void>
}

/**
 * What a transport reaches, for the `server.address`, `server.port` and `docker.transport`
 * attributes of spans: the socket path of a Unix socket, the host and port of TCP, TLS and SSH.
 *
 * @example
 * ```ts
 * import type { DockerTransport } from "@effect-docker/client"
 *
 * const peer: DockerTransport.DockerPeer = { transport: "unix", address: "/var/run/docker.sock" }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface DockerPeer {
  readonly transport: "unix" | "tcp" | "tls" | "ssh" | "npipe" | "memory" | "unknown"
  readonly address: string
  readonly port?: number | undefined
}

/**
 * @since 0.1.0
 * @category errors
 */
export type TransportError = DockerConnectionError | DockerTimeoutError | DockerLimitError

/**
 * @since 0.1.0
 * @category tags
 */
export class DockerTransport extends Context.Tag("@effect-docker/client/DockerTransport")<
  DockerTransport,
  {
    /** The engine's address as configured, for messages. */
    readonly host: string
    /** What the transport reaches, for spans; absent: read from `host`. */
    readonly peer?: DockerPeer | undefined
    /** Sends a request and reads the whole answer. */
    readonly request: (request: DockerRequest) => Effect.Effect<DockerResponse, TransportError>
    /** Sends a request and returns the answer with its body still arriving. */
    readonly stream: (request: DockerRequest) => Effect.Effect<DockerStreamResponse, TransportError, Scope.Scope>
    /**
     * Sends a request with `Connection: Upgrade` / `Upgrade: tcp` and, when the engine answers
     * 101, hands over the raw connection until the scope closes. Any other answer is returned
     * read to its end, as a {@link DockerResponse}.
     */
    readonly upgrade: (
      request: DockerRequest
    ) => Effect.Effect<DockerUpgradedConnection | DockerResponse, TransportError, Scope.Scope>
    /**
     * Opens a WebSocket to the request's path (`ContainerAttachWebsocket`), until the scope
     * closes: each binary message the engine sends is a chunk of `output`, each `write` one
     * message; `closeWrite` closes the WebSocket, which has no half-close. An answer other than
     * 101 is returned read to its end. Optional: a transport without it fails such requests.
     */
    readonly websocket?: (
      request: DockerRequest
    ) => Effect.Effect<DockerUpgradedConnection | DockerResponse, TransportError, Scope.Scope>
  }
>() {}

/**
 * Whether the result of {@link DockerTransport.upgrade} is a hijacked connection.
 *
 * @since 0.1.0
 * @category guards
 */
export const isUpgraded = (
  result: DockerUpgradedConnection | DockerResponse
): result is DockerUpgradedConnection => "output" in result

const transportErrorTags: ReadonlySet<unknown> = new Set([
  "DockerConnectionError",
  "DockerTimeoutError",
  "DockerLimitError"
])

/**
 * Whether a value is one of the errors a transport fails with (a transport's own, passed through
 * a library's abort as it is).
 *
 * @example
 * ```ts
 * import { DockerError, DockerTransport } from "@effect-docker/client"
 *
 * DockerTransport.isTransportError(new Error("x")) // false
 * ```
 *
 * @since 0.2.0
 * @category guards
 */
export const isTransportError = (value: unknown): value is TransportError =>
  typeof value === "object" && value !== null && transportErrorTags.has((value as { readonly _tag?: unknown })._tag)

/**
 * The path and query a request is sent to: `/v1.41/containers/json?all=true`.
 *
 * @example
 * ```ts
 * import { DockerTransport } from "@effect-docker/client"
 *
 * DockerTransport.requestTarget({ method: "GET", path: "/v1.41/info", query: "", headers: {} }) // "/v1.41/info"
 * ```
 *
 * @since 0.2.0
 * @category combinators
 */
export const requestTarget = (request: DockerRequest): string =>
  request.query === "" ? request.path : `${request.path}?${request.query}`

/**
 * The limit a response of `status` is read within: `maxBodyBytes` for a success, `maxErrorBytes`
 * for anything else (an error, or an upgrade the engine refused with another answer).
 *
 * @example
 * ```ts
 * import { DockerTransport } from "@effect-docker/client"
 *
 * const request = { method: "GET", path: "/x", query: "", headers: {}, maxErrorBytes: 1024 } as const
 * DockerTransport.bodyLimit(request, 500) // { limit: "errorBytes", maxBytes: 1024 }
 * ```
 *
 * @since 0.2.0
 * @category combinators
 */
export const bodyLimit = (
  request: DockerRequest,
  status: number
): { readonly limit: "bodyBytes" | "errorBytes"; readonly maxBytes: number } =>
  status >= 200 && status < 300
    ? { limit: "bodyBytes", maxBytes: request.maxBodyBytes ?? Infinity }
    : { limit: "errorBytes", maxBytes: request.maxErrorBytes ?? Infinity }

/**
 * A transport's timeout option in milliseconds, `0` for an infinite one (as Node's and undici's
 * timers take it), or a `DockerConfigError` naming the option when it is not a duration (a
 * negative or `NaN` number that `Duration.decode` would read as zero, i.e. no timeout at all).
 *
 * @example
 * ```ts
 * import { DockerTransport } from "@effect-docker/client"
 *
 * DockerTransport.timeoutMillis("connectTimeout", undefined, "10 seconds") // Either.right(10000)
 * DockerTransport.timeoutMillis("connectTimeout", -1, "10 seconds") // Either.left(DockerConfigError)
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const timeoutMillis = (
  name: string,
  input: Duration.DurationInput | undefined,
  fallback: Duration.DurationInput
): Either.Either<number, DockerConfigError> =>
  Either.match(DurationInput.toMillis(input ?? fallback), {
    onLeft: (reason) => Either.left(new DockerConfigError({ message: `${name}: ${reason}` })),
    onRight: (millis) => Either.right(millis === Infinity ? 0 : millis)
  })

/**
 * How long `request` may take in milliseconds, `0` for no deadline: its own `timeoutMillis`, else
 * the transport's request timeout (`0`: none) plus what the engine waits before it answers.
 *
 * @example
 * ```ts
 * import { DockerTransport } from "@effect-docker/client"
 *
 * const stop = { method: "POST", path: "/x", query: "", headers: {}, engineWaitMillis: 10_000 } as const
 * DockerTransport.requestDeadline(stop, 60_000) // 70000
 * ```
 *
 * @since 0.2.0
 * @category combinators
 */
export const requestDeadline = (request: DockerRequest, requestTimeoutMillis: number): number => {
  const total = request.timeoutMillis ??
    (requestTimeoutMillis === 0 ? 0 : requestTimeoutMillis + (request.engineWaitMillis ?? 0))
  return Number.isFinite(total) ? total : 0
}
