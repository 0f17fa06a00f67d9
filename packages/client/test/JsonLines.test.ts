import { JsonLines } from "@effect-docker/client"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"

const Event = Schema.Struct({ n: Schema.Number, text: Schema.optionalWith(Schema.String, { nullable: true }) })
const decode = JsonLines.decode(Event, "an event")
const bytes = new TextEncoder().encode(
  "{\"n\":1,\"text\":\"ünï\"}\r\n\n{\"n\":2,\"text\":null,\"extra\":true}\n{\"n\":3}"
)

describe("JsonLines.decode", () => {
  it.effect("decodes one value per line whatever the chunking, including characters split across chunks", () =>
    Effect.gen(function*() {
      for (let cut = 1; cut < bytes.length; cut++) {
        const chunks = Stream.make(bytes.slice(0, cut), bytes.slice(cut))
        const values = Chunk.toReadonlyArray(yield* Stream.runCollect(decode(chunks)))
        expect(values).toEqual([{ n: 1, text: "ünï" }, { n: 2 }, { n: 3 }])
      }
    }))

  it.effect("decodes application/json-seq (RFC 7464), each value after a record separator, whatever the chunking", () =>
    Effect.gen(function*() {
      const seq = new TextEncoder().encode("\u001e{\"n\":1}\n\u001e{\"n\":2,\"text\":\"b\"}\n")
      for (let cut = 1; cut < seq.length; cut++) {
        const values = yield* Stream.runCollect(decode(Stream.make(seq.slice(0, cut), seq.slice(cut))))
        expect(Chunk.toReadonlyArray(values)).toEqual([{ n: 1 }, { n: 2, text: "b" }])
      }
    }))

  it.effect("fails with DockerDecodeError on a line that is not JSON or not of the schema, as a buffered answer does", () =>
    Effect.gen(function*() {
      const garbage = yield* Effect.flip(
        Stream.runDrain(decode(Stream.make(new TextEncoder().encode("{\"n\":1}\n<html>\n"))))
      )
      expect(garbage).toMatchObject({ _tag: "DockerDecodeError", operation: "an event" })
      expect(garbage.message).toContain("an event is not JSON: <html>")
      const shape = yield* Effect.flip(
        Stream.runDrain(decode(Stream.make(new TextEncoder().encode("{\"n\":\"one\"}\n"))))
      )
      expect(shape.message).toContain("an event has an unexpected shape")
    }))
})
