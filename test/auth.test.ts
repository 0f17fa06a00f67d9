/**
 * Registry authentication and the docker CLI's configuration, against the private engine and its
 * registry with htpasswd authentication: credentials inline, from `config.json`'s `auths`, from a
 * credential helper and a credential store; contexts and `HttpHeaders`.
 */
import { Docker, RegistryAuth } from "@effect-docker/client"
import { DockerConfig, NodeDocker, Tar } from "@effect-docker/node"
import { FakeEngine } from "@effect-docker/testing"
import * as FakeEngineServer from "@effect-docker/testing/FakeEngineServer"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Crypto from "node:crypto"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { env, tempDir } from "./helpers.js"

const registry = () => env("EFFECT_DOCKER_TEST_AUTH_REGISTRY")
const user = () => env("EFFECT_DOCKER_TEST_AUTH_USER")
const password = () => env("EFFECT_DOCKER_TEST_AUTH_PASSWORD")
const socketHost = () => `unix://${env("EFFECT_DOCKER_TEST_SOCKET")}`

/** A fresh DOCKER_CONFIG directory with this `config.json`, removed with the scope. */
const configDir = (config: unknown) =>
  Effect.tap(
    tempDir("effect-docker-config-"),
    (dir) => Effect.sync(() => Fs.writeFileSync(Path.join(dir, "config.json"), JSON.stringify(config)))
  )

/** `NodeDocker.layerFromEnv` with this environment instead of the process's. */
const fromEnv = (vars: Record<string, string>) =>
  NodeDocker.layerFromEnv().pipe(
    Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(vars)))))
  )

/** Pushes busybox under a fresh name in the auth registry, removes it locally, pulls it back. */
const pushAndPull = (name: string, options: { readonly registryAuth?: Redacted.Redacted<string> } = {}) =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const repository = `${registry()}/effect-docker/${name}`
    yield* docker.images.tag("busybox", { repo: repository, tag: "v1" })
    yield* docker.images.push(`${repository}:v1`, options)
    yield* docker.images.remove(`${repository}:v1`)
    const pulled = yield* docker.images.pull(`${repository}:v1`, options)
    yield* docker.images.remove(`${repository}:v1`)
    return pulled.RepoTags
  })

const basic = () => Buffer.from(`${user()}:${password()}`).toString("base64")

/** A docker credential helper (the protocol: `get`, the registry on stdin, JSON out) that knows one registry. */
const helperDir = Effect.acquireRelease(
  Effect.sync(() => {
    const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-docker-helper-"))
    const script = Path.join(dir, "docker-credential-effecttest")
    Fs.writeFileSync(
      script,
      `#!/bin/sh
if [ "$1" = list ]; then printf '{"%s":"%s"}' "${registry()}" "${user()}"; exit 0; fi
[ "$1" = get ] || exit 1
read -r server
if [ "$server" = "${registry()}" ]; then
  printf '{"ServerURL":"%s","Username":"${user()}","Secret":"${password()}"}' "$server"
else
  echo "credentials not found in native keychain"; exit 1
fi
`,
      { mode: 0o755 }
    )
    process.env.PATH = `${dir}:${process.env.PATH}`
    return dir
  }),
  (dir) =>
    Effect.sync(() => {
      process.env.PATH = process.env.PATH!.split(":").filter((entry) => entry !== dir).join(":")
      Fs.rmSync(dir, { recursive: true, force: true })
    })
)

describe("registry authentication against a registry with htpasswd", () => {
  it.scoped("refuses a push without credentials, with the engine's message in a PushError", () =>
    Effect.gen(function*() {
      const dir = yield* configDir({})
      const error = yield* Effect.flip(
        pushAndPull("no-credentials").pipe(
          Effect.provide(fromEnv({ DOCKER_HOST: socketHost(), DOCKER_CONFIG: dir }))
        )
      )
      expect(error).toMatchObject({ _tag: "PushError", message: expect.stringContaining("no basic auth credentials") })
    }))

  it.scoped("pushes and pulls with credentials given inline", () =>
    Effect.gen(function*() {
      const registryAuth = RegistryAuth.encode({
        serverAddress: registry(),
        username: user(),
        password: Redacted.make(password())
      })
      const tags = yield* pushAndPull("inline", { registryAuth }).pipe(
        Effect.provide(NodeDocker.layer({ host: socketHost() }))
      )
      expect(tags).toContain(`${registry()}/effect-docker/inline:v1`)
    }))

  it.scoped("pushes and pulls with config.json's auths", () =>
    Effect.gen(function*() {
      const dir = yield* configDir({ auths: { [registry()]: { auth: basic() } } })
      const layer = fromEnv({ DOCKER_HOST: socketHost(), DOCKER_CONFIG: dir })
      const tags = yield* pushAndPull("auths").pipe(Effect.provide(layer))
      expect(tags).toContain(`${registry()}/effect-docker/auths:v1`)
      // The registry's view of the image, with the same credentials; without them, a typed refusal.
      const inspect = Effect.flatMap(
        Docker.Docker,
        (docker) => docker.distribution.inspect(`${registry()}/effect-docker/auths:v1`)
      )
      const described = yield* Effect.provide(inspect, layer)
      expect(described.Descriptor.digest).toMatch(/^sha256:/)
      const refused = yield* Effect.flip(Effect.provide(inspect, NodeDocker.layer({ host: socketHost() })))
      expect(["Unauthorized", "ServerError"]).toContain(refused._tag)
      expect(refused.message).toMatch(/no basic auth credentials|unauthorized/i)
    }))

  it.scoped("pushes and pulls with a credential helper (credHelpers) and a credential store (credsStore)", () =>
    Effect.gen(function*() {
      yield* helperDir
      for (const config of [{ credHelpers: { [registry()]: "effecttest" } }, { credsStore: "effecttest" }]) {
        const dir = yield* configDir({ ...config, auths: { [registry()]: { auth: "bm90OnVzZWQ=" } } })
        // The `auths` entry is wrong: only the helper's credentials can make this work.
        const name = `helper-${Object.keys(config)[0]!.toLowerCase()}`
        const tags = yield* pushAndPull(name).pipe(
          Effect.provide(fromEnv({ DOCKER_HOST: socketHost(), DOCKER_CONFIG: dir }))
        )
        expect(tags).toContain(`${registry()}/effect-docker/${name}:v1`)
        // Builds get every registry's credentials: from the helpers, listed by the store.
        const all = yield* DockerConfig.credentials(
          yield* DockerConfig.read(dir).pipe(Effect.provide(NodeContext.layer))
        ).all
        expect(all.map((auth) => [auth.serverAddress, auth.username])).toEqual([[registry(), user()]])
      }
    }))

  it.scoped("fails with a typed error for a wrong password, and never shows the password", () =>
    Effect.gen(function*() {
      const wrong = "not-the-password-7"
      const dir = yield* configDir({
        auths: { [registry()]: { auth: Buffer.from(`${user()}:${wrong}`).toString("base64") } }
      })
      const error = yield* Effect.flip(
        pushAndPull("wrong-password").pipe(
          Effect.provide(fromEnv({ DOCKER_HOST: socketHost(), DOCKER_CONFIG: dir }))
        )
      )
      expect(error._tag).toBe("PushError")
      expect(error.message).toMatch(/unauthorized|authentication required/i)
      for (const text of [error.message, String(error), JSON.stringify(error)]) {
        expect(text).not.toContain(wrong)
        expect(text).not.toContain(Buffer.from(`${user()}:${wrong}`).toString("base64"))
      }
      // Credentials in the service stay redacted when shown.
      const auth = RegistryAuth.encode({ serverAddress: registry(), username: user(), password: Redacted.make(wrong) })
      expect(String(auth)).not.toContain(wrong)
    }))
})

describe("builds that pull from a registry with authentication", () => {
  it.scoped("send every configured registry's credentials in X-Registry-Config", () =>
    Effect.gen(function*() {
      const base = `${registry()}/effect-docker/build-base:v1`
      const registryAuth = RegistryAuth.encode({
        serverAddress: registry(),
        username: user(),
        password: Redacted.make(password())
      })
      const plain = NodeDocker.layer({ host: socketHost() })
      // The base image is in the registry and not on the engine, so the build must pull it.
      yield* Effect.provide(
        Effect.gen(function*() {
          const docker = yield* Docker.Docker
          yield* docker.images.tag("busybox", { repo: `${registry()}/effect-docker/build-base`, tag: "v1" })
          yield* docker.images.push(base, { registryAuth })
          yield* docker.images.remove(base)
        }),
        plain
      )
      const context = () => Tar.fromFiles({ Dockerfile: `FROM ${base}\nLABEL effect-docker.test=integration\n` })
      const build = Effect.flatMap(Docker.Docker, (docker) =>
        docker.images.build(context(), { builder: "classic", pull: true }))
      const refused = yield* Effect.flip(Effect.provide(build, plain))
      expect(refused._tag).toBe("BuildError")
      expect(refused.message).toMatch(/no basic auth credentials|unauthorized/i)
      const dir = yield* configDir({ auths: { [registry()]: { auth: basic() } } })
      const id = yield* Effect.provide(build, fromEnv({ DOCKER_HOST: socketHost(), DOCKER_CONFIG: dir }))
      expect(id).toMatch(/^sha256:/)
      yield* Effect.provide(
        Effect.flatMap(Docker.Docker, (docker) =>
          Effect.zipRight(docker.images.remove(id, { force: true }), Effect.ignore(docker.images.remove(base)))),
        plain
      )
    }))
})

describe("docker.system.auth, as docker login", () => {
  it.scoped("logs in with the right password, and fails typed with a wrong one that it never shows", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const ok = yield* docker.system.auth({
        serverAddress: registry(),
        username: user(),
        password: Redacted.make(password())
      })
      expect(ok.Status).toBe("Login Succeeded")
      const wrong = "wrong-login-password-9"
      const error = yield* Effect.flip(docker.system.auth({
        serverAddress: registry(),
        username: user(),
        password: Redacted.make(wrong)
      }))
      expect(["Unauthorized", "ServerError"]).toContain(error._tag)
      expect(error.message).toMatch(/unauthorized|401/i)
      for (const text of [error.message, String(error), JSON.stringify(error)]) expect(text).not.toContain(wrong)
    }).pipe(Effect.provide(NodeDocker.layer({ host: socketHost() }))))
})

describe("the docker CLI's configuration", () => {
  /** A context store entry for `name`, as `docker context create` writes it. */
  const writeContext = (dir: string, name: string, host: string, tls: boolean) => {
    const digest = Crypto.createHash("sha256").update(name).digest("hex")
    const meta = Path.join(dir, "contexts", "meta", digest)
    Fs.mkdirSync(meta, { recursive: true })
    Fs.writeFileSync(
      Path.join(meta, "meta.json"),
      JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } })
    )
    if (tls) {
      const material = Path.join(dir, "contexts", "tls", digest, "docker")
      Fs.mkdirSync(material, { recursive: true })
      for (const file of ["ca.pem", "cert.pem", "key.pem"]) {
        Fs.copyFileSync(Path.join(env("EFFECT_DOCKER_TEST_CERTS"), file), Path.join(material, file))
      }
    }
  }

  it.scoped("uses DOCKER_CONTEXT, then currentContext, with the context's endpoint and TLS material; DOCKER_HOST wins", () =>
    Effect.gen(function*() {
      const dir = yield* configDir({ currentContext: "over-tls" })
      writeContext(dir, "over-tls", env("EFFECT_DOCKER_TEST_TLS"), true)
      writeContext(dir, "over-tcp", env("EFFECT_DOCKER_TEST_TCP"), false)
      const hostOf = (vars: Record<string, string>) =>
        Effect.provide(
          Effect.map(Docker.Docker, (docker) => docker.engine.host),
          fromEnv({ DOCKER_CONFIG: dir, ...vars })
        )
      const ping = (vars: Record<string, string>) =>
        Effect.provide(
          Effect.flatMap(Docker.Docker, (docker) => docker.system.ping()),
          fromEnv({ DOCKER_CONFIG: dir, ...vars })
        )
      expect(yield* hostOf({})).toBe(env("EFFECT_DOCKER_TEST_TLS"))
      expect(yield* ping({})).toBe("OK")
      expect(yield* hostOf({ DOCKER_CONTEXT: "over-tcp" })).toBe(env("EFFECT_DOCKER_TEST_TCP"))
      expect(yield* ping({ DOCKER_CONTEXT: "over-tcp" })).toBe("OK")
      expect(yield* hostOf({ DOCKER_CONTEXT: "missing", DOCKER_HOST: socketHost() })).toBe(socketHost())
      const missing = yield* Effect.flip(hostOf({ DOCKER_CONTEXT: "missing" }))
      expect(missing).toMatchObject({
        _tag: "DockerConfigError",
        message: expect.stringContaining("context \"missing\"")
      })
    }))

  it.scoped("adds config.json's HttpHeaders to every request, and refuses a header with a line break", () =>
    Effect.gen(function*() {
      const seen: Array<Record<string, string | ReadonlyArray<string>>> = []
      const engine = FakeEngine.make()
      const socket = Path.join(yield* configDir({}), "fake.sock")
      const server = yield* FakeEngineServer.serve({
        ...engine,
        handle: (request) => {
          seen.push({ ...request.headers })
          return engine.handle(request)
        }
      }, `unix://${socket}`)
      const dir = yield* configDir({ HttpHeaders: { "X-Meta-Team": "platform" } })
      yield* Effect.provide(
        Effect.flatMap(Docker.Docker, (docker) => docker.containers.list()),
        fromEnv({ DOCKER_HOST: server.host, DOCKER_CONFIG: dir })
      )
      expect(seen.length).toBeGreaterThanOrEqual(2)
      for (const headers of seen) expect(headers["x-meta-team"]).toBe("platform")
      const injected = yield* configDir({ HttpHeaders: { "X-Meta": "a\r\nX-Admin: yes" } })
      const error = yield* Effect.flip(Effect.provide(
        Docker.Docker,
        fromEnv({ DOCKER_HOST: server.host, DOCKER_CONFIG: injected })
      ))
      expect(error).toMatchObject({ _tag: "DockerConfigError", message: expect.stringContaining("line break") })
    }))
})
