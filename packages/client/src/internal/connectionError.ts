/**
 * What a failed connection means, from the error a runtime's socket or fetch threw: Node and Bun
 * give errno codes (`ENOENT`, `ECONNREFUSED`, OpenSSL's `UNABLE_TO_VERIFY_LEAF_SIGNATURE`), Deno
 * error classes (`NotFound`, `ConnectionRefused`, `NotCapable` for its own permissions) or, from its fetch, only a message that ends in
 * the OS error (`No such file or directory (os error 2)`, `invalid peer certificate`).
 */
import { DockerConnectionError, DockerTimeoutError } from "../DockerError.js"
import type * as DockerHost from "../DockerHost.js"
import type { TransportError } from "../DockerTransport.js"

/** The engine as a message names it: `the socket /var/run/docker.sock`, `127.0.0.1:2376`. */
export const describe = (host: DockerHost.DockerHost): string =>
  host._tag === "Unix" ? `the socket ${host.socketPath}` : host._tag === "Tcp"
    ? `${host.hostname}:${host.port}`
    : host.raw

interface Described {
  readonly code: string
  readonly name: string
  readonly message: string
}

/** The code, class name and messages of an error and its causes, joined. */
const facts = (error: unknown): Described => {
  const codes: Array<string> = []
  const names: Array<string> = []
  const messages: Array<string> = []
  let current: unknown = error
  for (let depth = 0; depth < 4 && typeof current === "object" && current !== null; depth++) {
    const { cause, code, message, name } = current as {
      readonly code?: unknown
      readonly name?: unknown
      readonly message?: unknown
      readonly cause?: unknown
    }
    if (typeof code === "string" && code !== "") codes.push(code)
    if (typeof name === "string") names.push(name)
    if (typeof message === "string" && message !== "") messages.push(message)
    current = cause
  }
  if (messages.length === 0) messages.push(String(error))
  return { code: codes[0] ?? "", name: names.join(" "), message: messages.join(": ") }
}

const tlsCode = /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/
const tlsMessage = /SSL|TLS|certificate|handshake|UnknownIssuer|peer sent no certificates/i

/**
 * The typed error of a connection to `host` that failed with `error`; `tls` says whether the
 * connection was TLS (a reset during the handshake is then a TLS failure).
 */
export const classify = (host: DockerHost.DockerHost, tls: boolean, error: unknown): TransportError => {
  const { code, message, name } = facts(error)
  const where = describe(host)
  const fail = (reason: DockerConnectionError["reason"], text: string) =>
    new DockerConnectionError({ reason, host: host.raw, message: text, cause: error })
  const is = (codes: ReadonlyArray<string>, names: RegExp, messages: RegExp) =>
    codes.includes(code) || names.test(name) || messages.test(message)
  if (is(["ETIMEDOUT"], /TimedOut/, /timed out \(os error 110\)/)) {
    return new DockerTimeoutError({
      phase: "connect",
      host: host.raw,
      timeoutMillis: 0,
      message: `connecting to ${where} timed out`
    })
  }
  if (is(["ENOENT"], /NotFound/, /No such file or directory|os error 2\)/)) {
    return fail(
      "SocketNotFound",
      `no Docker engine socket at ${host._tag === "Unix" ? host.socketPath : host.raw}: ` +
        "is the daemon running? Set DOCKER_HOST to reach another engine"
    )
  }
  if (is(["ECONNREFUSED"], /ConnectionRefused/, /Connection refused|os error 111\)/)) {
    return fail(
      "ConnectionRefused",
      `${where} refused the connection: is the daemon listening there? (DOCKER_HOST=${host.raw})`
    )
  }
  // Deno's own permissions (--allow-net, --allow-write), not the socket's: its message names the flag.
  if (/NotCapable/.test(name) || /run again with the --allow-/.test(message)) {
    return fail("PermissionDenied", `Deno's permissions do not reach ${where}: ${message}`)
  }
  if (is(["EACCES", "EPERM"], /PermissionDenied/, /Permission denied|os error 13\)/)) {
    return fail("PermissionDenied", `permission denied on ${where}: is this user allowed to use the engine?`)
  }
  if (is(["ENOTFOUND", "EAI_AGAIN"], /^$/, /failed to lookup address|Name or service not known|dns error/i)) {
    return fail("HostNotFound", `cannot resolve ${where}`)
  }
  if (tlsCode.test(code) || (tls && tlsMessage.test(message))) {
    return fail("Tls", `TLS with ${where} failed: ${message}`)
  }
  if (
    is(
      ["ECONNRESET", "EPIPE", "ECONNABORTED"],
      /ConnectionReset|ConnectionAborted|BrokenPipe|UnexpectedEof/,
      /reset by peer|Broken pipe|os error 104\)|os error 32\)|connection closed before message completed/i
    )
  ) {
    return fail("ConnectionReset", `the connection to ${where} broke: ${message}`)
  }
  if (/InvalidData|HPE_|parse/i.test(`${code} ${name}`) || /invalid HTTP|malformed/i.test(message)) {
    return fail("InvalidResponse", `${where} answered something that is not valid HTTP: ${message}`)
  }
  return fail("Unknown", `the request to ${where} failed: ${message}`)
}
