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
