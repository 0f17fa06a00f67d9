/**
 * WebSockets to the engine (`ContainerAttachWebsocket`) with the `ws` package: over the Unix
 * socket (`ws+unix:`), plain TCP or TLS with the layer's certificates. The engine's binary
 * messages are the output; each write is one binary message.
 */
import {
  type DockerRequest,
  type DockerResponse,
  type DockerUpgradedConnection,
  requestTarget,
  type TransportError
} from "@effect-docker/client/DockerTransport"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type WebSocket from "ws"
import { type Endpoint, tlsConnectOptions } from "./endpoint.js"
import { Inbox, toHeaders } from "./inbox.js"

const urlOf = (target: Endpoint, request: DockerRequest) => {
  const { host } = target
  if (host._tag === "Unix") return `ws+unix://${host.socketPath}:${requestTarget(request)}`
  const hostname = host.hostname.includes(":") ? `[${host.hostname}]` : host.hostname
  return `${target.tls === undefined ? "ws" : "wss"}://${hostname}:${host.port}${requestTarget(request)}`
}

/** `ws`, loaded by the first WebSocket: most programs never open one. */
const loadWs = () => import("ws")

/**
 * Opens a WebSocket for `request`; `timeout` (milliseconds, 0 for none) bounds the handshake,
 * and interruption ends it. The socket closes with the scope.
 */
export const websocket = (
  target: Endpoint,
  request: DockerRequest,
  timeout: number,
  fail: (error: unknown) => TransportError
): Effect.Effect<DockerUpgradedConnection | DockerResponse, TransportError, Scope.Scope> =>
  Effect.flatMap(
    Effect.promise(loadWs),
    ({ default: WebSocket }) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(
          restore(Effect.async<{ socket: WebSocket } | DockerResponse, TransportError>((resume) => {
            const socket = new WebSocket(urlOf(target, request), {
              // ws adds the handshake's own headers (Connection, Upgrade, Sec-WebSocket-*).
              headers: request.headers as Record<string, string | Array<string>>,
              perMessageDeflate: false,
              ...(timeout > 0 ? { handshakeTimeout: timeout } : {}),
              ...(target.tls === undefined ? {} : tlsConnectOptions(target.tls))
            })
            socket.binaryType = "nodebuffer"
            socket.once("open", () => resume(Effect.succeed({ socket })))
            socket.once("error", (error) => resume(Effect.fail(fail(error))))
            // Any other answer (a 404 for an unknown container) is read to its end.
            socket.once("unexpected-response", (_request, response) => {
              const chunks: Array<Buffer> = []
              response.on("data", (chunk: Buffer) => chunks.push(chunk))
              response.once("end", () =>
                resume(Effect.succeed({
                  status: response.statusCode ?? 0,
                  headers: toHeaders(response.headers),
                  body: Buffer.concat(chunks)
                })))
              response.once("error", (error) => resume(Effect.fail(fail(error))))
            })
            return Effect.sync(() => socket.terminate())
          })),
          (opened): Effect.Effect<DockerUpgradedConnection | DockerResponse, never, Scope.Scope> => {
            if (!("socket" in opened)) return Effect.succeed(opened)
            const { socket } = opened
            const inbox = new Inbox<TransportError>(() => socket.resume())
            socket.on("message", (data: Buffer) => {
              if (inbox.push(data)) socket.pause()
            })
            socket.once("close", () => inbox.end())
            socket.on("error", (error) => inbox.fail(fail(error)))
            const connection: DockerUpgradedConnection = {
              status: 101,
              headers: {},
              output: inbox.stream,
              write: (chunk) =>
                Effect.async<void, TransportError>((done) => {
                  socket.send(chunk, { binary: true }, (error) => done(error ? Effect.fail(fail(error)) : Effect.void))
                }),
              // A WebSocket has no half-close: closing it ends the attach both ways.
              closeWrite: Effect.sync(() => socket.close(1000))
            }
            return Effect.as(Effect.addFinalizer(() => Effect.sync(() => socket.terminate())), connection)
          }
        )
      )
  )
