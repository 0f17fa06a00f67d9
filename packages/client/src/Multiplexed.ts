/**
 * The engine's multiplexed stdout/stderr format, used by logs, attach and exec of containers
 * without a TTY: frames of an 8-byte header (stream type, three zero bytes, big-endian length)
 * and a payload. Frames may be split across chunks and many may share one chunk.
 *
 * @since 0.1.0
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { DockerStreamError } from "./DockerError.js"
import type { DockerUpgradedConnection, TransportError } from "./DockerTransport.js"

/**
 * Which stream a frame belongs to.
 *
 * @since 0.1.0
 */
export type StreamKind = "stdin" | "stdout" | "stderr"

/**
 * One demultiplexed piece of output.
 *
 * @since 0.1.0
 */
export interface Frame {
  readonly stream: StreamKind
  readonly data: Uint8Array
}

const kinds: ReadonlyArray<StreamKind> = ["stdin", "stdout", "stderr"]
const decoder = new TextDecoder()

const empty = new Uint8Array(0)

const frameSize = (buffer: Uint8Array, offset: number) =>
  ((buffer[offset + 4]! << 24) >>> 0) + (buffer[offset + 5]! << 16) + (buffer[offset + 6]! << 8) + buffer[offset + 7]!

const join = (a: Uint8Array, b: Uint8Array) => {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}

/** Appends the frame at `offset` of `buffer` to `frames`, or says why it cannot. */
const emit = (buffer: Uint8Array, offset: number, frames: Array<Frame>): DockerStreamError | undefined => {
  const type = buffer[offset]!
  const size = frameSize(buffer, offset)
  const data = buffer.subarray(offset + 8, offset + 8 + size)
  if (type === 3) {
    // The engine reports an error in-band (Go's stdcopy "systemErr").
    return new DockerStreamError({ message: `the engine reported: ${decoder.decode(data)}` })
  }
  const stream = kinds[type]
  if (stream === undefined) {
    return new DockerStreamError({ message: `unknown stream type ${type} in a multiplexed stream` })
  }
  if (size > 0) frames.push({ stream, data })
  return undefined
}

/**
 * A frame decoder that keeps a partial frame between chunks.
 */
class FrameDecoder {
  private pending: Uint8Array = empty

  push(chunk: Uint8Array): Array<Frame> | DockerStreamError {
    const frames: Array<Frame> = []
    let offset = 0
    if (this.pending.length > 0) {
      // Finish the frame begun in an earlier chunk, copying only its own bytes.
      if (this.pending.length < 8) {
        const take = Math.min(8 - this.pending.length, chunk.length)
        this.pending = join(this.pending, chunk.subarray(0, take))
        offset = take
        if (this.pending.length < 8) return frames
      }
      const needed = 8 + frameSize(this.pending, 0) - this.pending.length
      if (chunk.length - offset < needed) {
        this.pending = join(this.pending, chunk.subarray(offset))
        return frames
      }
      const frame = join(this.pending, chunk.subarray(offset, offset + needed))
      offset += needed
      this.pending = empty
      const error = emit(frame, 0, frames)
      if (error !== undefined) return error
    }
    while (chunk.length - offset >= 8) {
      if (chunk.length - offset - 8 < frameSize(chunk, offset)) break
      const error = emit(chunk, offset, frames)
      if (error !== undefined) return error
      offset += 8 + frameSize(chunk, offset)
    }
    // Keep the start of the next frame: a copy, as the chunk may be a view the transport reuses.
    if (offset < chunk.length) this.pending = chunk.slice(offset)
    return frames
  }

  get inFrame(): boolean {
    return this.pending.length > 0
  }
}

/**
 * Splits a multiplexed byte stream into frames.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Multiplexed } from "@effect-docker/client"
 *
 * const bytes = Stream.make(new Uint8Array([1, 0, 0, 0, 0, 0, 0, 2, 104, 105]))
 * const frames = Multiplexed.demux(bytes) // one stdout frame: "hi"
 * ```
 *
 * @since 0.1.0
 */
export const demux = <E, R>(self: Stream.Stream<Uint8Array, E, R>): Stream.Stream<Frame, E | DockerStreamError, R> =>
  Stream.suspend(() => {
    const decoder = new FrameDecoder()
    return self.pipe(
      Stream.mapChunksEffect((chunks) => {
        const out: Array<Frame> = []
        for (const chunk of chunks) {
          const frames = decoder.push(chunk)
          if (!Array.isArray(frames)) return Effect.fail(frames)
          for (const frame of frames) out.push(frame)
        }
        return Effect.succeed(Chunk.unsafeFromArray(out))
      }),
      Stream.concat(
        Stream.suspend(() =>
          decoder.inFrame
            ? Stream.fail(new DockerStreamError({ message: "the multiplexed stream ended inside a frame" }))
            : Stream.empty
        )
      )
    )
  })

/**
 * Output read to its end, as text per stream.
 *
 * @since 0.1.0
 */
export interface Output {
  readonly stdout: string
  readonly stderr: string
  /** stdout and stderr in the order the engine sent them. */
  readonly combined: string
}

/**
 * Reads frames to their end and decodes them as UTF-8, keeping characters split across frames.
 *
 * @since 0.1.0
 */
export const collectText = <E, R>(frames: Stream.Stream<Frame, E, R>): Effect.Effect<Output, E, R> =>
  Effect.suspend(() => {
    const decoders = { stdin: new TextDecoder(), stdout: new TextDecoder(), stderr: new TextDecoder() }
    const text = { stdin: "", stdout: "", stderr: "" }
    let combined = ""
    return Effect.map(
      Stream.runForEachChunk(frames, (chunk) =>
        Effect.sync(() => {
          for (const frame of chunk) {
            const part = decoders[frame.stream].decode(frame.data, { stream: true })
            text[frame.stream] += part
            combined += part
          }
        })),
      () => {
        const stdoutTail = decoders.stdout.decode()
        const stderrTail = decoders.stderr.decode()
        return {
          stdout: text.stdout + stdoutTail,
          stderr: text.stderr + stderrTail,
          combined: combined + stdoutTail + stderrTail
        }
      }
    )
  })

/**
 * Treats the raw output of a TTY container as one stdout stream.
 *
 * @since 0.1.0
 */
export const raw = <E, R>(self: Stream.Stream<Uint8Array, E, R>): Stream.Stream<Frame, E, R> =>
  Stream.map(self, (data) => ({ stream: "stdout", data }))

/**
 * A hijacked connection as a session: its output as frames (raw for a TTY), and its input.
 *
 * @since 0.1.0
 */
export interface Session {
  /** What the process writes; ends when it ends. Read it once. */
  readonly output: Stream.Stream<Frame, TransportError | DockerStreamError>
  /** Writes to the process's stdin. */
  readonly write: (data: string | Uint8Array) => Effect.Effect<void, TransportError>
  /** Ends the process's stdin (half-close): it reads end of input, its output keeps coming. */
  readonly closeStdin: Effect.Effect<void>
}

const textEncoder = new TextEncoder()

/**
 * The session of an attach or exec connection; `tty` says whether its output is raw.
 *
 * @since 0.1.0
 */
export const session = (connection: DockerUpgradedConnection, tty: boolean): Session => ({
  output: tty ? raw(connection.output) : demux(connection.output),
  write: (data) => connection.write(typeof data === "string" ? textEncoder.encode(data) : data),
  closeStdin: connection.closeWrite
})
