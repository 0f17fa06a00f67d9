/** Raw undici readers for bench/streams.ts: the least a Node client can do. */
import { Pool } from "undici"

const socketPath = (process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock").replace(/^unix:\/\//, "")

const body = async (path: string) => {
  const pool = new Pool("http://localhost", { socketPath })
  const response = await pool.request({ method: "GET", path: `/v1.41${path}`, bodyTimeout: 0 })
  return { pool, body: response.body }
}

/** Logs, demultiplexed by hand: the payload bytes of every frame. */
export const logs = async (id: string) => {
  const { body: chunks, pool } = await body(`/containers/${id}/logs?stdout=1&stderr=1`)
  let pending = Buffer.alloc(0)
  let total = 0
  for await (const chunk of chunks) {
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

const count = async (path: string) => {
  const { body: chunks, pool } = await body(path)
  let total = 0
  for await (const chunk of chunks) total += chunk.length
  await pool.close()
  return total
}

export const exportFs = (id: string) => count(`/containers/${id}/export`)

export const archive = (id: string, path: string) => count(`/containers/${id}/archive?path=${encodeURIComponent(path)}`)
