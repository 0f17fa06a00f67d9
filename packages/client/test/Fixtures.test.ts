/**
 * Real answers of both test engines (Docker 20.10, API 1.41, and Docker 28.5, API 1.51; recorded
 * by `pnpm fixtures:record`) decode with the generated schemas, and the fast decoder agrees with
 * Schema's own decoding on every one.
 */
import { Schemas } from "@effect-docker/client"
import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as FastDecode from "../src/internal/fastDecode.js"

const dir = Path.resolve(import.meta.dirname, "fixtures")
const fixtures = Fs.readdirSync(dir).flatMap((engine) =>
  Fs.readdirSync(Path.join(dir, engine)).map((file) => ({
    engine,
    ...(JSON.parse(Fs.readFileSync(Path.join(dir, engine, file), "utf8")) as {
      operation: string
      schema: string
      api: string
      body: unknown
    })
  }))
)

const schemas: Record<string, Schema.Schema<unknown, unknown> | undefined> = Schemas as never

describe("answers recorded from the real engines", () => {
  it("cover the read operations on both engines", () => {
    expect(new Set(fixtures.map((f) => f.api))).toEqual(new Set(["1.41", "1.51"]))
    expect(fixtures.filter((f) => f.api === "1.51").length).toBe(fixtures.filter((f) => f.api === "1.41").length)
  })

  for (const fixture of fixtures) {
    it(`${fixture.operation} from API ${fixture.api} decodes, and both decoders agree`, () => {
      const schema = schemas[fixture.schema]
      expect(schema, fixture.schema).toBeDefined()
      const bySchema = Schema.decodeUnknownEither(schema!)(fixture.body)
      const byFastDecoder = FastDecode.decoder(schema!)(fixture.body)
      expect(Either.isRight(bySchema), String(Either.isLeft(bySchema) && bySchema.left)).toBe(true)
      expect(Either.isRight(byFastDecoder)).toBe(true)
      expect(Either.getOrThrow(byFastDecoder)).toEqual(Either.getOrThrow(bySchema))
    })
  }
})
