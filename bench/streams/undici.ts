/** Raw undici readers for bench/streams.ts: the least a Node client can do. */
import { Pool } from "undici"

const socketPath = (process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock").replace(/^unix:\/\//, "")

const body = async (path: string) => {
  const pool = new Pool("http://localhost", { socketPath })
  const response = await pool.request({ method: "GET", path: `/v1.41${path}`, bodyTimeout: 0 })
  return { pool, body: response.body }
}

/** The slow consumer's break, as effect-docker's (bench/streams/effect-docker.ts): 2 ms after every 4 MiB. */
const pacer = () => {
  let sinceBreak = 0
  return async (bytes: number) => {
    sinceBreak += bytes
    if (sinceBreak < 4 << 20) return
    sinceBreak = 0
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}

/** Logs, demultiplexed by hand: the payload bytes of every frame. */
export const logs = async (id: string, slow = false) => {
  const { body: chunks, pool } = await body(`/containers/${id}/logs?stdout=1&stderr=1`)
  const pace = pacer()
  let pending = Buffer.alloc(0)
  let total = 0
  for await (const chunk of chunks) {
    if (slow) await pace(chunk.length)
    let buffer = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk as Buffer
    while (buffer.length >= 8) {
      const size = buffer.readUInt32BE(4)
      if (buffer.length < 8 + size) break
      total += size
      buffer = buffer.subarray(8 + size)
    }
    pending = Buffer.from(buffer)
  }
  await pool.close()
  return total
}

const count = async (path: string, slow: boolean) => {
  const { body: chunks, pool } = await body(path)
  const pace = pacer()
  let total = 0
  for await (const chunk of chunks) {
    if (slow) await pace(chunk.length)
    total += chunk.length
  }
  await pool.close()
  return total
}

export const exportFs = (id: string, slow = false) => count(`/containers/${id}/export`, slow)

export const archive = (id: string, path: string, slow = false) =>
  count(`/containers/${id}/archive?path=${encodeURIComponent(path)}`, slow)

/**
 * undici's own body path and nothing else: its dispatcher with a handler that only counts what
 * the parser hands over and never pauses it (no Readable, no stream of ours).
 */
const dispatchCount = (path: string) =>
  new Promise<number>((resolve, reject) => {
    const pool = new Pool("http://localhost", { socketPath })
    let total = 0
    pool.dispatch({ method: "GET", path: `/v1.41${path}`, bodyTimeout: 0, headersTimeout: 0 }, {
      onConnect: () => {},
      onHeaders: (status) => {
        if (status !== 200) reject(new Error(`${path}: ${status}`))
        return true
      },
      onData: (chunk) => {
        total += chunk.length
        return true
      },
      onComplete: () => pool.close().then(() => resolve(total), reject),
      onError: reject
    })
  })

export const exportDispatched = (id: string) => dispatchCount(`/containers/${id}/export`)

export const archiveDispatched = (id: string, path: string) =>
  dispatchCount(`/containers/${id}/archive?path=${encodeURIComponent(path)}`)
