/* eslint-disable @typescript-eslint/no-require-imports -- this file proves the packages load with require() */
// The packages from CommonJS: require() of each, and a request through the mock transport and
// through the engine in DOCKER_HOST.
const { Docker, DockerError } = require("@effect-docker/client")
const { NodeDocker, Tar } = require("@effect-docker/node")
const { MockTransport } = require("@effect-docker/testing")
const { Effect } = require("effect")
const assert = require("node:assert/strict")

const ping = Effect.flatMap(Docker.Docker, (docker) => docker.system.ping())

const run = async () => {
  const mocked = await Effect.runPromise(
    ping.pipe(Effect.provide(MockTransport.layerDocker(() => MockTransport.text("OK"), { apiVersion: "1.41" })))
  )
  assert.equal(mocked, "OK")
  const real = await Effect.runPromise(ping.pipe(Effect.provide(NodeDocker.layerFromEnv())))
  assert.equal(real, "OK")
  assert.equal(typeof DockerError.isTransient, "function")
  const files = await Effect.runPromise(Tar.readFiles(Tar.fromFiles({ "a.txt": "from require" })))
  assert.equal(Buffer.from(files["a.txt"]).toString(), "from require")
  console.log(`require: ping through the mock ${mocked}, through the engine ${real}, a tar made and read`)
}
run().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
