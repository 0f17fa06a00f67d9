/**
 * Hijacked connections (attach, exec with stdin) with node:http's `upgrade` event, which hands
 * over the raw socket together with the bytes that arrived with the 101, and answers any other
 * status with its body.
 */
import {
  bodyLimit,
  type DockerRequest,
  type DockerResponse,
  type DockerUpgradedConnection,
  requestTarget,
  type TransportError
} from "@effect-docker/client/DockerTransport"
import * as Limits from "@effect-docker/client/Limits"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Http from "node:http"
import * as Https from "node:https"
import type * as Net from "node:net"
import { type Endpoint, tlsConnectOptions } from "./endpoint.js"
import { fromSocket, toHeaders } from "./inbox.js"

/** What an upgrade ends with: the hijacked socket, or another answer read to its end. */
type UpgradeResult = DockerUpgradedConnection & { readonly socket: Net.Socket } | DockerResponse

/**
 * Sends `request` to upgrade the connection; `timeout` (milliseconds, 0 for none) bounds the
 * wait for the answer, and interruption ends it in any phase.
 */
export const upgrade = (
  target: Endpoint,
  request: DockerRequest,
  timeout: number,
  fail: (error: unknown) => TransportError,
  withTimeout: (error: TransportError) => TransportError
): Effect.Effect<DockerUpgradedConnection | DockerResponse, TransportError, Scope.Scope> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(
      restore(Effect.async<UpgradeResult, TransportError>((resume, signal) => {
        const { host: h } = target
        const base = {
          method: request.method,
          path: requestTarget(request),
          // node:http writes a list as one header line per value, and changes none of them.
          headers: request.headers as Record<string, string | Array<string>>,
          signal
        }
        const req = h._tag === "Unix"
          ? Http.request({ ...base, socketPath: h.socketPath })
          : target.tls === undefined
          ? Http.request({ ...base, host: h.hostname, port: h.port })
          : Https.request({ ...base, host: h.hostname, port: h.port, ...tlsConnectOptions(target.tls) })
        // Until the engine answers: a deadline for the whole wait, not an idle timeout.
        const timer = timeout > 0
          ? setTimeout(
            () => req.destroy(Object.assign(new Error("timeout"), { code: "UND_ERR_HEADERS_TIMEOUT" })),
            timeout
          )
          : undefined
        let settled = false
        const settle = (outcome: Effect.Effect<UpgradeResult, TransportError>) => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          resume(outcome)
        }
        req.once("error", (error) => settle(Effect.fail(withTimeout(fail(error)))))
        req.once("upgrade", (response, socket, head) => {
          socket.setTimeout(0)
          const output = Stream.concat(
            head.length > 0 ? Stream.succeed(new Uint8Array(head)) : Stream.empty,
            fromSocket(socket, fail)
          )
          settle(Effect.succeed({
            status: response.statusCode ?? 101,
            headers: toHeaders(response.headers),
            output,
            socket,
            write: (chunk) =>
              Effect.async<void, TransportError>((done) => {
                socket.write(chunk, (error) => done(error ? Effect.fail(fail(error)) : Effect.void))
              }),
            closeWrite: Effect.async<void>((done) => {
              socket.end(() => done(Effect.void))
            })
          }))
        })
        // Any other answer is read to its end, within the limit of what it may be.
        req.once("response", (response) => {
          const status = response.statusCode ?? 0
          const { limit, maxBytes } = bodyLimit(request, status)
          const chunks: Array<Buffer> = []
          let bytes = 0
          response.on("data", (chunk: Buffer) => {
            bytes += chunk.length
            if (bytes <= maxBytes) return chunks.push(chunk)
            req.destroy()
            settle(Effect.fail(Limits.exceeded(limit, maxBytes, `the answer to ${request.path}`)))
          })
          response.once("end", () =>
            settle(Effect.succeed({ status, headers: toHeaders(response.headers), body: Buffer.concat(chunks) })))
          response.once("error", (error) =>
            settle(Effect.fail(fail(error))))
        })
        const body = request.body
        if (body instanceof Uint8Array) {
          req.end(body)
        } else req.end()
      })),
      (result): Effect.Effect<DockerUpgradedConnection | DockerResponse, never, Scope.Scope> => {
        if (!("socket" in result)) {
          return Effect.succeed(result)
        }
        const { socket, ...connection } = result
        return Effect.as(
          Effect.addFinalizer(() => Effect.sync(() => socket.destroy())),
          connection
        )
      }
    )
  )
