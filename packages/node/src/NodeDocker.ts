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
import * as DockerEnv from "@effect-docker/client/DockerEnv"
import type { DockerConfigError, DockerVersionError } from "@effect-docker/client/DockerError"
import type { DockerTransport, TransportError } from "@effect-docker/client/DockerTransport"
import type { RegistryCredentials } from "@effect-docker/client/RegistryAuth"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
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
export const EnvConfig = DockerEnv.EnvConfig

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
  .map(DockerEnv.fromEnv, ({ options }) => options)

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
  DockerEnv.layerFromEnv(layer, DockerConfig.runHelper, overrides).pipe(Layer.provide(NodeContext.layer))
