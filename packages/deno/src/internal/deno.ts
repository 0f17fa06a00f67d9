/**
 * The parts of Deno's API this package uses, typed here rather than through Deno's own `lib`
 * (whose globals would clash with Node's in the workspace's type check), and Deno's sockets as
 * `FetchTransport`'s: `fetch` with an `HttpClient` (a Unix proxy, CA and client certificate), and
 * `Deno.connect`/`Deno.connectTls` for hijacked connections.
 */
import { DockerConfigError } from "@effect-docker/client/DockerError"
import type * as FetchTransport from "@effect-docker/client/FetchTransport"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

interface DenoConn {
  readonly readable: ReadableStream<Uint8Array>
  write(bytes: Uint8Array): Promise<number>
  closeWrite(): Promise<void>
  close(): void
}

interface DenoHttpClient {
  close(): void
}

interface DenoTls {
  readonly caCerts?: Array<string> | undefined
  readonly cert?: string | undefined
  readonly key?: string | undefined
}

interface DenoApi {
  readonly version: { readonly deno: string }
  connect(
    options: { readonly transport: "unix"; readonly path: string } | {
      readonly hostname: string
      readonly port: number
    }
  ): Promise<DenoConn>
  connectTls(options: DenoTls & { readonly hostname: string; readonly port: number }): Promise<DenoConn>
  createHttpClient(
    options: DenoTls & {
      readonly proxy?: { readonly transport: "unix"; readonly path: string } | undefined
      readonly poolMaxIdlePerHost?: number | undefined
    }
  ): DenoHttpClient
}

/** Deno's API, or a `DockerConfigError` outside Deno. */
export const deno: Effect.Effect<DenoApi, DockerConfigError> = Effect.suspend(() => {
  const api = (globalThis as { readonly Deno?: DenoApi }).Deno
  return api === undefined
    ? Effect.fail(
      new DockerConfigError({ message: "@effect-docker/deno runs on Deno; on Node use @effect-docker/node" })
    )
    : Effect.succeed(api)
})

const pem = (value: string | Uint8Array) => typeof value === "string" ? value : new TextDecoder().decode(value)

/**
 * The TLS options as Deno takes them. Deno has no per-client switch for the certificate check
 * (only the `--unsafely-ignore-certificate-errors` flag) and no other name to check it against:
 * asking for either fails, rather than connect with a policy the caller did not choose.
 */
const tlsOf = (tls: FetchTransport.TlsOptions | undefined): Effect.Effect<DenoTls | undefined, DockerConfigError> => {
  if (tls === undefined) return Effect.succeed(undefined)
  if (tls.verify === false) {
    return Effect.fail(
      new DockerConfigError({
        message: "tls.verify: false is not available on Deno; run deno with " +
          "--unsafely-ignore-certificate-errors=<host> to skip the engine's certificate check"
      })
    )
  }
  if (tls.servername !== undefined) {
    return Effect.fail(
      new DockerConfigError({ message: "tls.servername is not available on Deno: connect to the certificate's name" })
    )
  }
  return Effect.succeed({
    caCerts: tls.ca === undefined ? undefined : [pem(tls.ca)],
    cert: tls.cert === undefined ? undefined : pem(tls.cert),
    key: tls.key === undefined ? undefined : pem(Redacted.value(tls.key))
  })
}

/** A connection by `Deno.connect` as a `RawSocket`: writes loop until the socket took it all. */
const toRawSocket = (conn: DenoConn): FetchTransport.RawSocket => {
  let queue = Promise.resolve()
  const writeAll = async (chunk: Uint8Array) => {
    for (let offset = 0; offset < chunk.length;) offset += await conn.write(chunk.subarray(offset))
  }
  const write = (chunk: Uint8Array) => {
    const next = queue.then(() => writeAll(chunk))
    queue = next.catch(() => undefined)
    return next
  }
  return {
    readable: conn.readable,
    write,
    closeWrite: () => queue.then(() => conn.closeWrite()),
    close: () => {
      try {
        conn.close()
      } catch {
        // closed already
      }
    }
  }
}

/** Deno's sockets for `FetchTransport.make`; the `HttpClient` is closed with the scope. */
export const sockets = (api: DenoApi): FetchTransport.RuntimeSockets => ({
  name: `Deno ${api.version.deno}`,
  fetch: (endpoint) =>
    Effect.gen(function*() {
      const { host } = endpoint
      const tls = yield* tlsOf(endpoint.tls)
      const client = yield* Effect.acquireRelease(
        // Deno checks its permissions here (a Unix socket needs --allow-read and --allow-write).
        Effect.try({
          try: () =>
            api.createHttpClient({
              ...tls,
              ...(host._tag === "Unix" ? { proxy: { transport: "unix", path: host.socketPath } } : {})
            }),
          catch: (cause) =>
            new DockerConfigError({
              message: `Deno cannot reach ${host.raw}: ${cause instanceof Error ? cause.message : String(cause)}`,
              cause
            })
        }),
        (client) => Effect.sync(() => client.close())
      )
      const hostname = host._tag === "Unix"
        ? "localhost"
        : host.hostname.includes(":")
        ? `[${host.hostname}]:${host.port}`
        : `${host.hostname}:${host.port}`
      const base = `${tls === undefined ? "http" : "https"}://${hostname}`
      return (target: string, init: RequestInit) => fetch(`${base}${target}`, { ...init, client } as RequestInit)
    }),
  connect: async (endpoint, signal) => {
    const { host } = endpoint
    const tls = Effect.runSync(Effect.either(tlsOf(endpoint.tls)))
    if (tls._tag === "Left") throw tls.left
    const conn = host._tag === "Unix"
      ? await api.connect({ transport: "unix", path: host.socketPath })
      : tls.right === undefined
      ? await api.connect({ hostname: host.hostname, port: host.port })
      : await api.connectTls({ hostname: host.hostname, port: host.port, ...tls.right })
    if (signal.aborted) {
      conn.close()
      throw signal.reason
    }
    return toRawSocket(conn)
  }
})
