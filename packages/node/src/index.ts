/**
 * Node.js transports for effect-docker: Unix socket, TCP, TLS and SSH, with the docker CLI's configuration.
 *
 * @packageDocumentation
 * @module @effect-docker/node
 */

/**
 * @since 0.2.0
 */
export * as BuildKitSession from "./BuildKitSession.js"

/**
 * @since 0.1.0
 */
export * as DockerConfig from "./DockerConfig.js"

/**
 * @since 0.1.0
 */
export * as NodeDocker from "./NodeDocker.js"

/**
 * @since 0.1.0
 */
export * as NodeDockerTransport from "./NodeDockerTransport.js"

/**
 * @since 0.1.0
 */
export * as Tar from "./Tar.js"

/**
 * @since 0.2.0
 */
export * as ProgressRenderer from "./ProgressRenderer.js"
