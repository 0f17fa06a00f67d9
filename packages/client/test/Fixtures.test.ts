/**
 * Real answers of both test engines (Docker 20.10, API 1.41, and Docker 28.5, API 1.51; recorded
 * by `pnpm fixtures:record`: every operation with a JSON answer, and the lines of the JSON-lines
 * streams) decode with the generated schemas, and the fast decoder agrees with Schema's own
 * decoding on every one.
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
      body?: unknown
      lines?: ReadonlyArray<unknown>
    })
  }))
)

const schemas: Record<string, Schema.Schema<unknown, unknown> | undefined> = Schemas as never

describe("answers recorded from the real engines", () => {
  it("cover the same operations on both engines", () => {
    expect(new Set(fixtures.map((f) => f.api))).toEqual(new Set(["1.41", "1.51"]))
    const operations = (api: string) => fixtures.filter((f) => f.api === api).map((f) => f.operation).sort()
    expect(operations("1.51")).toEqual(operations("1.41"))
    expect(operations("1.41").length).toBeGreaterThanOrEqual(50)
  })

  for (const fixture of fixtures) {
    const answers = fixture.lines ?? [fixture.body]
    it(`${fixture.operation} from API ${fixture.api} decodes, and both decoders agree (${answers.length})`, () => {
      const schema = schemas[fixture.schema]
      expect(schema, fixture.schema).toBeDefined()
      for (const answer of answers) {
        const bySchema = Schema.decodeUnknownEither(schema!)(answer)
        const byFastDecoder = FastDecode.decoder(schema!)(answer)
        expect(Either.isRight(bySchema), String(Either.isLeft(bySchema) && bySchema.left)).toBe(true)
        expect(Either.isRight(byFastDecoder)).toBe(true)
        expect(Either.getOrThrow(byFastDecoder)).toEqual(Either.getOrThrow(bySchema))
      }
    })
  }
})

/**
 * What engines of API 1.52 and later leave out of the answers an API 1.51 engine sends (the
 * CHANGELOG of 1.52 and 1.53), by operation: the paths of the fields each omits.
 */
const leftOutAfter151: Record<string, ReadonlyArray<string>> = {
  ContainerInspect: [
    ...[
      "Bridge",
      "HairpinMode",
      "LinkLocalIPv6Address",
      "LinkLocalIPv6PrefixLen",
      "SecondaryIPAddresses",
      "SecondaryIPv6Addresses",
      "EndpointID",
      "Gateway",
      "GlobalIPv6Address",
      "GlobalIPv6PrefixLen",
      "IPAddress",
      "IPPrefixLen",
      "IPv6Gateway",
      "MacAddress"
    ].map((field) => `NetworkSettings.${field}`),
    "Config.MacAddress",
    "Config.OnBuild",
    "HostConfig.KernelMemoryTCP"
  ],
  ImageInspect: [
    ...["Cmd", "Entrypoint", "Env", "Labels", "OnBuild", "User", "Volumes", "WorkingDir"].map((f) => `Config.${f}`),
    "Parent",
    "Comment",
    "DockerVersion",
    "Author"
  ],
  SystemInfo: ["KernelMemoryTCP"],
  SystemDataUsage: ["LayersSize", "Images", "Containers", "Volumes", "BuildCache"],
  SystemEvents: ["status", "id", "from"]
}

const without = (value: unknown, paths: ReadonlyArray<string>) => {
  const copy = structuredClone(value) as Record<string, any>
  for (const path of paths) {
    const keys = path.split(".")
    const parent = keys.slice(0, -1).reduce((object, key) => object?.[key], copy)
    if (parent !== undefined) delete parent[keys.at(-1)!]
  }
  return copy
}

describe("answers of engines newer than the test engines (API 1.52+, which leave out deprecated fields)", () => {
  for (const [operation, paths] of Object.entries(leftOutAfter151)) {
    it(`${operation} decodes without ${paths.length} fields, and reads them as absent`, () => {
      const fixture = fixtures.find((f) => f.api === "1.51" && f.operation === operation)!
      const schema = schemas[fixture.schema]!
      const answers = fixture.lines ?? [fixture.body]
      const present = paths.filter((path) =>
        answers.some((answer) => path.split(".").reduce((o: any, key) => o?.[key], answer) !== undefined)
      )
      // The 1.51 answer had the fields, so leaving them out is a change the decoders must take.
      expect(present.length).toBeGreaterThan(0)
      for (const answer of answers.map((answer) => without(answer, paths))) {
        const bySchema = Schema.decodeUnknownEither(schema)(answer)
        expect(Either.isRight(bySchema), String(Either.isLeft(bySchema) && bySchema.left)).toBe(true)
        expect(Either.getOrThrow(FastDecode.decoder(schema)(answer))).toEqual(Either.getOrThrow(bySchema))
        for (const path of paths) {
          expect(path.split(".").reduce((o: any, key) => o?.[key], Either.getOrThrow(bySchema))).toBeUndefined()
        }
      }
    })
  }
})
