/**
 * A `DockerTransport` that answers every request with a handler of the test's, and records what
 * was sent: test Docker-driving programs without a daemon by swapping the transport layer.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Docker } from "@effect-docker/client"
 * import { MockTransport } from "@effect-docker/testing"
 *
 * const layer = MockTransport.layerDocker((request) =>
 *   request.path.endsWith("/containers/json") ? MockTransport.json([]) : undefined
 * )
 *
 * const program = Effect.gen(function*() {
 *   const docker = yield* Docker.Docker
 *   const containers = yield* docker.containers.list({ all: true })
 *   const [sent] = yield* MockTransport.requests
 *   // sent.query.get("all") === "true"
 * }).pipe(Effect.provide(layer))
 * ```
 *
 * @since 0.1.0
 */
import * as Docker from "@effect-docker/client/Docker"
import * as DockerEngine from "@effect-docker/client/DockerEngine"
import {
  type DockerConfigError,
  DockerConnectionError,
  type DockerVersionError
} from "@effect-docker/client/DockerError"
import {
  type DockerRequest,
  type DockerResponse,
  DockerTransport,
  type DockerUpgradedConnection
} from "@effect-docker/client/DockerTransport"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"

/**
 * A request as the mock received it, body read to its end.
 *
 * @since 0.1.0
 * @category models
 */
export interface RecordedRequest {
  readonly method: DockerRequest["method"]
  /** The path as sent, with the API version, e.g. `/v1.41/containers/abc/json`. */
  readonly path: string
  readonly query: URLSearchParams
  readonly headers: DockerRequest["headers"]
  readonly body: Uint8Array
  /** The body as text. */
  readonly text: string
  /** Bytes written to a hijacked connection (stdin), in order. */
  readonly written: Array<Uint8Array>
  /** Whether the write side of a hijacked connection was closed. */
  readonly writeClosed: { value: boolean }
}

/**
 * The mock's answer to one request.
 *
 * @since 0.1.0
 * @category models
 */
export interface Reply {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: Uint8Array | string | Stream.Stream<Uint8Array>
  /** Answer an upgrade request with a hijacked connection whose output is `body`. */
  readonly hijack?: boolean
}

/**
 * Decides the answer to a request; `undefined` falls back to the mock's defaults (`/_ping`
 * answers with the mock's API version, anything else 404).
 *
 * @since 0.1.0
 * @category models
 */
export type Handler = (
  request: RecordedRequest
) => Reply | undefined | Effect.Effect<Reply | undefined, DockerConnectionError>

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/**
 * A JSON answer.
 *
 * @example
 * ```ts
 * import { MockTransport } from "@effect-docker/testing"
 *
 * const reply = MockTransport.json([{ Id: "abc", Names: ["/web"] }])
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const json = (body: unknown, status = 200): Reply => ({
  status,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body)
})

/**
 * An engine error as the engine sends it: `{"message": ...}` with a status.
 *
 * @since 0.1.0
 * @category constructors
 */
export const error = (status: number, message: string): Reply => json({ message }, status)

/**
 * An answer with no body (`204 No Content` unless told otherwise).
 *
 * @since 0.1.0
 * @category constructors
 */
export const empty = (status = 204): Reply => ({ status })

/**
 * A plain-text answer.
 *
 * @since 0.1.0
 * @category constructors
 */
export const text = (body: string, status = 200, headers: Readonly<Record<string, string>> = {}): Reply => ({
  status,
  headers: { "content-type": "text/plain", ...headers },
  body
})

/**
 * Bytes in the engine's multiplexed stdout/stderr format.
 *
 * @since 0.1.0
 * @category constructors
 */
export const multiplexed = (
  frames: ReadonlyArray<{ readonly stream: "stdin" | "stdout" | "stderr"; readonly data: string | Uint8Array }>
): Uint8Array => {
  const parts = frames.map(({ data, stream }) => {
    const payload = typeof data === "string" ? encoder.encode(data) : data
    const frame = new Uint8Array(8 + payload.length)
    frame[0] = stream === "stdin" ? 0 : stream === "stdout" ? 1 : 2
    new DataView(frame.buffer).setUint32(4, payload.length)
    frame.set(payload, 8)
    return frame
  })
  return DockerEngine.concat(parts)
}

/**
 * What a container prints, as the engine sends it for logs: multiplexed frames, or raw bytes
 * (all stdout) for a TTY container.
 *
 * @example
 * ```ts
 * import { MockTransport } from "@effect-docker/testing"
 *
 * const logs = MockTransport.output([{ stream: "stdout", data: "ready\n" }, { stream: "stderr", data: "warn\n" }])
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const output = (
  frames: ReadonlyArray<{ readonly stream: "stdout" | "stderr"; readonly data: string | Uint8Array }>,
  options: { readonly tty?: boolean } = {}
): Reply => ({
  status: 200,
  headers: {
    "content-type": options.tty === true
      ? "application/vnd.docker.raw-stream"
      : "application/vnd.docker.multiplexed-stream"
  },
  body: options.tty === true
    ? DockerEngine.concat(frames.map(({ data }) => typeof data === "string" ? encoder.encode(data) : data))
    : multiplexed(frames)
})

/**
 * A hijacked attach or exec connection whose output is `frames` (multiplexed, or raw with a
 * TTY); what the program writes to it is recorded in the request's `written`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const session = (
  frames: ReadonlyArray<{ readonly stream: "stdout" | "stderr"; readonly data: string | Uint8Array }>,
  options: { readonly tty?: boolean } = {}
): Reply => ({ ...output(frames, options), hijack: true })

/**
 * A tar archive (`getArchive`, `export`, `images.get`), as bytes or a stream; add the
 * `X-Docker-Container-Path-Stat` header for `getArchive` with `headers`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const tar = (
  body: Uint8Array | Stream.Stream<Uint8Array>,
  headers: Readonly<Record<string, string>> = {}
): Reply => ({ status: 200, headers: { "content-type": "application/x-tar", ...headers }, body })

/**
 * JSON lines, as progress streams send them.
 *
 * @since 0.1.0
 * @category constructors
 */
export const jsonLines = (events: ReadonlyArray<unknown>): Reply => ({
  status: 200,
  headers: { "content-type": "application/json" },
  body: events.map((event) => JSON.stringify(event) + "\r\n").join("")
})

/**
 * What the mock recorded; provided by its layers.
 *
 * @since 0.1.0
 * @category tags
 */
export class MockTransport extends Context.Tag("@effect-docker/testing/MockTransport")<
  MockTransport,
  { readonly requests: ReadonlyArray<RecordedRequest> }
>() {}

/**
 * The requests sent so far, oldest first.
 *
 * @since 0.1.0
 * @category accessors
 */
export const requests: Effect.Effect<ReadonlyArray<RecordedRequest>, never, MockTransport> = Effect.map(
  MockTransport,
  (mock) => mock.requests.slice()
)

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The API version `/_ping` announces when the handler does not answer it; default `1.41`. */
  readonly apiVersion?: string | undefined
}

const toBytes = (body: Reply["body"]): Effect.Effect<Uint8Array> =>
  body === undefined
    ? Effect.succeed(new Uint8Array(0))
    : typeof body === "string"
    ? Effect.succeed(encoder.encode(body))
    : body instanceof Uint8Array
    ? Effect.succeed(body)
    : DockerEngine.collect(body)

const toStream = (body: Reply["body"]): Stream.Stream<Uint8Array> =>
  body === undefined
    ? Stream.empty
    : typeof body === "string"
    ? Stream.succeed(encoder.encode(body))
    : body instanceof Uint8Array
    ? Stream.succeed(body)
    : body

const lowerCase = (headers: Readonly<Record<string, string>> | undefined) =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]))

/**
 * The mock as a `DockerTransport` layer, plus {@link MockTransport} to read what was sent.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (handler: Handler, options: Options = {}): Layer.Layer<DockerTransport | MockTransport> =>
  // Each build of the layer records its own requests: a layer value shared by tests shares no log.
  Layer.unwrapEffect(Effect.sync(() => make(handler, options)))

const make = (handler: Handler, options: Options): Layer.Layer<DockerTransport | MockTransport> => {
  const recorded: Array<RecordedRequest> = []
  const host = "mock://"
  const answer = (request: DockerRequest) =>
    Effect.gen(function*() {
      const body = request.body === undefined
        ? new Uint8Array(0)
        : request.body instanceof Uint8Array
        ? request.body
        : yield* Effect.mapError(
          DockerEngine.collect(request.body),
          (cause) =>
            new DockerConnectionError({ reason: "RequestBody", host, message: "the request body failed", cause })
        )
      const entry: RecordedRequest = {
        method: request.method,
        path: request.path,
        query: new URLSearchParams(request.query),
        headers: request.headers,
        body,
        text: decoder.decode(body),
        written: [],
        writeClosed: { value: false }
      }
      recorded.push(entry)
      const result = handler(entry)
      const reply = Effect.isEffect(result) ? yield* result : result
      if (reply !== undefined) return { entry, reply }
      if (request.path === "/_ping" || request.path.endsWith("/_ping")) {
        return { entry, reply: { ...text("OK"), headers: { "api-version": options.apiVersion ?? "1.41" } } }
      }
      return { entry, reply: error(404, `MockTransport: no answer for ${request.method} ${request.path}`) }
    })

  const buffered = (reply: Reply): Effect.Effect<DockerResponse> =>
    Effect.map(toBytes(reply.body), (body) => ({ status: reply.status, headers: lowerCase(reply.headers), body }))

  const transport = DockerTransport.of({
    host,
    peer: { transport: "memory", address: "mock" },
    request: (request) => Effect.flatMap(answer(request), ({ reply }) => buffered(reply)),
    stream: (request) =>
      Effect.map(answer(request), ({ reply }) => ({
        status: reply.status,
        headers: lowerCase(reply.headers),
        body: toStream(reply.body)
      })),
    upgrade: (request) =>
      Effect.flatMap(
        answer(request),
        ({ entry, reply }): Effect.Effect<DockerUpgradedConnection | DockerResponse> =>
          reply.hijack === true
            ? Effect.succeed<DockerUpgradedConnection>({
              status: 101,
              headers: lowerCase(reply.headers),
              output: toStream(reply.body),
              write: (chunk) => Effect.sync(() => void entry.written.push(chunk)),
              closeWrite: Effect.sync(() => {
                entry.writeClosed.value = true
              })
            })
            : buffered(reply)
      )
  })
  return Layer.merge(
    Layer.succeed(DockerTransport, transport),
    Layer.succeed(MockTransport, { requests: recorded })
  )
}

/**
 * The `Docker` service on the mock: what a unit test of a Docker-driving program provides.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerDocker = (
  handler: Handler,
  options: Options & DockerEngine.Options = {}
): Layer.Layer<
  Docker.Docker | DockerEngine.DockerEngine | DockerTransport | MockTransport,
  DockerConfigError | DockerVersionError
> => Docker.layerOn(layer(handler, options), options)
