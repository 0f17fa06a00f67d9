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

/**
 * The wake window of a streamed answer's body (logs, an export, an archive): a chunk that follows
 * the one before within it is part of a flow, and the waiting reader is woken one window later
 * with all that came meanwhile. A wake costs a fiber's resumption and a turn of the stream's
 * channels; a 1 GiB export arrives in ~46,000 socket reads and logs in ~80,000, and a reader
 * that keeps up was woken for more than half of them. A chunk after a pause (a log line, an event) wakes
 * it at once. Hijacked connections keep no window: a reply there may be what the other side waits
 * for, and a delay would add to every round trip.
 */
export const flowWindowMs = 2

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
 * With a `windowMs`, a reader is woken late within a flow (see {@link flowWindowMs}).
 */
export class Inbox<E> {
  private buffered: Array<Uint8Array> = []
  private bytes = 0
  private done = false
  private failure: E | undefined
  private wake: (() => void) | undefined
  private wakeTimer: ReturnType<typeof setTimeout> | undefined
  private lastPush = Number.NEGATIVE_INFINITY
  constructor(private readonly drained: () => void, private readonly windowMs = 0) {}
  /** Adds a chunk; true when the source should stop until {@link drained}. */
  push(chunk: Uint8Array): boolean {
    this.buffered.push(chunk)
    this.bytes += chunk.length
    const full = this.bytes >= highWaterMark
    let flowing = false
    if (this.windowMs > 0) {
      const now = performance.now()
      flowing = now - this.lastPush < this.windowMs
      this.lastPush = now
    }
    if (this.wake !== undefined) {
      if (flowing && !full) this.wakeTimer ??= setTimeout(this.wakeLater, this.windowMs)
      else this.notify()
    }
    return full
  }
  end() {
    this.done = true
    this.notify()
  }
  fail(failure: E) {
    if (!this.done) this.failure ??= failure
    this.notify()
  }
  private readonly wakeLater = () => {
    this.wakeTimer = undefined
    this.notify()
  }
  private cancelWakeLater() {
    clearTimeout(this.wakeTimer)
    this.wakeTimer = undefined
  }
  private notify() {
    this.cancelWakeLater()
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }
  private readonly waitForData = Effect.async<void>((resume) => {
    this.wake = () => resume(Effect.void)
    return Effect.sync(() => {
      this.wake = undefined
      this.cancelWakeLater()
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
