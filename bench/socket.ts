/**
 * Reading a hijacked connection: what the platform's `Socket` (`@effect/platform-node`'s
 * `NodeSocket`) costs against the Node transport's own reader (`internal/inbox`, the stream of an
 * attach or exec session) and a raw `net.Socket` listener, on the same Unix socket in one run.
 * A server writes 512 MiB in 64 KiB chunks and closes; each reader counts the bytes. The platform's
 * Socket is read both ways it offers: as a stream (what a session's output is), and pushed to a
 * handler.
 *
 *   ROUNDS=5 tsx bench/socket.ts
 */
import * as NodeSocket from "@effect/platform-node/NodeSocket"
import * as Socket from "@effect/platform/Socket"
import { type Channel, type Chunk, Effect, Stream } from "effect"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import { fromSocket } from "../packages/node/src/internal/inbox.js"
import { median } from "./stats.js"

const total = 512 * 1024 * 1024
const chunk = new Uint8Array(64 * 1024).fill(7)
const rounds = Number(process.env.ROUNDS ?? 5)
const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-docker-socket-bench-"))
const path = Path.join(dir, "s.sock")

const server = Net.createServer((socket) => {
  let sent = 0
  const pump = () => {
    while (sent < total) {
      sent += chunk.length
      if (!socket.write(chunk)) return void socket.once("drain", pump)
    }
    socket.end()
  }
  pump()
})
await new Promise<void>((resolve) => server.listen(path, resolve))

const readers: Record<string, () => Promise<number>> = {
  "raw net.Socket": () =>
    new Promise((resolve, reject) => {
      let bytes = 0
      const socket = Net.connect(path)
      socket.on("data", (data) => void (bytes += data.length))
      socket.once("end", () => resolve(bytes))
      socket.once("error", reject)
    }),
  "effect-docker's reader (Inbox)": () =>
    Effect.runPromise(
      Stream.runFold(fromSocket(Net.connect(path), (e) => e), 0, (n, data) => n + data.length)
    ),
  "@effect/platform's Socket, as a Stream": () =>
    Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const socket = yield* NodeSocket.makeNet({ path })
      // What a session's output would be: the socket's channel, read as a stream.
      // Nothing is written: the channel's input side is never read.
      const channel = Socket.toChannel<never>(socket) as unknown as Channel.Channel<
        Chunk.Chunk<Uint8Array>,
        unknown,
        Socket.SocketError
      >
      return yield* Stream.runFold(
        Stream.fromChannel(channel),
        0,
        (n, data) => n + data.length
      )
    }))),
  "@effect/platform's Socket, run with a handler": () =>
    Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      let bytes = 0
      const socket = yield* NodeSocket.makeNet({ path })
      yield* socket.run((data) => void (bytes += data.length))
      return bytes
    })))
}

const times: Record<string, Array<number>> = Object.fromEntries(Object.keys(readers).map((name) => [name, []]))
for (let round = 0; round < rounds; round++) {
  for (const [name, read] of Object.entries(readers)) {
    const started = performance.now()
    const bytes = await read()
    if (bytes !== total) throw new Error(`${name} read ${bytes} bytes of ${total}`)
    times[name]!.push(performance.now() - started)
  }
}
server.close()
Fs.rmSync(dir, { recursive: true, force: true })

const base = median(times["effect-docker's reader (Inbox)"]!)
console.log(`512 MiB over a Unix socket, ${rounds} interleaved rounds (node ${process.version}), median [min-max] ms:`)
console.log("| reader | ms | MiB/s | / effect-docker's reader |")
console.log("| --- | --- | --- | --- |")
for (const [name, xs] of Object.entries(times)) {
  const ms = median(xs)
  console.log(
    `| ${name} | ${ms.toFixed(0)} [${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}] | ${
      (512 / (ms / 1000)).toFixed(0)
    } | ${(ms / base).toFixed(2)}x |`
  )
}
