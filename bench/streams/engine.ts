/**
 * The engine's own speed for bench/streams.ts: a stream read straight off the Unix socket with an
 * HTTP/1.0 request (the engine then sends the body as it is, no chunked framing, and closes), each
 * chunk only counted. No client does less; what the engine and the kernel give is the limit.
 */
import * as Net from "node:net"

const socketPath = (process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock").replace(/^unix:\/\//, "")
const headerEnd = Buffer.from("\r\n\r\n")

/** The body bytes of `GET path`, after the status line and headers. */
export const count = (path: string) =>
  new Promise<number>((resolve, reject) => {
    const socket = Net.connect(socketPath, () => socket.write(`GET /v1.41${path} HTTP/1.0\r\nHost: docker\r\n\r\n`))
    let head: Buffer | undefined = Buffer.alloc(0)
    let total = 0
    socket.on("data", (chunk: Buffer) => {
      if (head === undefined) {
        total += chunk.length
        return
      }
      head = Buffer.concat([head, chunk])
      const end = head.indexOf(headerEnd)
      if (end === -1) return
      const status = head.subarray(0, head.indexOf("\r\n")).toString()
      if (!/^HTTP\/1\.[01] 200/.test(status)) reject(new Error(`${path}: ${status}`))
      total += head.length - end - headerEnd.length
      head = undefined
    })
    socket.on("end", () => resolve(total))
    socket.on("error", reject)
  })

export const exportFs = (id: string) => count(`/containers/${id}/export`)

export const archive = (id: string, path: string) => count(`/containers/${id}/archive?path=${encodeURIComponent(path)}`)
