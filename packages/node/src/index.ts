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
