import * as Effect from "effect/Effect"
import * as Http from "node:http"
import * as Https from "node:https"
import * as Net from "node:net"

/** Whether a TCP connection to `host:port` opens within `timeoutMillis`; closed at once. */
export const connects = (host: string, port: number, timeoutMillis: number): Effect.Effect<boolean> =>
  Effect.async<boolean>((resume) => {
    const socket = Net.connect({ host, port, timeout: timeoutMillis })
    const done = (open: boolean) => {
      socket.destroy()
      resume(Effect.succeed(open))
    }
    socket.once("connect", () => done(true))
    socket.once("timeout", () => done(false))
    socket.once("error", () => done(false))
    return Effect.sync(() => socket.destroy())
  })

/**
 * TLS options of an HTTP probe: the CA to trust (for a server with a certificate of the test's
 * own), or `insecure` to accept any certificate.
 */
export interface TlsOptions {
  readonly ca?: string | Uint8Array | undefined
  readonly insecure?: boolean | undefined
  readonly servername?: string | undefined
}

/** An HTTP answer: its status and body (up to 1 MiB), or why there was none. */
export type Answer =
  | { readonly _tag: "Answer"; readonly status: number; readonly body: string }
  | { readonly _tag: "NoAnswer"; readonly reason: string }

const maxBody = 1024 * 1024

/** One HTTP request, answered or not within `timeoutMillis`; never fails. */
export const request = (options: {
  readonly host: string
  readonly port: number
  readonly path: string
  readonly method: string
  readonly headers: Readonly<Record<string, string>>
  readonly tls: TlsOptions | undefined
  readonly timeoutMillis: number
}): Effect.Effect<Answer> =>
  Effect.async<Answer>((resume) => {
    const common = {
      host: options.host,
      port: options.port,
      path: options.path,
      method: options.method,
      headers: options.headers,
      timeout: options.timeoutMillis,
      agent: false as const
    }
    const done = (answer: Answer) => resume(Effect.succeed(answer))
    const onResponse = (response: Http.IncomingMessage) => {
      const chunks: Array<Buffer> = []
      let size = 0
      response.on("data", (chunk: Buffer) => {
        size += chunk.length
        if (size <= maxBody) chunks.push(chunk)
      })
      response.on("end", () =>
        done({ _tag: "Answer", status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }))
      response.on("error", (error) =>
        done({ _tag: "NoAnswer", reason: error.message }))
    }
    const sent = options.tls === undefined
      ? Http.request(common, onResponse)
      : Https.request({
        ...common,
        ...(options.tls.ca !== undefined ? { ca: Buffer.from(options.tls.ca) } : {}),
        ...(options.tls.servername !== undefined ? { servername: options.tls.servername } : {}),
        rejectUnauthorized: options.tls.insecure !== true
      }, onResponse)
    sent.on("timeout", () => sent.destroy(new Error(`no answer within ${options.timeoutMillis} ms`)))
    sent.on("error", (error) => done({ _tag: "NoAnswer", reason: error.message }))
    sent.end()
    return Effect.sync(() => sent.destroy())
  })
