import { Docker } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Path from "node:path"
import { certs, env, tlsOptions } from "./helpers.js"

const ping = (options: NodeDocker.Options) =>
  Effect.flatMap(Docker.Docker, (docker) => docker.system.ping()).pipe(Effect.provide(NodeDocker.layer(options)))

describe("TLS against the real engine", () => {
  it.live("connects with the right CA and client certificate", () =>
    Effect.gen(function*() {
      expect(yield* ping({ host: env("EFFECT_DOCKER_TEST_TLS"), tls: tlsOptions() })).toBe("OK")
    }))

  it.live("refuses an engine whose certificate another CA signed", () =>
    Effect.gen(function*() {
      const wrong = Path.join(env("EFFECT_DOCKER_TEST_CERTS"), "wrong")
      const error = yield* Effect.flip(ping({
        host: env("EFFECT_DOCKER_TEST_TLS"),
        tls: { ...tlsOptions(), ca: certs("ca.pem", wrong) }
      }))
      expect(error).toMatchObject({ _tag: "DockerConnectionError", reason: "Tls" })
      expect(error.message).toContain("TLS")
    }))

  it.live("is refused by the engine without a client certificate", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(ping({ host: env("EFFECT_DOCKER_TEST_TLS"), tls: { ca: certs("ca.pem") } }))
      expect(error._tag).toBe("DockerConnectionError")
      expect((error as any).reason).toMatch(/Tls|ConnectionReset/)
    }))

  it.live("is refused by the engine with a client certificate another CA signed", () =>
    Effect.gen(function*() {
      const wrong = Path.join(env("EFFECT_DOCKER_TEST_CERTS"), "wrong")
      const error = yield* Effect.flip(ping({
        host: env("EFFECT_DOCKER_TEST_TLS"),
        tls: { ...tlsOptions(wrong), ca: certs("ca.pem") }
      }))
      expect(error._tag).toBe("DockerConnectionError")
      expect((error as any).reason).toMatch(/Tls|ConnectionReset/)
    }))

  it.live("never falls back to plain HTTP: a plain client on the TLS port gets the engine's refusal", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(ping({ host: env("EFFECT_DOCKER_TEST_TLS").replace("tcp://", "http://") }))
      expect(error._tag).toBe("BadRequest")
      expect(error.message).toMatch(/HTTPS/)
    }))
})
