/**
 * The layers that Deno programs provide: the `Docker` service, its engine and Deno's transport,
 * from options or from the environment.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Docker } from "@effect-docker/client"
 * import { DenoDocker } from "@effect-docker/deno"
 *
 * Effect.flatMap(Docker.Docker, (docker) => docker.containers.list()).pipe(
 *   Effect.provide(DenoDocker.layer({ host: "unix:///var/run/docker.sock" }))
 * )
 * ```
 *
 * @since 0.2.0
 */
import * as Docker from "@effect-docker/client/Docker"
import type * as DockerEngine from "@effect-docker/client/DockerEngine"
import * as DockerEnv from "@effect-docker/client/DockerEnv"
import type { DockerConfigError, DockerVersionError } from "@effect-docker/client/DockerError"
import type { DockerTransport, TransportError } from "@effect-docker/client/DockerTransport"
import type { RegistryCredentials } from "@effect-docker/client/RegistryAuth"
import * as Layer from "effect/Layer"
import * as DenoDockerTransport from "./DenoDockerTransport.js"
import * as Platform from "./internal/platform.js"

/**
 * Transport and engine options together, as `NodeDocker.Options` has them (but `ssh`).
 *
 * @example
 * ```ts
 * import type { DenoDocker } from "@effect-docker/deno"
 *
 * const options: DenoDocker.Options = { host: "tcp://127.0.0.1:2375", apiVersion: "1.41" }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Options extends DenoDockerTransport.Options, DockerEngine.Options {}

/**
 * What the layers provide.
 *
 * @example
 * ```ts
 * import type { Layer } from "effect"
 * import type { DenoDocker } from "@effect-docker/deno"
 *
 * declare const layer: Layer.Layer<DenoDocker.Services>
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type Services = Docker.Docker | DockerEngine.DockerEngine | DockerTransport

/**
 * What building the layers can fail with: bad configuration (or a runtime that is not Deno), an
 * engine too old, or one that cannot be reached while the API version is negotiated.
 *
 * @example
 * ```ts
 * import type { DenoDocker } from "@effect-docker/deno"
 *
 * const describe = (error: DenoDocker.LayerError) => error._tag
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export type LayerError = DockerConfigError | DockerVersionError | TransportError

/**
 * The `Docker` service over a Unix socket, TCP or TLS, chosen by `host`.
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import { DenoDocker } from "@effect-docker/deno"
 *
 * DenoDocker.layer({ host: "unix:///var/run/docker.sock" })
 * DenoDocker.layer({
 *   host: "tcp://docker.example:2376",
 *   tls: { ca: "-----BEGIN CERTIFICATE-----…", cert: "…", key: Redacted.make("…") }
 * })
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Services, LayerError> =>
  Docker.layerOn(DenoDockerTransport.layer(options), options)

/**
 * {@link layer} configured as the docker CLI is, from the same environment and configuration
 * as `NodeDocker.layerFromEnv` reads (`DOCKER_HOST`, `DOCKER_TLS_VERIFY`, `DOCKER_CERT_PATH`,
 * `DOCKER_CONTEXT`, `DOCKER_API_VERSION`, `DOCKER_CONFIG` and its `config.json` and contexts),
 * with the CLI's registry credentials for pulls and pushes; `overrides` win. Deno asks for `--allow-env` and
 * `--allow-read` (and `--allow-run` for a credential helper).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Docker } from "@effect-docker/client"
 * import { DenoDocker } from "@effect-docker/deno"
 *
 * Effect.flatMap(Docker.Docker, (docker) => docker.system.ping()).pipe(
 *   Effect.provide(DenoDocker.layerFromEnv())
 * )
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layerFromEnv = (
  overrides: Partial<Options> = {}
): Layer.Layer<Services | RegistryCredentials, LayerError> =>
  DockerEnv.layerFromEnv(layer, Platform.runHelper, overrides).pipe(Layer.provide(Platform.layerFiles))
