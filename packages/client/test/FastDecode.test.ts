import { FastDecode, Schemas } from "@effect-docker/client"
import { describe, expect, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

const general = <A, I>(schema: Schema.Schema<A, I>) => (input: unknown) =>
  ParseResult.decodeUnknownEither(schema)(input, { onExcessProperty: "ignore" })

const report = (result: Either.Either<unknown, ParseResult.ParseIssue>) =>
  Either.isLeft(result) ? ParseResult.TreeFormatter.formatIssueSync(result.left) : result.right

describe("FastDecode.decoder", () => {
  // Engine answers as the encoded side of each schema can be: nulls, absent fields, nested objects.
  const schemas = {
    ContainerSummary: Schemas.ContainerSummary,
    ContainerInspectResponse: Schemas.ContainerInspectResponse,
    ImageSummary: Schemas.ImageSummary,
    Volume: Schemas.Volume,
    NetworkInspect: Schemas.NetworkInspect,
    SystemInfo: Schemas.SystemInfo
  } as const

  for (const [name, schema] of Object.entries(schemas)) {
    it(`gives what Schema.decodeUnknown gives for generated ${name} answers`, () => {
      const fast = FastDecode.decoder(schema as Schema.Schema<unknown, unknown>)
      const slow = general(schema as Schema.Schema<unknown, unknown>)
      FastCheck.assert(
        FastCheck.property(Arbitrary.make(Schema.encodedSchema(schema as Schema.Schema<unknown, unknown>)), (input) => {
          expect(report(fast(input))).toEqual(report(slow(input)))
        }),
        { numRuns: 150 }
      )
    })
  }

  it("drops excess fields, turns nulls into absent fields or empty collections, and reports mismatches alike", () => {
    const decode = FastDecode.decoder(Schemas.ImageSummary)
    const answer = {
      Id: "sha256:1",
      ParentId: "",
      RepoTags: null,
      RepoDigests: ["r@sha256:2"],
      Created: 1,
      Size: 2,
      SharedSize: -1,
      Labels: null,
      Containers: -1,
      VirtualSize: 2,
      Unknown: { x: 1 }
    }
    const decoded = Either.getOrThrow(decode(answer))
    expect(decoded).toEqual({
      Id: "sha256:1",
      ParentId: "",
      RepoTags: [],
      RepoDigests: ["r@sha256:2"],
      Created: 1,
      Size: 2,
      SharedSize: -1,
      Labels: {},
      Containers: -1
    })
    const bad = { ...answer, Size: "big" }
    expect(report(decode(bad))).toEqual(report(general(Schemas.ImageSummary)(bad)))
    expect(Either.isLeft(decode(bad))).toBe(true)
  })

  it("keeps the general decoder for shapes it does not compile (a transformation of its own)", () => {
    const decode = FastDecode.decoder(Schemas.SecretCreateResponse)
    expect(Either.getOrThrow(decode({ ID: "s1" }))).toEqual({ Id: "s1" })
    expect(Either.getOrThrow(decode({ Id: "s2" }))).toEqual({ Id: "s2" })
  })
})
