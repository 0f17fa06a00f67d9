/**
 * The layers that Bun programs provide: the `Docker` service, its engine and Bun's transport,
 * from options or from the environment.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Docker } from "@effect-docker/client"
 * import { BunDocker } from "@effect-docker/bun"
 *
 * Effect.flatMap(Docker.Docker, (docker) => docker.containers.list()).pipe(
 *   Effect.provide(BunDocker.layer({ host: "unix:///var/run/docker.sock" }))
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
import * as BunDockerTransport from "./BunDockerTransport.js"
import * as Platform from "./internal/platform.js"

/**
 * Transport and engine options together, as `NodeDocker.Options` has them (but `ssh`).
 *
 * @example
 * ```ts
 * import type { BunDocker } from "@effect-docker/bun"
 *
 * const options: BunDocker.Options = { host: "tcp://127.0.0.1:2375", apiVersion: "1.41" }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Options extends BunDockerTransport.Options, DockerEngine.Options {}

/**
 * What the layers provide.
 *
 * @example
 * ```ts
 * import type { Layer } from "effect"
 * import type { BunDocker } from "@effect-docker/bun"
 *
 * declare const layer: Layer.Layer<BunDocker.Services>
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type Services = Docker.Docker | DockerEngine.DockerEngine | DockerTransport

/**
 * What building the layers can fail with: bad configuration (or a runtime that is not Bun), an
 * engine too old, or one that cannot be reached while the API version is negotiated.
 *
 * @example
 * ```ts
 * import type { BunDocker } from "@effect-docker/bun"
 *
 * const describe = (error: BunDocker.LayerError) => error._tag
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
 * import { BunDocker } from "@effect-docker/bun"
 *
 * BunDocker.layer({ host: "unix:///var/run/docker.sock" })
 * BunDocker.layer({
 *   host: "tcp://docker.example:2376",
 *   tls: { ca: "-----BEGIN CERTIFICATE-----…", cert: "…", key: Redacted.make("…") }
 * })
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Services, LayerError> =>
  Docker.layerOn(BunDockerTransport.layer(options), options)

/**
 * {@link layer} configured as the docker CLI is, from the same environment and configuration
 * as `NodeDocker.layerFromEnv` reads (`DOCKER_HOST`, `DOCKER_TLS_VERIFY`, `DOCKER_CERT_PATH`,
 * `DOCKER_CONTEXT`, `DOCKER_API_VERSION`, `DOCKER_CONFIG` and its `config.json` and contexts),
 * with the CLI's registry credentials for pulls and pushes; `overrides` win.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Docker } from "@effect-docker/client"
 * import { BunDocker } from "@effect-docker/bun"
 *
 * Effect.flatMap(Docker.Docker, (docker) => docker.system.ping()).pipe(
 *   Effect.provide(BunDocker.layerFromEnv())
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
