/**
 * A Docker Engine API client for Effect: typed operations, tagged errors, streams and scopes.
 *
 * @packageDocumentation
 * @module @effect-docker/client
 */

/**
 * @since 0.1.0
 */
export * as ApiVersion from "./ApiVersion.js"

/**
 * @since 0.2.0
 */
export * as BuildKit from "./BuildKit.js"

/**
 * @since 0.2.0
 */
export * as Configs from "./Configs.js"

/**
 * @since 0.1.0
 */
export * as Containers from "./Containers.js"

/**
 * @since 0.1.0
 */
export * as Distribution from "./Distribution.js"

/**
 * @since 0.1.0
 */
export * as Docker from "./Docker.js"

/**
 * @since 0.2.0
 */
export * as DockerConfig from "./DockerConfig.js"

/**
 * @since 0.2.0
 */
export * as DockerEnv from "./DockerEnv.js"

/**
 * @since 0.1.0
 */
export * as DockerEngine from "./DockerEngine.js"

/**
 * @since 0.1.0
 */
export * as DockerError from "./DockerError.js"

/**
 * @since 0.1.0
 */
export * as DockerHost from "./DockerHost.js"

/**
 * @since 0.1.0
 */
export * as DockerTransport from "./DockerTransport.js"

/**
 * @since 0.1.0
 */
export * as EnginePath from "./EnginePath.js"

/**
 * @since 0.1.0
 */
export * as Exec from "./Exec.js"

/**
 * @since 0.2.0
 */
export * as FetchTransport from "./FetchTransport.js"

/**
 * @since 0.1.0
 */
export * as Images from "./Images.js"

/**
 * @since 0.1.0
 */
export * as JsonLines from "./JsonLines.js"

/**
 * @since 0.2.0
 */
export * as Limits from "./Limits.js"

/**
 * @since 0.1.0
 */
export * as Logs from "./Logs.js"

/**
 * @since 0.1.0
 */
export * as Multiplexed from "./Multiplexed.js"

/**
 * @since 0.1.0
 */
export * as Networks from "./Networks.js"

/**
 * @since 0.1.0
 */
export * as Plugins from "./Plugins.js"

/**
 * @since 0.1.0
 */
export * as Progress from "./Progress.js"

/**
 * Readiness conditions for containers: healthy, a log line, a listening port, a command, an exit.
 *
 * @since 0.1.0
 */
export * as Readiness from "./Readiness.js"

/**
 * Registry credentials: what the engine's `X-Registry-Auth` header carries, which registry an
 * image belongs to, and the {@link RegistryCredentials} service that finds credentials for a
 * registry (the Node package reads the docker CLI's `config.json`, credential stores and helpers).
 *
 * @since 0.1.0
 */
export * as RegistryAuth from "./RegistryAuth.js"

/**
 * `run`, `runStream` and `scoped` of `docker.containers`, and what they are built on.
 *
 * @since 0.2.0
 */
export * as Orchestration from "./Orchestration.js"

/**
 * How scoped resources are released, and where a failed release step is reported.
 *
 * @since 0.1.0
 */
export * as Release from "./Release.js"

/**
 * What `docker.containers.run` takes, and the create body it becomes.
 *
 * @since 0.2.0
 */
export * as RunOptions from "./RunOptions.js"

/**
 * @since 0.2.0
 */
export * as Secrets from "./Secrets.js"

/**
 * @since 0.1.0
 */
export * as Operation from "./Operation.js"

/**
 * The generated operations, one function per Engine API operation.
 *
 * @since 0.1.0
 */
export * as Operations from "./generated/Operations.js"

/**
 * The generated requests of the operations whose answers arrive over time (logs, events,
 * builds, archives, sessions): their options from the specification, to send with
 * `DockerEngine`'s `stream` or `upgrade`.
 *
 * @since 0.2.0
 */
export * as Requests from "./generated/Requests.js"

/**
 * The generated schemas of the Engine API's objects.
 *
 * @since 0.1.0
 */
export * as Schemas from "./generated/Schemas.js"

/**
 * @since 0.2.0
 */
export * as Session from "./Session.js"

/**
 * @since 0.1.0
 */
export * as Services from "./Services.js"

/**
 * @since 0.1.0
 */
export * as System from "./System.js"

/**
 * @since 0.1.0
 */
export * as Tasks from "./Tasks.js"

/**
 * @since 0.1.0
 */
export * as Volumes from "./Volumes.js"

/**
 * @since 0.2.0
 */
export * as WorkflowError from "./WorkflowError.js"
