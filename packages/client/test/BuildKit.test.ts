/**
 * BuildKit's answer, as the engine writes it (`moby.buildkit.trace` lines of base64 protobufs),
 * made with the generated `StatusResponse` code and read back as typed events.
 */
import { create, type MessageInitShape, toBinary } from "@bufbuild/protobuf"
import { timestampFromDate } from "@bufbuild/protobuf/wkt"
import { BuildKit } from "@effect-docker/client"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Encoding from "effect/Encoding"
import * as Stream from "effect/Stream"
import { StatusResponseSchema } from "../src/generated/buildkit/github.com/moby/buildkit/api/services/control/control_pb.js"

const encoder = new TextEncoder()
const run = "sha256:run"
const from = "sha256:from"
const started = new Date("2026-12-02T10:00:00.000Z")

const trace = (status: MessageInitShape<typeof StatusResponseSchema>) =>
  JSON.stringify({
    id: "moby.buildkit.trace",
    aux: Encoding.encodeBase64(toBinary(StatusResponseSchema, create(StatusResponseSchema, status)))
  })

/** The answer's lines as the engine writes them, split at odd places as a socket splits them. */
const answer = (...lines: ReadonlyArray<string>) => {
  const bytes = encoder.encode(lines.map((line) => `${line}\r\n`).join(""))
  return Stream.fromIterable([bytes.subarray(0, 7), bytes.subarray(7, 301), bytes.subarray(301)])
}

describe("BuildKit.events", () => {
  it.effect("decodes vertices, statuses, logs and warnings in order, and the image last", () =>
    Effect.gen(function*() {
      const events = Chunk.toArray(
        yield* Stream.runCollect(BuildKit.events(answer(
          trace({
            vertexes: [{ digest: from, name: "[1/2] FROM busybox", cached: true, started: timestampFromDate(started) }]
          }),
          trace({
            vertexes: [{ digest: run, inputs: [from], name: "[2/2] RUN make", started: timestampFromDate(started) }],
            statuses: [{ ID: "layer", vertex: run, name: "extracting", current: 512n, total: 1024n }],
            logs: [{ vertex: run, stream: 1n, msg: encoder.encode("built\n") }, {
              vertex: run,
              stream: 2n,
              msg: encoder.encode("warn\n")
            }],
            warnings: [{ vertex: run, level: 1n, short: encoder.encode("JSONArgsRecommended"), url: "https://x" }]
          }),
          JSON.stringify({ id: "moby.image.id", aux: { ID: "sha256:abc" } })
        )))
      )
      expect(events.map((event) => event._tag)).toEqual([
        "Vertex",
        "Vertex",
        "Status",
        "Log",
        "Log",
        "Warning",
        "Image"
      ])
      expect(events[0]).toEqual({
        _tag: "Vertex",
        digest: from,
        name: "[1/2] FROM busybox",
        inputs: [],
        cached: true,
        started,
        completed: undefined,
        error: undefined
      })
      expect(events[1]).toMatchObject({ inputs: [from], cached: false })
      expect(events[2]).toMatchObject({ _tag: "Status", vertex: run, current: 512, total: 1024 })
      expect(events[3]).toMatchObject({ _tag: "Log", stream: "stdout", data: encoder.encode("built\n") })
      expect(events[4]).toMatchObject({ _tag: "Log", stream: "stderr" })
      expect(events[5]).toMatchObject({ _tag: "Warning", message: "JSONArgsRecommended", url: "https://x", level: 1 })
      expect(events[6]).toEqual({ _tag: "Image", id: "sha256:abc" })
    }))

  it.effect("fails at the error line with BuildError: the failed step, its last logs, the exit code", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Stream.runDrain(BuildKit.events(answer(
        trace({ vertexes: [{ digest: run, name: "[2/2] RUN exit 3" }] }),
        trace({ logs: [{ vertex: run, stream: 2n, msg: encoder.encode("about to fail\n") }] }),
        trace({ vertexes: [{ digest: run, name: "[2/2] RUN exit 3", error: "exit code: 3" }] }),
        JSON.stringify({
          errorDetail: { message: "process \"/bin/sh -c exit 3\" did not complete successfully: exit code: 3" },
          error: "process \"/bin/sh -c exit 3\" did not complete successfully: exit code: 3"
        })
      ))))
      expect(error).toMatchObject({
        _tag: "BuildError",
        code: 3,
        step: { digest: run, name: "[2/2] RUN exit 3" },
        logs: "about to fail\n"
      })
      if (error._tag !== "BuildError") return
      expect(error.message).toContain("did not complete successfully")
      expect(error.output).toBe("[2/2] RUN exit 3\nabout to fail\n")
    }))

  it.effect("a trace that is not base64 or not a StatusResponse fails with DockerStreamError", () =>
    Effect.gen(function*() {
      for (const aux of ["%%%", Encoding.encodeBase64(new Uint8Array([0x0a, 0xff, 0xff]))]) {
        const error = yield* Effect.flip(
          Stream.runDrain(BuildKit.events(answer(JSON.stringify({ id: "moby.buildkit.trace", aux }))))
        )
        expect(error._tag).toBe("DockerStreamError")
      }
    }))
})
