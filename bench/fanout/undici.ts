/**
 * Raw undici's side of bench/fanout.ts, the least a Node client can do: a pool with a connection
 * per stream, frames demultiplexed by hand, each event line parsed with JSON.parse.
 */
import { setMaxListeners } from "node:events"
import { Pool } from "undici"
import type { Counters } from "../fanout.js"

const socketPath = (process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock").replace(/^unix:\/\//, "")

export const open = async (ids: ReadonlyArray<string>, counters: Counters) => {
  const pool = new Pool("http://localhost", { socketPath, connections: null })
  const controller = new AbortController()
  // One signal ends every request: a listener each, more than Node's default warning bound.
  setMaxListeners(Infinity, controller.signal)
  const read = async (path: string, onChunk: (chunk: Buffer) => void) => {
    const response = await pool.request({
      method: "GET",
      path: `/v1.41${path}`,
      bodyTimeout: 0,
      headersTimeout: 0,
      signal: controller.signal
    })
    for await (const chunk of response.body) onChunk(chunk as Buffer)
  }
  const follow = (id: string, i: number) => {
    let pending = Buffer.alloc(0)
    return read(`/containers/${id}/logs?follow=1&stdout=1&stderr=1&tail=0`, (chunk) => {
      let buffer = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk
      while (buffer.length >= 8) {
        const size = buffer.readUInt32BE(4)
        if (buffer.length < 8 + size) break
        counters.logBytes[i]! += size
        buffer = buffer.subarray(8 + size)
      }
      pending = Buffer.from(buffer)
    })
  }
  const subscribe = (i: number) => {
    let pending = ""
    const filters = encodeURIComponent(JSON.stringify({ type: ["image"] }))
    return read(`/events?filters=${filters}`, (chunk) => {
      const lines = (pending + chunk.toString("utf8")).split("\n")
      pending = lines.pop()!
      for (const line of lines) {
        if (line.length > 0 && JSON.parse(line).Type === "image") counters.events[i]!++
      }
    })
  }
  const done = Promise.allSettled([...ids.map(follow), ...counters.events.map((_, i) => subscribe(i))])
  return async () => {
    controller.abort()
    await done
    await pool.destroy()
  }
}
