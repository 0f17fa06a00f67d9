import { RegistryAuth } from "@effect-docker/client"
import { DockerConfig } from "@effect-docker/node"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Crypto from "node:crypto"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as NodePath from "node:path"

const withConfig = (file: unknown) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const dir = Fs.mkdtempSync(NodePath.join(Os.tmpdir(), "docker-config-test-"))
      Fs.writeFileSync(NodePath.join(dir, "config.json"), JSON.stringify(file))
      return dir
    }),
    (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
  ).pipe(Effect.flatMap(DockerConfig.read), Effect.provide(NodeContext.layer))

describe("RegistryAuth", () => {
  it("names the registry of an image as config.json does", () => {
    expect(RegistryAuth.registryOf("busybox")).toBe("https://index.docker.io/v1/")
    expect(RegistryAuth.registryOf("library/busybox:1")).toBe("https://index.docker.io/v1/")
    expect(RegistryAuth.registryOf("docker.io/library/busybox")).toBe("https://index.docker.io/v1/")
    expect(RegistryAuth.registryOf("127.0.0.1:5000/app:v1")).toBe("127.0.0.1:5000")
    expect(RegistryAuth.registryOf("localhost/app")).toBe("localhost")
    expect(RegistryAuth.registryOf("ghcr.io/org/app@sha256:abc")).toBe("ghcr.io")
  })

  it("encodes credentials as base64url JSON, redacted", () => {
    const encoded = RegistryAuth.encode({ serverAddress: "r.io", username: "u", password: Redacted.make("p?>~") })
    expect(String(encoded)).not.toContain("p?>~")
    const json = Buffer.from(Redacted.value(encoded).replace(/-/g, "+").replace(/_/g, "/"), "base64").toString()
    expect(JSON.parse(json)).toEqual({ username: "u", password: "p?>~", serveraddress: "r.io" })
    expect(Redacted.value(encoded)).not.toMatch(/[+/]/)
  })
})

describe("DockerConfig", () => {
  it.scoped("reads auths: user and password, identity tokens, registries stored with a scheme", () =>
    Effect.gen(function*() {
      const config = yield* withConfig({
        auths: {
          "r.example": { auth: Buffer.from("alice:s3cret:with:colons").toString("base64") },
          "https://t.example/v1/": { identitytoken: "tok" },
          "empty.example": {}
        }
      })
      const credentials = DockerConfig.credentials(config)
      const alice = Option.getOrThrow(yield* credentials.get("r.example"))
      expect(alice.username).toBe("alice")
      expect(Redacted.value(alice.password!)).toBe("s3cret:with:colons")
      const token = Option.getOrThrow(yield* credentials.get("t.example"))
      expect(Redacted.value(token.identityToken!)).toBe("tok")
      expect(yield* credentials.get("empty.example")).toEqual(Option.none())
      expect(yield* credentials.get("unknown.example")).toEqual(Option.none())
    }))

  it.scoped("asks a credential helper first, and says so when it is missing", () =>
    Effect.gen(function*() {
      const config = yield* withConfig({
        credHelpers: { "r.example": "no-such-helper-installed" },
        auths: { "r.example": { auth: Buffer.from("a:b").toString("base64") } }
      })
      const error = yield* Effect.flip(DockerConfig.credentials(config).get("r.example"))
      expect(error).toMatchObject({
        _tag: "DockerConfigError",
        message: "credentials for r.example: docker-credential-no-such-helper-installed is not on the PATH"
      })
    }))

  it.scoped("resolves contexts: DOCKER_HOST, then DOCKER_CONTEXT, then currentContext", () =>
    Effect.gen(function*() {
      const config = yield* withConfig({ currentContext: "remote" })
      const none = Option.none<string>()
      expect(DockerConfig.contextName(config, { host: Option.some("unix:///x"), context: Option.some("c") })).toBe(
        "default"
      )
      expect(DockerConfig.contextName(config, { host: none, context: Option.some("c") })).toBe("c")
      expect(DockerConfig.contextName(config, { host: none, context: none })).toBe("remote")
      const digest = Crypto.createHash("sha256").update("remote").digest("hex")
      const meta = NodePath.join(config.dir, "contexts", "meta", digest)
      Fs.mkdirSync(meta, { recursive: true })
      Fs.writeFileSync(
        NodePath.join(meta, "meta.json"),
        JSON.stringify({ Name: "remote", Endpoints: { docker: { Host: "tcp://10.0.0.1:2376", SkipTLSVerify: true } } })
      )
      const endpoint = Option.getOrThrow(yield* DockerConfig.context(config, "remote"))
      expect(endpoint).toMatchObject({ host: "tcp://10.0.0.1:2376", tls: { verify: false } })
      expect(yield* DockerConfig.context(config, "default")).toEqual(Option.none())
    }).pipe(Effect.provide(NodeContext.layer)))

  /** A file system in memory: the files by path, read-only. */
  const memoryFileSystem = (files: Record<string, string>) =>
    FileSystem.layerNoop({
      exists: (path) => Effect.succeed(path in files),
      readFileString: (path) => Effect.succeed(files[path]!),
      readFile: (path) => Effect.succeed(new TextEncoder().encode(files[path]!))
    })

  it.effect("reads config.json, a context and its TLS material through the platform's FileSystem", () =>
    Effect.gen(function*() {
      const digest = Crypto.createHash("sha256").update("prod").digest("hex")
      const files = {
        "/cfg/config.json": JSON.stringify({ currentContext: "prod", HttpHeaders: { "X-Team": "a" } }),
        [`/cfg/contexts/meta/${digest}/meta.json`]: JSON.stringify({
          Endpoints: { docker: { Host: "tcp://prod.example:2376" } }
        }),
        [`/cfg/contexts/tls/${digest}/docker/ca.pem`]: "CA",
        [`/cfg/contexts/tls/${digest}/docker/cert.pem`]: "CERT",
        [`/cfg/contexts/tls/${digest}/docker/key.pem`]: "KEY"
      }
      const config = yield* DockerConfig.read("/cfg").pipe(Effect.provide(memoryFileSystem(files)))
      expect(config.file).toEqual({ currentContext: "prod", HttpHeaders: { "X-Team": "a" } })
      const endpoint = yield* DockerConfig.context(config, "prod").pipe(Effect.provide(memoryFileSystem(files)))
      const tls = Option.getOrThrow(endpoint).tls!
      expect(Option.getOrThrow(endpoint).host).toBe("tcp://prod.example:2376")
      expect(new TextDecoder().decode(tls.ca as Uint8Array)).toBe("CA")
      expect(new TextDecoder().decode(Redacted.value(tls.key!) as Uint8Array)).toBe("KEY")
      expect(tls.verify).toBe(true)
      // A context whose folder is missing, and a config.json that is not JSON, fail naming the file.
      const missing = yield* Effect.flip(
        DockerConfig.context(config, "gone").pipe(Effect.provide(memoryFileSystem(files)))
      )
      expect(missing.message).toMatch(
        /context "gone" does not exist \(no \/cfg\/contexts\/meta\/[0-9a-f]{64}\/meta.json\)/
      )
      const broken = yield* Effect.flip(
        DockerConfig.read("/bad").pipe(Effect.provide(memoryFileSystem({ "/bad/config.json": "{" })))
      )
      expect(broken.message).toContain("cannot read /bad/config.json")
    }).pipe(Effect.provide(Path.layer)))
})
