/**
 * effect-docker on Deno: the `Docker` service over Deno's own sockets.
 *
 * @packageDocumentation
 * @module @effect-docker/deno
 */

/**
 * @since 0.2.0
 */
export * as DenoDocker from "./DenoDocker.js"

/**
 * @since 0.2.0
 */
export * as DenoDockerTransport from "./DenoDockerTransport.js"
