/**
 * Secrets (registry passwords, identity tokens, TLS keys) reach the wire and nothing else: no
 * error, message, log line or span attribute holds them, in any encoding the client gives them.
 */
import { Docker, RegistryAuth } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import { MockTransport } from "@effect-docker/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HashMap from "effect/HashMap"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Tracer from "effect/Tracer"

const password = "pw-d6f1c0a9-marker"
const token = "tok-8e21b7f4-marker"
const keyMarker = "key-51c3e9aa-marker"
/** A header of the layer's (as config.json's `HttpHeaders` gives them): never an attribute. */
const headerMarker = "hdr-3b9a7c21-marker"
const auth = {
  serverAddress: "registry.example:5000",
  username: "ci",
  password: Redacted.make(password),
  identityToken: Redacted.make(token)
} as const

/** The secrets, and the encodings of them the client makes (X-Registry-Auth is base64url JSON). */
const forbidden = [
  password,
  token,
  keyMarker,
  headerMarker,
  Redacted.value(RegistryAuth.encode(auth)),
  Buffer.from(password).toString("base64"),
  Buffer.from(`ci:${password}`).toString("base64")
]

/** Everything observable outside the wire: log lines, and spans with their attributes and events. */
const observed = Effect.map(Effect.tracer, (base) => {
  const seen: Array<unknown> = []
  const logger = Logger.make(({ annotations, message }) =>
    seen.push({ message, annotations: Object.fromEntries(HashMap.toEntries(annotations)) })
  )
  const tracer = Tracer.make({
    context: base.context,
    span: (...args) => {
      const span = base.span(...args)
      seen.push(span)
      return span
    }
  })
  return { seen, logger, tracer }
})

/** The failure of `exit` as every form a program shows it in. */
const shown = (exit: Exit.Exit<unknown, unknown>) => {
  if (Exit.isSuccess(exit)) return [JSON.stringify(exit.value)]
  const error = Cause.squash(exit.cause) as Error
  return [String(error), error.message, error.stack ?? "", JSON.stringify(error), Cause.pretty(exit.cause)]
}

const engine = (request: MockTransport.RecordedRequest): MockTransport.Reply | undefined => {
  const path = request.path.replace(/^\/v[\d.]+/, "")
  if (path === "/images/create") {
    return MockTransport.jsonLines([{ error: "unauthorized: authentication required" }])
  }
  if (path.startsWith("/images/") && path.endsWith("/push")) return MockTransport.error(401, "unauthorized")
  if (path === "/auth") return MockTransport.error(401, "login attempt to https://registry.example:5000/v2/ failed")
  return undefined
}

describe("secrets", () => {
  it.effect("registry credentials appear in no error, log line or span, only on the wire", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const { logger, seen, tracer } = yield* observed
      const registryAuth = RegistryAuth.encode(auth)
      const calls: Array<Effect.Effect<void, unknown>> = [
        Effect.asVoid(docker.images.pull("registry.example:5000/app:1", { registryAuth })),
        docker.images.push("registry.example:5000/app:1", { registryAuth }),
        Effect.asVoid(docker.system.auth(auth))
      ]
      const outcomes: Array<string> = []
      for (const call of calls) {
        const exit = yield* Effect.exit(call.pipe(
          Effect.withSpan("user operation", { attributes: { registry: auth.serverAddress } }),
          Effect.tap(() => Effect.logDebug("done")),
          Effect.tapErrorCause((cause) => Effect.logError("failed", cause)),
          Effect.withTracer(tracer),
          Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
          Logger.withMinimumLogLevel(LogLevel.All)
        ))
        expect(Exit.isFailure(exit)).toBe(true)
        outcomes.push(...shown(exit))
      }
      const everything = [
        ...outcomes,
        JSON.stringify(
          seen,
          (_, value) =>
            typeof value === "bigint" ? String(value) : value instanceof Map ? Object.fromEntries(value) : value
        ),
        String(registryAuth),
        JSON.stringify({ registryAuth })
      ]
      // The client's own spans are among those seen, with their attributes.
      const names = seen.flatMap((item) => item instanceof Object && "name" in item ? [String(item.name)] : [])
      expect(names).toEqual(expect.arrayContaining(["docker.ImageCreate", "docker.ImagePush", "docker.SystemAuth"]))
      expect(everything.join("\n")).toContain(`"http.response.status_code":401`)
      expect(everything.join("\n")).toContain(`"registry":"${auth.serverAddress}"`) // attributes are seen
      for (const secret of forbidden) {
        for (const text of everything) expect(text).not.toContain(secret)
      }
      // ... and on the wire they are: what the engine needs.
      const sent = yield* MockTransport.requests
      expect(sent.find((r) => r.path.endsWith("/images/create"))?.headers["x-registry-auth"]).toBe(
        Redacted.value(registryAuth)
      )
      expect(sent.find((r) => r.path.endsWith("/auth"))?.text).toContain(password)
      expect(sent[0]?.headers["x-meta-token"]).toBe(headerMarker)
    }).pipe(
      Effect.provide(
        MockTransport.layerDocker(engine, { apiVersion: "1.41", headers: { "X-Meta-Token": headerMarker } })
      )
    ))

  it.effect("a TLS key appears in no error, whether it is refused or the engine cannot be reached", () =>
    Effect.gen(function*() {
      const pem = `-----BEGIN PRIVATE KEY-----\n${keyMarker}\n-----END PRIVATE KEY-----\n`
      const exit = yield* Effect.exit(
        Effect.flatMap(Docker.Docker, (docker) => docker.system.ping()).pipe(
          Effect.provide(NodeDocker.layer({
            host: "tcp://127.0.0.1:1",
            tls: { key: Redacted.make(pem), cert: pem, ca: pem },
            apiVersion: "1.41"
          }))
        )
      )
      expect(Exit.isFailure(exit)).toBe(true)
      expect(Option.isSome(Exit.causeOption(exit))).toBe(true)
      for (const text of shown(exit)) expect(text).not.toContain(keyMarker)
    }))
})
