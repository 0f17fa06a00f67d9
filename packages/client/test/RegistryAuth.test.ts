import { Docker, DockerEngine, RegistryAuth } from "@effect-docker/client"
import { MockTransport } from "@effect-docker/testing"
import { expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"

/** Credentials for one registry only, as a `RegistryCredentials` service. */
const privateAuth = { serverAddress: "private.example:5000", username: "ci", password: Redacted.make("s3cret") }
const credentials = Layer.succeed(RegistryAuth.RegistryCredentials, {
  get: (registry) => Effect.succeed(registry === privateAuth.serverAddress ? Option.some(privateAuth) : Option.none()),
  all: Effect.succeed([privateAuth])
})

const layer = Layer.provideMerge(
  Docker.layer,
  Layer.provideMerge(
    DockerEngine.layer(),
    Layer.merge(
      MockTransport.layer((request) =>
        request.path.endsWith("/push") || request.path.endsWith("/images/create")
          ? MockTransport.jsonLines([{ status: "done" }])
          : request.path.endsWith("/services/create")
          ? MockTransport.json({ ID: "s1" }, 201)
          : request.path.includes("/distribution/")
          ? MockTransport.json({ Descriptor: { mediaType: "m", digest: "sha256:1", size: 1 }, Platforms: [] })
          : undefined
      ),
      credentials
    )
  )
)

const decodeAuth = (header: string | undefined) =>
  header === undefined ? undefined : JSON.parse(Buffer.from(header, "base64url").toString())

it.effect("sends the configured credentials of each image's registry, and the caller's when given", () =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    yield* docker.images.push("private.example:5000/app:v1")
    yield* Stream.runDrain(docker.images.pullStream("private.example:5000/app:v1"))
    yield* docker.images.push("public.example/app:v1")
    yield* docker.services.create({ TaskTemplate: { ContainerSpec: { Image: "private.example:5000/app:v1" } } })
    yield* docker.distribution.inspect("private.example:5000/app:v1")
    const explicit = RegistryAuth.encode({
      serverAddress: "private.example:5000",
      username: "other",
      password: Redacted.make("x")
    })
    yield* docker.images.push("private.example:5000/app:v2", { registryAuth: explicit })
    const sent = (yield* MockTransport.requests).filter((request) => !request.path.endsWith("/_ping"))
    const auths = sent.map((
      request
    ) => [request.path, decodeAuth(request.headers["x-registry-auth"] as string | undefined)])
    const configured = { username: "ci", password: "s3cret", serveraddress: "private.example:5000" }
    expect(auths).toEqual([
      ["/v1.41/images/private.example%3A5000%2Fapp%3Av1/push", configured],
      ["/v1.41/images/create", configured],
      ["/v1.41/images/public.example%2Fapp%3Av1/push", {}],
      ["/v1.41/services/create", configured],
      ["/v1.41/distribution/private.example%3A5000%2Fapp%3Av1/json", configured],
      ["/v1.41/images/private.example%3A5000%2Fapp%3Av2/push", {
        username: "other",
        password: "x",
        serveraddress: "private.example:5000"
      }]
    ])
  }).pipe(Effect.provide(layer)))
