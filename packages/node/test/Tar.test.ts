/**
 * `Tar.fromFiles`: in-memory files with their content and permission bits, read back by a tar
 * reader of its own (tar-stream's extract), not by our `Tar.readFiles`.
 */
import { Tar } from "@effect-docker/node"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as TarStream from "tar-stream"

const headers = (tar: Stream.Stream<Uint8Array, unknown>) =>
  Effect.flatMap(
    Stream.runCollect(tar),
    (chunks) =>
      Effect.promise(() =>
        new Promise<Array<{ name: string; mode: number | undefined; body: string }>>((resolve, reject) => {
          const entries: Array<{ name: string; mode: number | undefined; body: string }> = []
          const extract = TarStream.extract()
          extract.on("entry", (header, stream, next) => {
            const parts: Array<Buffer> = []
            stream.on("data", (part: unknown) => parts.push(part as Buffer))
            stream.on("end", () => {
              entries.push({ name: header.name, mode: header.mode, body: Buffer.concat(parts).toString() })
              next()
            })
          })
          extract.on("finish", () => resolve(entries))
          extract.on("error", reject)
          extract.end(Buffer.concat(Chunk.toReadonlyArray(chunks)))
        })
      )
  )

describe("Tar.fromFiles", () => {
  it.effect("writes each file with mode 0644 unless it is given its own", () =>
    Effect.gen(function*() {
      const entries = yield* headers(Tar.fromFiles({
        "etc/app.json": "{}",
        "bin/start.sh": { content: "#!/bin/sh\nexec true\n", mode: 0o755 },
        "data.bin": { content: new Uint8Array([104, 105]), mode: 0o600 }
      }))
      expect(entries).toEqual([
        { name: "etc/app.json", mode: 0o644, body: "{}" },
        { name: "bin/start.sh", mode: 0o755, body: "#!/bin/sh\nexec true\n" },
        { name: "data.bin", mode: 0o600, body: "hi" }
      ])
    }))
})
