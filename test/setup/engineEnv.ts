/**
 * Points each integration test file at its project's engine: the engine's settings
 * (`EFFECT_DOCKER_TEST_*`, from the global setup) and `DOCKER_HOST` in the environment, where tests
 * written as users write them (examples/testing) and child processes find them.
 */
import { inject } from "vitest"

const settings = inject("engine")
Object.assign(process.env, settings)
process.env.DOCKER_HOST = `unix://${settings.EFFECT_DOCKER_TEST_SOCKET}`
delete process.env.DOCKER_TLS_VERIFY
delete process.env.DOCKER_CERT_PATH
// The engine's own docker CLI first on the PATH (the modern engine's is Docker 28.5's).
if (settings.EFFECT_DOCKER_TEST_ENGINE_PATH) {
  process.env.PATH = `${settings.EFFECT_DOCKER_TEST_ENGINE_PATH}:${process.env.PATH}`
}
