/**
 * Bytes that arrive from a socket or a parser and wait for the reader, as a Stream with
 * backpressure.
 */
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as Net from "node:net"

/** The source is told to stop while this much waits for the reader. */
const highWaterMark = 1024 * 1024

export const toHeaders = (
  raw: Record<string, string | Array<string> | undefined>
): Record<string, string | undefined> => {
  const out: Record<string, string | undefined> = {}
  for (const name in raw) {
    const value = raw[name]
    out[name] = Array.isArray(value) ? value.join(", ") : value
  }
  return out
}

/**
 * The chunks of a body that arrived and wait for the reader, as a Stream. The source is told to
 * stop (`full`) while more than 1 MiB waits, and to go on (`drained`) when the reader took it all.
 * A channel rather than repeatEffectChunkOption: no effect at all while data is waiting.
 */
export class Inbox<E> {
  private buffered: Array<Uint8Array> = []
  private bytes = 0
  private done = false
  private failure: E | undefined
  private wake: (() => void) | undefined
  constructor(private readonly drained: () => void) {}
  /** Adds a chunk; true when the source should stop until {@link drained}. */
  push(chunk: Uint8Array): boolean {
    this.buffered.push(chunk)
    this.bytes += chunk.length
    this.notify()
    return this.bytes >= highWaterMark
  }
  end() {
    this.done = true
    this.notify()
  }
  fail(failure: E) {
    if (!this.done) this.failure ??= failure
    this.notify()
  }
  private notify() {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }
  private readonly waitForData = Effect.async<void>((resume) => {
    this.wake = () => resume(Effect.void)
    return Effect.sync(() => {
      this.wake = undefined
    })
  })
  private readonly pull: Channel.Channel<Chunk.Chunk<Uint8Array>, unknown, E, unknown, void, unknown> = Channel
    .suspend(() => {
      if (this.buffered.length > 0) {
        const out = this.buffered
        this.buffered = []
        this.bytes = 0
        this.drained()
        return Channel.zipRight(Channel.write(Chunk.unsafeFromArray(out)), this.pull)
      }
      if (this.failure !== undefined) return Channel.fail(this.failure)
      if (this.done) return Channel.void
      return Channel.zipRight(Channel.fromEffect(this.waitForData), this.pull)
    })
  readonly stream: Stream.Stream<Uint8Array, E> = Stream.fromChannel(this.pull)
}

/** A hijacked socket's incoming bytes as a Stream, read from `'data'` events once it runs. */
export const fromSocket = <E>(socket: Net.Socket, onError: (error: unknown) => E): Stream.Stream<Uint8Array, E> =>
  Stream.suspend(() => {
    const inbox = new Inbox<E>(() => {
      if (socket.isPaused()) socket.resume()
    })
    socket.on("data", (chunk: Uint8Array) => {
      if (inbox.push(chunk)) socket.pause()
    })
    socket.once("end", () => inbox.end())
    socket.once("error", (error) => inbox.fail(onError(error)))
    // Closed without 'end' or 'error': the engine went away mid-stream.
    socket.once(
      "close",
      () => inbox.fail(onError(Object.assign(new Error("the body ended early"), { code: "ECONNRESET" })))
    )
    return inbox.stream
  })
