/**
 * Servers for the transport's tests: raw sockets where the test decides every byte answered.
 */
import { DockerEngine } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"

export const tempSocket = () => Path.join(Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-docker-")), "docker.sock")

/**
 * A raw server on a Unix socket: the test decides every byte it answers. Its close ends the
 * connections still open, so that a failing test does not wait on them.
 */
export const rawServer = (onConnection: (socket: Net.Socket) => void) =>
  Effect.acquireRelease(
    Effect.async<{ path: string; server: Net.Server; sockets: Set<Net.Socket> }>((resume) => {
      const path = tempSocket()
      const sockets = new Set<Net.Socket>()
      const server = Net.createServer((socket) => {
        sockets.add(socket)
        socket.once("close", () => sockets.delete(socket))
        onConnection(socket)
      })
      server.listen(path, () => resume(Effect.succeed({ path, server, sockets })))
    }),
    ({ server, sockets }) =>
      Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
        for (const socket of sockets) socket.destroy()
      })
  )

/** Reads one HTTP request head from a socket, then calls `answer`. */
export const onRequest = (answer: (socket: Net.Socket, head: string) => void) => (socket: Net.Socket) => {
  let head = ""
  const onData = (chunk: Buffer) => {
    head += chunk.toString("latin1")
    if (head.includes("\r\n\r\n")) {
      socket.off("data", onData)
      answer(socket, head)
    }
  }
  socket.on("data", onData)
  socket.on("error", () => {})
}

export const http = (status: string, headers: Record<string, string>, body: string) =>
  `HTTP/1.1 ${status}\r\n${
    Object.entries({ ...headers, "Connection": "close", "Content-Length": String(Buffer.byteLength(body)) })
      .map(([k, v]) => `${k}: ${v}\r\n`).join("")
  }\r\n${body}`

/** Waits up to 2 seconds for a condition that another party (the server, the OS) makes true. */
export const eventually = (condition: () => boolean) =>
  Effect.gen(function*() {
    for (let i = 0; i < 200 && !condition(); i++) yield* Effect.sleep("10 millis")
  })

/** The engine on a socket, alive until the test's scope closes. */
export const engineOn = (path: string, options: NodeDocker.Options = {}) =>
  Effect.map(Layer.build(pinned(path, options)), Context.get(DockerEngine.DockerEngine))

export const pinned = (path: string, options: NodeDocker.Options = {}) =>
  NodeDocker.layer({ host: `unix://${path}`, apiVersion: "1.41", ...options })
