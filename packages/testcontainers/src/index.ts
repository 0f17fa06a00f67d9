/**
 * Throwaway containers for tests, as Effect layers: definitions, wait strategies, networks,
 * reuse, and a reaper that cleans up after a killed test process.
 *
 * @packageDocumentation
 * @module @effect-docker/testcontainers
 */

/**
 * @since 0.2.0
 */
export * as TestContainer from "./TestContainer.js"

/**
 * @since 0.2.0
 */
export * as TestContainerError from "./TestContainerError.js"

/**
 * @since 0.2.0
 */
export * as TestNetwork from "./TestNetwork.js"

/**
 * @since 0.2.0
 */
export * as TestSession from "./TestSession.js"

/**
 * @since 0.2.0
 */
export * as Wait from "./Wait.js"
