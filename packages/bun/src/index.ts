/**
 * effect-docker on Bun: the `Docker` service over Bun's own sockets.
 *
 * @packageDocumentation
 * @module @effect-docker/bun
 */

/**
 * @since 0.2.0
 */
export * as BunDocker from "./BunDocker.js"

/**
 * @since 0.2.0
 */
export * as BunDockerTransport from "./BunDockerTransport.js"
