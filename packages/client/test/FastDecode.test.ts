import { Schemas } from "@effect-docker/client"
import { describe, expect, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as FastDecode from "../src/internal/fastDecode.js"

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
          // The general decoder turns a `__proto__` key into a prototype; see the test below.
          FastCheck.pre(!JSON.stringify(input).includes("\"__proto__\""))
          expect(report(fast(input))).toStrictEqual(report(slow(input)))
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
      Containers: -1,
      VirtualSize: 2
    })
    const bad = { ...answer, Size: "big" }
    expect(report(decode(bad))).toEqual(report(general(Schemas.ImageSummary)(bad)))
    expect(Either.isLeft(decode(bad))).toBe(true)
  })

  it("returns what needs no change as it is, and copies only what does", () => {
    const decode = FastDecode.decoder(Schemas.ContainerSummary)
    const clean = JSON.parse(`{"Id":"a","Names":["/a"],"Labels":{"x":"1"},"Mounts":[{"Type":"volume","Name":"v"}]}`)
    expect(Either.getOrThrow(decode(clean))).toBe(clean)

    const withNull = JSON.parse(`{"Id":"a","Labels":{"x":"1"},"Mounts":[{"Type":"volume","Name":"v","Driver":null}]}`)
    const decoded = Either.getOrThrow(decode(withNull)) as any
    expect(decoded).not.toBe(withNull)
    expect(decoded.Mounts[0]).toStrictEqual({ Type: "volume", Name: "v" })
    expect(decoded.Labels).toBe(withNull.Labels)

    const withExcess = { Id: "a", Names: ["/a"], FromANewerEngine: true }
    const dropped = Either.getOrThrow(decode(withExcess)) as any
    expect(dropped).toStrictEqual({ Id: "a", Names: ["/a"] })
    expect(dropped.Names).toBe(withExcess.Names)
  })

  it("keeps a key named __proto__ as a key, never as a prototype", () => {
    const decode = FastDecode.decoder(Schemas.ContainerSummary)
    const answer = JSON.parse(
      `{"Id":"a","Labels":{"__proto__":"label"},"NetworkSettings":{"Networks":{"__proto__":{"IPAMConfig":null,"NetworkID":"n"}}}}`
    )
    const decoded = Either.getOrThrow(decode(answer)) as any
    expect(Object.getPrototypeOf(decoded.Labels)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(decoded.Labels, "__proto__")?.value).toBe("label")
    const networks = decoded.NetworkSettings.Networks
    expect(Object.getPrototypeOf(networks)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(networks, "__proto__")?.value).toStrictEqual({ NetworkID: "n" })
  })

  it("keeps the general decoder for shapes it does not compile (a transformation of its own)", () => {
    const decode = FastDecode.decoder(Schemas.SecretCreateResponse)
    expect(Either.getOrThrow(decode({ ID: "s1" }))).toEqual({ Id: "s1" })
    expect(Either.getOrThrow(decode({ Id: "s2" }))).toEqual({ Id: "s2" })
  })
})
