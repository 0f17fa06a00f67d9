/**
 * The layers that Node.js programs provide: the `Docker` service, its engine and a transport,
 * from options or from the environment.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Docker } from "@effect-docker/client"
 * import { NodeDocker } from "@effect-docker/node"
 *
 * Effect.flatMap(Docker.Docker, (docker) => docker.containers.list()).pipe(
 *   Effect.provide(NodeDocker.layerFromEnv())
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as Docker from "@effect-docker/client/Docker"
import * as DockerEngine from "@effect-docker/client/DockerEngine"
import { DockerConfigError, type DockerVersionError } from "@effect-docker/client/DockerError"
import * as DockerHost from "@effect-docker/client/DockerHost"
import type { DockerTransport } from "@effect-docker/client/DockerTransport"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as NodeDockerTransport from "./NodeDockerTransport.js"

/**
 * Transport and engine options together.
 *
 * @since 0.1.0
 */
export interface Options extends NodeDockerTransport.Options, DockerEngine.Options {}

/**
 * What the layers provide.
 *
 * @since 0.1.0
 */
export type Services = Docker.Docker | DockerEngine.DockerEngine | DockerTransport

/**
 * The `Docker` service over a Unix socket, TCP or TLS, chosen by `host`.
 *
 * @example
 * ```ts
 * import { NodeDocker } from "@effect-docker/node"
 *
 * NodeDocker.layer({ host: "unix:///var/run/docker.sock" })
 * NodeDocker.layer({ host: "tcp://127.0.0.1:2375" })
 * NodeDocker.layer({ host: "tcp://docker.example:2376", tls: { ca, cert, key: Redacted.make(key) } })
 * ```
 *
 * @since 0.1.0
 */
export const layer = (options: Options = {}): Layer.Layer<Services, DockerConfigError | DockerVersionError> => {
  const transport = NodeDockerTransport.layer(options)
  const engine = Layer.provideMerge(DockerEngine.layer(options), transport)
  return Layer.provideMerge(Docker.layer, engine)
}

/**
 * The settings the docker CLI reads from the environment.
 *
 * @since 0.1.0
 */
export const EnvConfig = Config.all({
  host: Config.string("DOCKER_HOST").pipe(Config.option),
  tlsVerify: Config.string("DOCKER_TLS_VERIFY").pipe(Config.option),
  certPath: Config.string("DOCKER_CERT_PATH").pipe(Config.option),
  apiVersion: Config.string("DOCKER_API_VERSION").pipe(Config.option)
})

const nonEmpty = (value: Option.Option<string>) => Option.filter(value, (v) => v.trim() !== "")

/**
 * Reads `DOCKER_HOST`, `DOCKER_TLS_VERIFY`, `DOCKER_CERT_PATH` and `DOCKER_API_VERSION` into
 * {@link Options}. TLS is used for `https://`, or when `DOCKER_TLS_VERIFY` or `DOCKER_CERT_PATH`
 * is set; the engine's certificate is always verified (unlike the Go SDK, which skips the check
 * when only `DOCKER_CERT_PATH` is set): turn it off explicitly with `layer`'s `tls.verify`.
 *
 * @since 0.1.0
 */
export const optionsFromEnv: Effect.Effect<Options, DockerConfigError> = Effect.gen(function*() {
  const env = yield* Effect.mapError(
    EnvConfig,
    (error) => new DockerConfigError({ message: `Invalid Docker environment: ${error.message}`, cause: error })
  )
  const host = Option.getOrElse(nonEmpty(env.host), () => DockerHost.defaultHost)
  const apiVersion = Option.getOrUndefined(nonEmpty(env.apiVersion))
  const certPath = nonEmpty(env.certPath)
  const wantsTls = Option.isSome(nonEmpty(env.tlsVerify)) || Option.isSome(certPath) || host.startsWith("https://")
  if (!wantsTls) return { host, apiVersion }
  const dir = Option.getOrElse(certPath, () => Path.join(Os.homedir(), ".docker"))
  const read = (name: string) =>
    Effect.try({
      try: () => Fs.existsSync(Path.join(dir, name)) ? Fs.readFileSync(Path.join(dir, name)) : undefined,
      catch: (cause) => new DockerConfigError({ message: `Cannot read ${Path.join(dir, name)}`, cause })
    })
  const ca = yield* read("ca.pem")
  const cert = yield* read("cert.pem")
  const key = yield* read("key.pem")
  if (Option.isSome(certPath) && ca === undefined && cert === undefined && key === undefined) {
    return yield* new DockerConfigError({ message: `DOCKER_CERT_PATH=${dir} holds none of ca.pem, cert.pem, key.pem` })
  }
  if ((cert === undefined) !== (key === undefined)) {
    return yield* new DockerConfigError({ message: `${dir} must hold both cert.pem and key.pem, or neither` })
  }
  return {
    host,
    apiVersion,
    tls: { ca, cert, key: key === undefined ? undefined : Redacted.make<string | Uint8Array>(key), verify: true }
  }
})

/**
 * {@link layer} configured from the environment as the docker CLI reads it; `overrides` win.
 *
 * @since 0.1.0
 */
export const layerFromEnv = (
  overrides: Partial<Options> = {}
): Layer.Layer<Services, DockerConfigError | DockerVersionError> =>
  Layer.unwrapEffect(Effect.map(optionsFromEnv, (options) => layer({ ...options, ...overrides })))
