/**
 * Reaching an engine every way the Node package can, each a layer the same program runs on:
 * TLS with client certificates read from a folder (as `DOCKER_CERT_PATH` holds them), a docker CLI
 * context (a `DOCKER_CONFIG` folder whose context points at that TLS endpoint, as
 * `docker context create` writes it), and SSH (the engine of the remote user, through
 * `docker system dial-stdio`). Then registry credentials from a `config.json`, for a push and a pull.
 *
 *   DOCKER_TLS_HOST=tcp://host:2376 DOCKER_TLS_CERTS=/certs DOCKER_SSH_HOST=ssh://user@host \
 *   DOCKER_SSH_KEY=~/.ssh/id_ed25519 pnpm tsx examples/connect/connect.ts
 */
import { Docker } from "@effect-docker/client"
import { DockerConfig, NodeDocker } from "@effect-docker/node"
import { ConfigProvider, Console, Effect, Layer, Redacted } from "effect"
import * as Crypto from "node:crypto"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

/** What the program does on any of the layers: which engine answers, and over which host. */
const whoAnswers = Effect.gen(function*() {
  const docker = yield* Docker.Docker
  const version = yield* docker.system.version()
  return `Docker ${version.Version} (API ${yield* docker.engine.apiVersion}) at ${docker.engine.host}`
})

/** TLS with the client certificate, key and CA in `certs` (ca.pem, cert.pem, key.pem). */
export const overTls = (host: string, certs: string) =>
  whoAnswers.pipe(Effect.provide(NodeDocker.layer({
    host,
    tls: {
      ca: Fs.readFileSync(Path.join(certs, "ca.pem")),
      cert: Fs.readFileSync(Path.join(certs, "cert.pem")),
      key: Redacted.make(Fs.readFileSync(Path.join(certs, "key.pem")))
    }
  })))

/**
 * A context named `name` in a docker configuration folder of its own, as the CLI stores it
 * (`contexts/meta/<sha256 of the name>/meta.json`, TLS files under `contexts/tls/...`), used
 * through `DOCKER_CONFIG` and `DOCKER_CONTEXT`.
 */
export const throughContext = (name: string, host: string, certs: string) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "docker-config-"))
      const digest = Crypto.createHash("sha256").update(name).digest("hex")
      const meta = Path.join(dir, "contexts", "meta", digest)
      const tls = Path.join(dir, "contexts", "tls", digest, "docker")
      Fs.mkdirSync(meta, { recursive: true })
      Fs.mkdirSync(tls, { recursive: true })
      Fs.writeFileSync(
        Path.join(meta, "meta.json"),
        JSON.stringify({ Name: name, Endpoints: { docker: { Host: host } } })
      )
      for (const file of ["ca.pem", "cert.pem", "key.pem"]) {
        Fs.copyFileSync(Path.join(certs, file), Path.join(tls, file))
      }
      return dir
    }),
    (dir) =>
      whoAnswers.pipe(
        Effect.provide(NodeDocker.layerFromEnv()),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["DOCKER_CONFIG", dir], ["DOCKER_CONTEXT", name]])))
      ),
    (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
  )

/** SSH with a private key, checking the server against a known_hosts file. */
export const overSsh = (host: string, keyFile: string, knownHostsFile: string) =>
  whoAnswers.pipe(Effect.provide(NodeDocker.layer({
    host,
    ssh: { privateKey: Redacted.make(Fs.readFileSync(keyFile)), knownHostsFile, configFile: false }
  })))

/**
 * The credentials of a `config.json` (`auths`, as `docker login` writes it) for `registry`, as the
 * `RegistryCredentials` service; the folder lives as long as the layer. The `Docker` layer takes
 * its credentials when it is built: `NodeDocker.layer(options).pipe(Layer.provide(registryLogin(...)))`.
 */
export const registryLogin = (
  registry: string,
  credentials: { readonly username: string; readonly password: string }
) =>
  Layer.unwrapScoped(Effect.map(
    Effect.acquireRelease(
      Effect.sync(() => {
        const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "docker-config-"))
        const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")
        Fs.writeFileSync(Path.join(dir, "config.json"), JSON.stringify({ auths: { [registry]: { auth } } }))
        return dir
      }),
      (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
    ),
    DockerConfig.layerCredentials
  ))

/** Pushes `image` to its registry, removes it here, and pulls it back: both with the login's credentials. */
export const pushAndPull = (image: string) =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    yield* docker.images.push(image)
    yield* docker.images.remove(image)
    return yield* docker.images.pull(image)
  })

// Run as a program (not when a test imports it).
if (import.meta.url === `file://${process.argv[1]}`) {
  const need = (name: string) => {
    const value = process.env[name]
    if (value === undefined) throw new Error(`set ${name}`)
    return value
  }
  Effect.gen(function*() {
    yield* Console.log(`tls: ${yield* overTls(need("DOCKER_TLS_HOST"), need("DOCKER_TLS_CERTS"))}`)
    yield* Console.log(
      `context: ${yield* throughContext("example", need("DOCKER_TLS_HOST"), need("DOCKER_TLS_CERTS"))}`
    )
    const knownHosts = process.env.DOCKER_SSH_KNOWN_HOSTS ?? Path.join(Os.homedir(), ".ssh", "known_hosts")
    yield* Console.log(`ssh: ${yield* overSsh(need("DOCKER_SSH_HOST"), need("DOCKER_SSH_KEY"), knownHosts)}`)
  }).pipe(Effect.runPromise).catch((error) => {
    console.error(error)
    process.exit(1)
  })
}
