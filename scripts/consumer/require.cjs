/* eslint-disable @typescript-eslint/no-require-imports -- this file proves the packages load with require() */
// The packages from CommonJS: require() of each, and a request through the mock transport and
// through the engine in DOCKER_HOST.
const { Docker, DockerError } = require("@effect-docker/client")
const { NodeDocker, Tar } = require("@effect-docker/node")
const { MockTransport } = require("@effect-docker/testing")
const { TestContainer, TestSession, Wait } = require("@effect-docker/testcontainers")
const { Effect, Layer } = require("effect")
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
  // A test container with the session's reaper: the reaper's program is the built package's own text.
  const engine = NodeDocker.layerFromEnv()
  const answered = await Effect.runPromise(
    Effect.scoped(Effect.gen(function*() {
      const web = yield* TestContainer.start({
        image: "busybox",
        cmd: ["httpd", "-f", "-p", "80", "-h", "/www"],
        files: [{ target: "/www/index.html", content: "from require\n" }],
        exposedPorts: [80],
        wait: Wait.forHttp("/index.html", 80)
      })
      const endpoint = yield* web.endpoint(80)
      return yield* Effect.promise(() => fetch(`http://${endpoint}/index.html`).then((response) => response.text()))
    })).pipe(Effect.provide(TestSession.layer().pipe(Layer.provideMerge(engine))))
  )
  assert.equal(answered, "from require\n")
  console.log(
    `require: ping through the mock ${mocked}, through the engine ${real}, a tar made and read, a test container`
  )
}
run().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
