import { Multiplexed } from "@effect-docker/client"
import { MockTransport } from "@effect-docker/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

const frames = MockTransport.multiplexed([
  { stream: "stdout", data: "hello " },
  { stream: "stderr", data: "oops\n" },
  { stream: "stdout", data: "wörld\n" },
  { stream: "stdout", data: "" },
  { stream: "stderr", data: new Uint8Array(70_000).fill(97) }
])

const splitAt = (bytes: Uint8Array, cuts: ReadonlyArray<number>) => {
  const out: Array<Uint8Array> = []
  let from = 0
  for (const cut of [...cuts, bytes.length]) {
    out.push(bytes.slice(from, cut))
    from = cut
  }
  return Stream.fromIterable(out)
}

describe("Multiplexed.demux", () => {
  it.effect("gives the same text however the frames are split across chunks", () =>
    Effect.gen(function*() {
      const expected = yield* Multiplexed.collectText(Multiplexed.demux(Stream.succeed(frames)))
      expect(expected.stdout).toBe("hello wörld\n")
      expect(expected.stderr).toBe("oops\n" + "a".repeat(70_000))
      expect(expected.combined.startsWith("hello oops\nwörld\n")).toBe(true)
      // Every cut inside the first 60 bytes (headers, payloads, the split "ö"), and byte by byte.
      for (let cut = 1; cut < 60; cut++) {
        const output = yield* Multiplexed.collectText(Multiplexed.demux(splitAt(frames, [cut, cut + 3])))
        expect(output).toEqual(expected)
      }
      const oneByte = Stream.fromIterable(Array.from(frames.subarray(0, 60), (b) => new Uint8Array([b])))
      const partial = yield* Multiplexed.collectText(
        Multiplexed.demux(Stream.concat(oneByte, Stream.succeed(frames.subarray(60))))
      )
      expect(partial).toEqual(expected)
    }))

  it.effect("emits many frames from one chunk, tagged by stream", () =>
    Effect.gen(function*() {
      const out = yield* Stream.runCollect(Multiplexed.demux(Stream.succeed(frames)))
      expect(Chunk.toReadonlyArray(out).map((f) => f.stream)).toEqual(["stdout", "stderr", "stdout", "stderr"])
    }))

  it.effect("passes a frame split across chunks on as pieces of the same stream, without copying", () =>
    Effect.gen(function*() {
      const second = frames.slice(8 + 6)
      const out = Chunk.toReadonlyArray(yield* Stream.runCollect(Multiplexed.demux(splitAt(second, [10, 12]))))
      expect(out.slice(0, 3).map((f) => [f.stream, new TextDecoder().decode(f.data)])).toEqual([
        ["stderr", "oo"],
        ["stderr", "ps"],
        ["stderr", "\n"]
      ])
      // The last piece is a view of the chunk it came in, not a copy.
      const chunk = frames.slice(0, 14)
      const [piece] = Chunk.toReadonlyArray(yield* Stream.runCollect(Multiplexed.demux(Stream.succeed(chunk))))
      expect(piece!.data.buffer).toBe(chunk.buffer)
    }))

  it.effect("fails with DockerStreamError on an error frame and on a stream cut inside a frame", () =>
    Effect.gen(function*() {
      const errorFrame = new Uint8Array([3, 0, 0, 0, 0, 0, 0, 4, 98, 111, 111, 109])
      const error = yield* Effect.flip(Stream.runDrain(Multiplexed.demux(Stream.succeed(errorFrame))))
      expect(error).toMatchObject({ _tag: "DockerStreamError", message: "the engine reported: boom" })
      // Split anywhere, the error frame still gives the whole message.
      for (let at = 1; at < errorFrame.length; at++) {
        const split = yield* Effect.flip(Stream.runDrain(Multiplexed.demux(splitAt(errorFrame, [at]))))
        expect(split.message).toBe("the engine reported: boom")
      }
      const cut = yield* Effect.flip(Stream.runDrain(Multiplexed.demux(Stream.succeed(frames.subarray(0, 10)))))
      expect(cut.message).toBe("the multiplexed stream ended inside a frame")
    }))
})
