/**
 * The engine's multiplexed stdout/stderr format, used by logs, attach and exec of containers
 * without a TTY: frames of an 8-byte header (stream type, three zero bytes, big-endian length)
 * and a payload. Frames may be split across chunks and many may share one chunk. Payloads are
 * passed on as views of the chunks they arrived in, never copied.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { type DockerLimitError, DockerStreamError } from "./DockerError.js"
import type { DockerUpgradedConnection, TransportError } from "./DockerTransport.js"
import { decodeWith } from "./internal/byteDecoder.js"
import * as Limits from "./Limits.js"

/**
 * Which stream a frame belongs to.
 *
 * @since 0.1.0
 * @category models
 */
export type StreamKind = "stdin" | "stdout" | "stderr"

/**
 * One demultiplexed piece of output: a frame's payload, or the part of it that arrived in one
 * chunk (a frame split across chunks comes as several pieces of the same stream, in order).
 *
 * @since 0.1.0
 * @category models
 */
export interface Frame {
  readonly stream: StreamKind
  readonly data: Uint8Array
}

const kinds: ReadonlyArray<StreamKind> = ["stdin", "stdout", "stderr"]
const decoder = new TextDecoder()

const frameSize = (buffer: Uint8Array, offset: number) =>
  ((buffer[offset + 4]! << 24) >>> 0) + (buffer[offset + 5]! << 16) + (buffer[offset + 6]! << 8) + buffer[offset + 7]!

/** The stream type of Go's stdcopy "systemErr": the engine reports an error in-band. */
const errorType = 3

const engineError = (parts: ReadonlyArray<Uint8Array>) => {
  const text = parts.map((part) => decoder.decode(part, { stream: true })).join("") + decoder.decode()
  return new DockerStreamError({ message: `the engine reported: ${text}` })
}

/**
 * A frame decoder that never copies payload bytes: a frame split across chunks is passed on as
 * one piece per chunk, each a view of the chunk it arrived in. Only a header split across chunks
 * (8 bytes) and an error frame's message are gathered.
 */
class FrameDecoder {
  private readonly header = new Uint8Array(8)
  private headerBytes = 0
  /** Payload bytes of the current frame still to come. */
  private left = 0
  private stream: StreamKind | undefined
  /** The message of an error frame, gathered until it is whole. */
  private errorParts: Array<Uint8Array> | undefined

  constructor(private readonly maxErrorFrameBytes: number) {}

  /** Decodes a chunk into `frames`; an error ends the stream. */
  push(chunk: Uint8Array, frames: Array<Frame>): DockerStreamError | DockerLimitError | undefined {
    let offset = 0
    while (offset < chunk.length) {
      if (this.left > 0) {
        const end = Math.min(chunk.length, offset + this.left)
        const data = chunk.subarray(offset, end)
        this.left -= end - offset
        offset = end
        if (this.errorParts === undefined) {
          frames.push({ stream: this.stream!, data })
        } else {
          this.errorParts.push(data)
          if (this.left === 0) return engineError(this.errorParts)
        }
        continue
      }
      let type: number
      let size: number
      if (this.headerBytes === 0 && chunk.length - offset >= 8) {
        type = chunk[offset]!
        size = frameSize(chunk, offset)
        offset += 8
      } else {
        const take = Math.min(8 - this.headerBytes, chunk.length - offset)
        this.header.set(chunk.subarray(offset, offset + take), this.headerBytes)
        this.headerBytes += take
        offset += take
        if (this.headerBytes < 8) return undefined
        this.headerBytes = 0
        type = this.header[0]!
        size = frameSize(this.header, 0)
      }
      if (type === errorType) {
        if (size === 0) return engineError([])
        // Refused at its header: an error message claiming gigabytes is not gathered.
        if (size > this.maxErrorFrameBytes) {
          return Limits.exceeded("frameBytes", this.maxErrorFrameBytes, "the engine's in-band error message")
        }
        this.errorParts = []
      } else {
        const stream = kinds[type]
        if (stream === undefined) {
          return new DockerStreamError({ message: `unknown stream type ${type} in a multiplexed stream` })
        }
        this.stream = stream
      }
      this.left = size
    }
    return undefined
  }

  get inFrame(): boolean {
    return this.headerBytes > 0 || this.left > 0
  }
}

/**
 * Splits a multiplexed byte stream into frames. An in-band error frame (stream type 3) fails the
 * stream with the engine's message, or with `DockerLimitError` when it claims more than
 * `maxErrorFrameBytes` (default `Limits.defaults.frameBytes`); other frames are passed on in
 * pieces, whatever their size.
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
 * @category combinators
 */
export const demux = <E, R>(
  self: Stream.Stream<Uint8Array, E, R>,
  maxErrorFrameBytes: number = Limits.defaults.frameBytes
): Stream.Stream<Frame, E | DockerStreamError | DockerLimitError, R> =>
  decodeWith(() => {
    const decoder = new FrameDecoder(maxErrorFrameBytes)
    return {
      push: (chunk, out: Array<Frame>) => decoder.push(chunk, out),
      end: () =>
        decoder.inFrame ? new DockerStreamError({ message: "the multiplexed stream ended inside a frame" }) : undefined
    }
  })(self)

/**
 * Output read to its end, as text per stream.
 *
 * @since 0.1.0
 * @category models
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
 * @category combinators
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
 * @category combinators
 */
export const raw = <E, R>(self: Stream.Stream<Uint8Array, E, R>): Stream.Stream<Frame, E, R> =>
  Stream.map(self, (data) => ({ stream: "stdout", data }))

/**
 * A hijacked connection as a session: its output as frames (raw for a TTY), and its input.
 *
 * @since 0.1.0
 * @category models
 */
export interface Session {
  /**
   * What the process writes; ends when it ends. Read it once. A connection that ends while the
   * engine says the process still runs (a cut network, an engine that went away) fails it with
   * `DockerConnectionError`.
   */
  readonly output: Stream.Stream<Frame, TransportError | DockerStreamError>
  /** Writes to the process's stdin. */
  readonly write: (data: string | Uint8Array) => Effect.Effect<void, TransportError>
  /** Ends the process's stdin (half-close): it reads end of input, its output keeps coming. */
  readonly closeStdin: Effect.Effect<void>
}

/**
 * Options of {@link session}.
 *
 * @since 0.2.0
 * @category models
 */
export interface SessionOptions {
  /** The output is raw (a TTY), not multiplexed. */
  readonly tty: boolean
  /** See {@link demux}. */
  readonly maxErrorFrameBytes?: number | undefined
  /**
   * Run when the connection ends without an error, before the output ends: it tells a session
   * the engine ended from a connection that was cut (both look the same on the wire), and fails
   * in the second case.
   */
  readonly endCheck?: Effect.Effect<void, TransportError | DockerStreamError> | undefined
}

const textEncoder = new TextEncoder()

/**
 * The session of an attach or exec connection.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { DockerTransport, Multiplexed } from "@effect-docker/client"
 *
 * const open = (connection: DockerTransport.DockerUpgradedConnection) =>
 *   Multiplexed.session(connection, { tty: false, endCheck: Effect.void })
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const session = (connection: DockerUpgradedConnection, options: SessionOptions): Session => {
  const frames = options.tty ? raw(connection.output) : demux(connection.output, options.maxErrorFrameBytes)
  return {
    output: options.endCheck === undefined
      ? frames
      : Stream.concat(frames, Stream.drain(Stream.fromEffect(options.endCheck))),
    write: (data) => connection.write(typeof data === "string" ? textEncoder.encode(data) : data),
    closeStdin: connection.closeWrite
  }
}
