/**
 * Test layers for effect-docker: a mock transport and a fake engine (in process, or served for the docker CLI).
 *
 * @packageDocumentation
 * @module @effect-docker/testing
 */

/**
 * @since 0.1.0
 */
export * as FakeEngine from "./FakeEngine.js"

/**
 * @since 0.1.0
 */
export * as MockTransport from "./MockTransport.js"

/**
 * @since 0.1.0
 */
export * as FakeEngineServer from "./FakeEngineServer.js"
