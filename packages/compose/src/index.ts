/**
 * Compose files run natively with effect-docker: up, down, logs, exec and scale for a
 * compose.yaml, with no docker compose binary.
 *
 * @packageDocumentation
 * @module @effect-docker/compose
 */

/**
 * @since 0.2.0
 */
export * as Compose from "./Compose.js"

/**
 * @since 0.2.0
 */
export * as ComposeError from "./ComposeError.js"

/**
 * @since 0.2.0
 */
export * as ComposeProject from "./ComposeProject.js"

/**
 * @since 0.2.0
 */
export * as ComposeSpec from "./ComposeSpec.js"
