/**
 * Where the engine is and how to reach it: TLS material, the undici pool, and what a failed
 * connection means (the reasons of `DockerConnectionError`).
 */
import { DockerConnectionError, DockerTimeoutError } from "@effect-docker/client/DockerError"
import type { TransportError } from "@effect-docker/client/DockerTransport"
import type * as FetchTransport from "@effect-docker/client/FetchTransport"
import * as Redacted from "effect/Redacted"
import { Pool } from "undici"

/** TLS material and policy for `tcp://` and `https://` hosts, as every transport takes them. */
export type TlsOptions = FetchTransport.TlsOptions

/** What the node:http upgrade path and undici both need to reach the engine. */
export type Endpoint = FetchTransport.Endpoint

/** The failure of a request's Stream body, which ends the request: `connectionError` makes it RequestBody. */
export const requestBodyError = (cause: unknown): Error => {
  const message = typeof cause === "object" && cause !== null && "message" in cause
    ? String(cause.message)
    : String(cause)
  return Object.assign(new Error(`the request body failed: ${message}`), { code: "ERR_REQUEST_BODY", cause })
}

export const connectionError = (endpoint: Endpoint, error: unknown): TransportError => {
  const host = endpoint.host.raw
  const err = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException }
  const code = String(err?.code ?? err?.cause?.code ?? "")
  const message = err?.message ?? String(error)
  const where = endpoint.host._tag === "Unix"
    ? `the socket ${endpoint.host.socketPath}`
    : `${endpoint.host.hostname}:${endpoint.host.port}`
  const fail = (reason: DockerConnectionError["reason"], text: string) =>
    new DockerConnectionError({ reason, host, message: text, cause: error })
  switch (code) {
    case "UND_ERR_CONNECT_TIMEOUT":
      return new DockerTimeoutError({
        phase: "connect",
        host,
        timeoutMillis: 0,
        message: `connecting to ${where} timed out`
      })
    case "UND_ERR_HEADERS_TIMEOUT":
    case "UND_ERR_BODY_TIMEOUT":
      return new DockerTimeoutError({
        phase: "request",
        host,
        timeoutMillis: 0,
        message: `the engine at ${where} did not answer in time`
      })
    case "ENOENT":
      return fail(
        "SocketNotFound",
        `no Docker engine socket at ${endpoint.host._tag === "Unix" ? endpoint.host.socketPath : host}: ` +
          "is the daemon running? Set DOCKER_HOST to reach another engine"
      )
    case "ECONNREFUSED":
      return fail(
        "ConnectionRefused",
        `${where} refused the connection: is the daemon listening there? (DOCKER_HOST=${host})`
      )
    case "EACCES":
    case "EPERM":
      return fail("PermissionDenied", `permission denied on ${where}: is this user allowed to use the engine?`)
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return fail("HostNotFound", `cannot resolve ${where}`)
    case "ECONNRESET":
    case "EPIPE":
    case "UND_ERR_SOCKET":
    case "UND_ERR_CLOSED":
      // A TLS handshake that the engine rejects (e.g. no client certificate) shows up as a reset.
      return endpoint.tls !== undefined && /TLS|SSL|secure/i.test(message)
        ? fail("Tls", `TLS with ${where} failed: ${message}`)
        : fail("ConnectionReset", `the connection to ${where} broke: ${message}`)
    case "ERR_REQUEST_BODY":
      return fail("RequestBody", message)
    case "HPE_INVALID_CONSTANT":
    case "HPE_INVALID_STATUS":
    case "HPE_INVALID_HEADER_TOKEN":
    case "UND_ERR_RES_CONTENT_LENGTH_MISMATCH":
      return fail("InvalidResponse", `${where} answered something that is not valid HTTP: ${message}`)
  }
  if (err?.name === "HTTPParserError") return fail("InvalidResponse", `${where} answered invalid HTTP: ${message}`)
  if (
    /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/.test(code) ||
    /SSL|TLS|certificate/i.test(message)
  ) {
    return fail("Tls", `TLS with ${where} failed: ${message}`)
  }
  if (code.startsWith("HPE_")) return fail("InvalidResponse", `${where} answered invalid HTTP: ${message}`)
  return fail("Unknown", `the request to ${where} failed: ${message}`)
}

/** An undici pool to the endpoint, of at most `connections` connections. */
export const makePool = (endpoint: Endpoint, connections: number, connectTimeout: number) => {
  const common = {
    connections,
    keepAliveTimeout: 30_000
  }
  const { host, tls } = endpoint
  if (host._tag === "Unix") {
    return new Pool("http://localhost", {
      ...common,
      socketPath: host.socketPath,
      connect: { timeout: connectTimeout }
    })
  }
  const hostname = host.hostname.includes(":") ? `[${host.hostname}]` : host.hostname
  if (tls === undefined) {
    return new Pool(`http://${hostname}:${host.port}`, { ...common, connect: { timeout: connectTimeout } })
  }
  return new Pool(`https://${hostname}:${host.port}`, {
    ...common,
    connect: { timeout: connectTimeout, ...tlsConnectOptions(tls) }
  })
}

export const tlsConnectOptions = (tls: TlsOptions) => ({
  ...(tls.ca !== undefined ? { ca: toPem(tls.ca) } : {}),
  ...(tls.cert !== undefined ? { cert: toPem(tls.cert) } : {}),
  ...(tls.key !== undefined ? { key: toPem(Redacted.value(tls.key)) } : {}),
  ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
  rejectUnauthorized: tls.verify !== false
})

const toPem = (value: string | Uint8Array): string | Buffer => typeof value === "string" ? value : Buffer.from(value)
