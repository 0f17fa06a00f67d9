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
import type * as DockerEngine from "@effect-docker/client/DockerEngine"
import { DockerConfigError, type DockerVersionError } from "@effect-docker/client/DockerError"
import * as DockerHost from "@effect-docker/client/DockerHost"
import type { DockerTransport, TransportError } from "@effect-docker/client/DockerTransport"
import { RegistryCredentials } from "@effect-docker/client/RegistryAuth"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Os from "node:os"
import * as DockerConfig from "./DockerConfig.js"
import * as NodeContext from "./internal/nodeContext.js"
import * as NodeDockerTransport from "./NodeDockerTransport.js"

/**
 * Transport and engine options together.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends NodeDockerTransport.Options, DockerEngine.Options {}

/**
 * What the layers provide.
 *
 * @since 0.1.0
 * @category models
 */
export type Services = Docker.Docker | DockerEngine.DockerEngine | DockerTransport

/**
 * What building the layers can fail with: bad configuration, an engine too old, and (for
 * `ssh://` hosts, which connect when the layer is built) a connection that cannot be made.
 *
 * @since 0.1.0
 * @category errors
 */
export type LayerError = DockerConfigError | DockerVersionError | TransportError

/**
 * The `Docker` service over a Unix socket, TCP or TLS, chosen by `host`.
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import { NodeDocker } from "@effect-docker/node"
 * import * as Fs from "node:fs"
 *
 * NodeDocker.layer({ host: "unix:///var/run/docker.sock" })
 * NodeDocker.layer({ host: "tcp://127.0.0.1:2375" })
 * NodeDocker.layer({
 *   host: "tcp://docker.example:2376",
 *   tls: {
 *     ca: Fs.readFileSync("ca.pem", "utf8"),
 *     cert: Fs.readFileSync("cert.pem", "utf8"),
 *     key: Redacted.make(Fs.readFileSync("key.pem", "utf8"))
 *   }
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Services, LayerError> => {
  return Docker.layerOn(NodeDockerTransport.layer(options), options)
}

/**
 * The settings the docker CLI reads from the environment.
 *
 * @since 0.1.0
 * @category config
 */
export const EnvConfig = Config.all({
  host: Config.string("DOCKER_HOST").pipe(Config.option),
  tlsVerify: Config.string("DOCKER_TLS_VERIFY").pipe(Config.option),
  certPath: Config.string("DOCKER_CERT_PATH").pipe(Config.option),
  apiVersion: Config.string("DOCKER_API_VERSION").pipe(Config.option),
  context: Config.string("DOCKER_CONTEXT").pipe(Config.option),
  configDir: Config.string("DOCKER_CONFIG").pipe(Config.option)
})

const nonEmpty = (value: Option.Option<string>) => Option.filter(value, (v) => v.trim() !== "")

const readEnv = Effect.mapError(
  EnvConfig,
  (error) => new DockerConfigError({ message: `Invalid Docker environment: ${error.message}`, cause: error })
)

/**
 * The environment and the docker CLI's configuration (`DOCKER_CONFIG`, else `~/.docker`), each read
 * once, and the options they give.
 */
const fromEnv = Effect.gen(function*() {
  const env = yield* readEnv
  const config = yield* DockerConfig.read(Option.getOrUndefined(nonEmpty(env.configDir)))
  const headers = config.file.HttpHeaders
  const apiVersion = Option.getOrUndefined(nonEmpty(env.apiVersion))
  const name = DockerConfig.contextName(config, { host: nonEmpty(env.host), context: nonEmpty(env.context) })
  const endpoint = yield* DockerConfig.context(config, name)
  const options: Options = Option.isSome(endpoint)
    ? { host: endpoint.value.host, tls: endpoint.value.tls, apiVersion, headers }
    : { ...(yield* optionsFromHost(env)), apiVersion, headers }
  return { config, options }
})

/**
 * Reads the environment and the docker CLI's configuration into {@link Options}, as the CLI does:
 * `DOCKER_HOST` (with `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH`) wins; else the context named by
 * `DOCKER_CONTEXT` or `config.json`'s `currentContext` (its endpoint and TLS material); else the
 * default socket. `config.json`'s `HttpHeaders` go on every request, and `DOCKER_API_VERSION`
 * pins the API version. TLS is used for `https://`, or when `DOCKER_TLS_VERIFY` or
 * `DOCKER_CERT_PATH` is set; the engine's certificate is always verified (unlike the Go SDK, which
 * skips the check when only `DOCKER_CERT_PATH` is set): turn it off explicitly with `layer`'s
 * `tls.verify`, or with a context's `SkipTLSVerify`.
 *
 * @since 0.1.0
 * @category config
 */
export const optionsFromEnv: Effect.Effect<Options, DockerConfigError, FileSystem.FileSystem | Path.Path> = Effect
  .map(fromEnv, ({ options }) => options)

const optionsFromHost = (env: Config.Config.Success<typeof EnvConfig>) =>
  Effect.gen(function*() {
    const host = Option.getOrElse(nonEmpty(env.host), () => DockerHost.defaultHost)
    const certPath = nonEmpty(env.certPath)
    const wantsTls = Option.isSome(nonEmpty(env.tlsVerify)) || Option.isSome(certPath) || host.startsWith("https://")
    if (!wantsTls) return { host }
    const path = yield* Path.Path
    const dir = Option.getOrElse(certPath, () => path.join(Os.homedir(), ".docker"))
    const { ca, cert, key } = yield* DockerConfig.tlsMaterial(dir)
    if (Option.isSome(certPath) && ca === undefined && cert === undefined && key === undefined) {
      return yield* new DockerConfigError({
        message: `DOCKER_CERT_PATH=${dir} holds none of ca.pem, cert.pem, key.pem`
      })
    }
    if ((cert === undefined) !== (key === undefined)) {
      return yield* new DockerConfigError({ message: `${dir} must hold both cert.pem and key.pem, or neither` })
    }
    return {
      host,
      tls: { ca, cert, key: key === undefined ? undefined : Redacted.make<string | Uint8Array>(key), verify: true }
    }
  })

/**
 * {@link layer} configured from the environment and the docker CLI's configuration
 * ({@link optionsFromEnv}), with the CLI's registry credentials for pulls and pushes
 * (`DockerConfig.credentials`); `overrides` win.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFromEnv = (
  overrides: Partial<Options> = {}
): Layer.Layer<Services | RegistryCredentials, LayerError> =>
  Layer.unwrapEffect(Effect.gen(function*() {
    const { config, options } = yield* fromEnv
    const credentials = Layer.succeed(RegistryCredentials, DockerConfig.credentials(config))
    const merged = { ...options, ...overrides }
    return Layer.provideMerge(Docker.layerOn(NodeDockerTransport.layer(merged), merged), credentials)
  })).pipe(Layer.provide(NodeContext.layer))
