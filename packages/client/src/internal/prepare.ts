/**
 * What a request needs before it may be sent: a path whose segments are valid, an API version
 * that has the operation and the options given, a query the engine can read; then the transport's
 * request, versioned, with the default headers and the layer's limits.
 */
import * as Effect from "effect/Effect"
import * as ApiVersion from "../ApiVersion.js"
import type { EngineRequest } from "../DockerEngine.js"
import { DockerConfigError, DockerConnectionError, DockerInputError, DockerVersionError } from "../DockerError.js"
import type { DockerRequest } from "../DockerTransport.js"
import type * as Limits from "../Limits.js"
import { encodeQuery } from "./query.js"

const encoder = new TextEncoder()

/** A request's name in messages: its operation, else `METHOD /path`. */
export const nameOf = (request: EngineRequest) => request.operation ?? `${request.method} ${request.path.encoded}`

const toDockerRequest = (
  request: EngineRequest,
  current: string,
  query: string,
  baseHeaders: Readonly<Record<string, string>>,
  limits: Limits.Limits
): DockerRequest => {
  let headers: DockerRequest["headers"] = baseHeaders
  let body = request.body
  if (request.json !== undefined || request.headers !== undefined) {
    const merged: Record<string, string | ReadonlyArray<string>> = { ...baseHeaders, ...request.headers }
    if (request.json !== undefined) {
      merged["content-type"] = "application/json"
      body = encoder.encode(JSON.stringify(request.json))
    }
    headers = merged
  }
  return {
    method: request.method,
    path: `/v${current}${request.path.encoded}`,
    query,
    headers,
    body,
    timeoutMillis: request.timeoutMillis,
    engineWaitMillis: request.engineWaitMillis,
    maxBodyBytes: limits.bodyBytes,
    maxErrorBytes: limits.errorBytes
  }
}

/** The transport's request, or why it may not be sent on API version `current`. */
export const prepare = (
  request: EngineRequest,
  current: string,
  baseHeaders: Readonly<Record<string, string>>,
  limits: Limits.Limits
): DockerRequest | DockerInputError | DockerVersionError => {
  const operation = () => nameOf(request)
  if (request.path.invalid !== undefined) {
    return new DockerInputError({ reason: "PathSegment", operation: operation(), message: request.path.invalid })
  }
  if (request.since !== undefined && ApiVersion.compare(current, request.since) < 0) {
    return new DockerVersionError({
      version: current,
      required: request.since,
      message:
        `${operation()} needs API version ${request.since} (for the operation or an option it was given); the engine speaks ${current}`
    })
  }
  const query = encodeQuery(request.query)
  if (typeof query !== "string") {
    return new DockerInputError({
      reason: "Option",
      operation: operation(),
      message: `${query.invalid} must be a finite number, got ${request.query![query.invalid]}`
    })
  }
  return toDockerRequest(request, current, query, baseHeaders, limits)
}

/** A version older than the oldest this client speaks. */
export const tooOld = (version: string) =>
  new DockerVersionError({
    version,
    required: ApiVersion.minimum,
    message: `API version ${version} is too old: effect-docker needs ${ApiVersion.minimum} or newer (Docker 20.10+)`
  })

/** The layer's `apiVersion`, checked: a valid version this client speaks, or none (negotiated). */
export const pinnedVersion = (
  pinned: string | undefined
): Effect.Effect<string | undefined, DockerConfigError | DockerVersionError> => {
  if (pinned === undefined) return Effect.succeed(undefined)
  if (!ApiVersion.isValid(pinned)) {
    return Effect.fail(
      new DockerConfigError({ message: `Invalid API version ${JSON.stringify(pinned)}: expected e.g. "1.41"` })
    )
  }
  return ApiVersion.compare(pinned, ApiVersion.minimum) < 0 ? Effect.fail(tooOld(pinned)) : Effect.succeed(pinned)
}

/** The headers of every request: ours, then the layer's, names in lower case. */
export const baseHeaders = (
  userAgent: string,
  headers: Readonly<Record<string, string>> | undefined
): Effect.Effect<Record<string, string>, DockerConfigError> => {
  const base: Record<string, string> = { "user-agent": userAgent }
  for (const [name, value] of Object.entries(headers ?? {})) {
    // A CR or LF would end the header and start another (or a body): header injection.
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) {
      return Effect.fail(new DockerConfigError({ message: `the header ${JSON.stringify(name)} has a line break` }))
    }
    base[name.toLowerCase()] = value
  }
  return Effect.succeed(base)
}

/** The failure of a WebSocket request on a transport that opens none. */
export const noWebsocket = (host: string) =>
  new DockerConnectionError({
    reason: "Unknown",
    host,
    message: `the transport to ${host} opens no WebSocket (the Node transport does)`
  })
