/**
 * The engine's own speed for bench/streams.ts: a stream read straight off the Unix socket with an
 * HTTP/1.0 request (the engine then sends the body as it is, no chunked framing, and closes), each
 * chunk only counted. No client does less; what the engine and the kernel give is the limit.
 *
 * Also the floor of the library's own body path for streams (packages/node/src/internal/http1.ts),
 * measured before it was built: HTTP/1.1 with its chunked framing undone by hand over the socket,
 * each chunk only counted. It is not a client.
 */
import * as Net from "node:net"

const socketPath = (process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock").replace(/^unix:\/\//, "")
const headerEnd = Buffer.from("\r\n\r\n")

/**
 * Sends `GET path` over a socket of its own, checks the answer's head with `onHead` (it rejects
 * what it refuses), and hands every byte after the head to `onBody`: a chunk and where in it the
 * body starts.
 */
const get = (
  path: string,
  version: "1.0" | "1.1",
  onHead: (head: string) => void,
  onBody: (chunk: Buffer, from: number) => void
): Net.Socket => {
  const socket = Net.connect(
    socketPath,
    () => socket.write(`GET /v1.41${path} HTTP/${version}\r\nHost: docker\r\n\r\n`)
  )
  let head: Buffer | undefined = Buffer.alloc(0)
  socket.on("data", (chunk: Buffer) => {
    if (head === undefined) return onBody(chunk, 0)
    head = Buffer.concat([head, chunk])
    const end = head.indexOf(headerEnd)
    if (end === -1) return
    const received = head
    head = undefined
    onHead(received.subarray(0, end).toString("latin1"))
    onBody(received, end + headerEnd.length)
  })
  return socket
}

/** The body bytes of `GET path`, after the status line and headers. */
export const count = (path: string) =>
  new Promise<number>((resolve, reject) => {
    let total = 0
    const socket = get(path, "1.0", (head) => {
      const status = head.split("\r\n", 1)[0]!
      if (!/^HTTP\/1\.[01] 200/.test(status)) reject(new Error(`${path}: ${status}`))
    }, (chunk, from) => {
      total += chunk.length - from
    })
    socket.on("end", () => resolve(total))
    socket.on("error", reject)
  })

/**
 * The body bytes of `GET path` over HTTP/1.1 (keep-alive, chunked), the framing undone here: each
 * chunk's size line read, its data counted where it lies in the socket's buffer, never copied.
 */
export const countChunked = (path: string) =>
  new Promise<number>((resolve, reject) => {
    let sizeLine = ""
    let dataLeft = 0
    let crlfLeft = 0
    let total = 0
    const socket = get(path, "1.1", (head) => {
      if (!/^HTTP\/1\.1 200/.test(head)) reject(new Error(`${path}: ${head.split("\r\n", 1)[0]}`))
      if (!/^transfer-encoding: chunked\r?$/im.test(head)) reject(new Error(`${path}: the answer is not chunked`))
    }, (chunk, from) => {
      let at = from
      while (at < chunk.length) {
        if (dataLeft > 0) {
          const taken = Math.min(dataLeft, chunk.length - at)
          total += taken
          dataLeft -= taken
          at += taken
          if (dataLeft === 0) crlfLeft = 2
        } else if (crlfLeft > 0) {
          const skipped = Math.min(crlfLeft, chunk.length - at)
          crlfLeft -= skipped
          at += skipped
        } else {
          const lineEnd = chunk.indexOf(10, at)
          if (lineEnd === -1) {
            sizeLine += chunk.toString("latin1", at)
            return
          }
          sizeLine += chunk.toString("latin1", at, lineEnd)
          at = lineEnd + 1
          // parseInt stops at the CR and at any chunk extension.
          const size = Number.parseInt(sizeLine, 16)
          sizeLine = ""
          if (size === 0) {
            socket.destroy()
            return resolve(total)
          }
          dataLeft = size
        }
      }
    })
    socket.on("end", () => reject(new Error(`${path}: the connection ended before the last chunk`)))
    socket.on("error", reject)
  })

export const exportFs = (id: string) => count(`/containers/${id}/export`)

export const exportChunked = (id: string) => countChunked(`/containers/${id}/export`)

export const archiveChunked = (id: string, path: string) =>
  countChunked(`/containers/${id}/archive?path=${encodeURIComponent(path)}`)

export const archive = (id: string, path: string) => count(`/containers/${id}/archive?path=${encodeURIComponent(path)}`)
