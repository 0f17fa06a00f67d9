import { Docker } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as Net from "node:net"
import * as Path from "node:path"
import * as Tls from "node:tls"
import { certs, env, tlsOptions } from "./helpers.js"

const ping = (options: NodeDocker.Options) =>
  Effect.flatMap(Docker.Docker, (docker) => docker.system.ping()).pipe(Effect.provide(NodeDocker.layer(options)))

/** A TLS server on loopback with this certificate, answering every request as an engine's /_ping. */
const tlsServer = (name: string) =>
  Effect.acquireRelease(
    Effect.async<Tls.Server & { port: number }>((resume) => {
      const server = Tls.createServer({ cert: certs(`${name}-cert.pem`), key: certs(`${name}-key.pem`) }, (socket) => {
        socket.on("error", () => {})
        socket.once("data", () => socket.end("HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 2\r\n\r\nOK"))
      })
      server.listen(0, "127.0.0.1", () =>
        resume(Effect.succeed(Object.assign(server, { port: (server.address() as Net.AddressInfo).port }))))
    }),
    (server) =>
      Effect.async<void>((resume) =>
        void server.close(() => resume(Effect.void))
      )
  )

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

  it.scopedLive("refuses an engine certificate that expired, or that names another host", () =>
    Effect.gen(function*() {
      // The same server with the valid certificate answers: what fails below is the certificate.
      const valid = yield* tlsServer("server")
      expect(yield* ping({ host: `tcp://127.0.0.1:${valid.port}`, tls: tlsOptions() })).toBe("OK")

      const expired = yield* tlsServer("expired")
      const old = yield* Effect.flip(ping({ host: `tcp://127.0.0.1:${expired.port}`, tls: tlsOptions() }))
      expect(old).toMatchObject({ _tag: "DockerConnectionError", reason: "Tls" })
      expect(old.message).toMatch(/expired/i)

      const otherName = yield* tlsServer("other-name")
      const mismatch = yield* Effect.flip(ping({ host: `tcp://127.0.0.1:${otherName.port}`, tls: tlsOptions() }))
      expect(mismatch).toMatchObject({ _tag: "DockerConnectionError", reason: "Tls" })
      expect(mismatch.message).toMatch(/127\.0\.0\.1.*(altnames|not in the cert)|does not match/i)
    }))

  it.live("never falls back to plain HTTP: a plain client on the TLS port gets the engine's refusal", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(ping({ host: env("EFFECT_DOCKER_TEST_TLS").replace("tcp://", "http://") }))
      expect(error._tag).toBe("BadRequest")
      expect(error.message).toMatch(/HTTPS/)
    }))
})
