// The seed's four examples with plain `node`, as ES modules, against the engine in DOCKER_HOST:
// list, run detached, stop, and an unknown image's error in the error channel. Then a tar made and
// read (tar-stream loads on first use), and an ssh:// host without the optional ssh2 package: a
// DockerConfigError that says to install it.
import { Docker } from "@effect-docker/client"
import { NodeDocker, Tar } from "@effect-docker/node"
import { Effect, Layer, Redacted } from "effect"
import * as assert from "node:assert/strict"

const program = Effect.gen(function*() {
  const docker = yield* Docker.Docker
  const before = yield* docker.containers.list({ all: true })
  const container = yield* docker.containers.run({ image: "busybox", cmd: ["sleep", "30"], detach: true })
  assert.equal(container.State?.Status, "running")
  const listed = yield* docker.containers.list()
  assert.ok(listed.some((c) => c.Id === container.Id), "the started container is listed")
  yield* docker.containers.stop(container.Id, { timeout: "1 second" })
  const stopped = yield* docker.containers.inspect(container.Id)
  assert.equal(stopped.State?.Running, false)
  yield* docker.containers.remove(container.Id)
  const missing = yield* Effect.flip(docker.images.inspect("effect-docker/no-such-image:never"))
  assert.equal(missing._tag, "NotFound")
  assert.equal(missing.resource, "image")
  return { before: before.length, id: container.Id.slice(0, 12), error: missing._tag }
})

const result = await Effect.runPromise(program.pipe(Effect.provide(NodeDocker.layerFromEnv())))
console.log(`examples: listed ${result.before}, ran and stopped ${result.id}, unknown image: ${result.error}`)

// tar-stream, loaded on first use, from the installed package.
const files = await Effect.runPromise(Tar.readFiles(Tar.fromFiles({ "a/b.txt": "tar" })))
assert.equal(new TextDecoder().decode(files["a/b.txt"]), "tar")
console.log("tar: a file through fromFiles and readFiles")

const ssh = await Effect.runPromise(
  Effect.flip(
    Layer.build(NodeDocker.layer({ host: "ssh://user@127.0.0.1:1", ssh: { privateKey: Redacted.make("k") } }))
  )
    .pipe(Effect.scoped)
)
assert.equal(ssh._tag, "DockerConfigError")
assert.match(ssh.message, /npm install ssh2/)
console.log(`ssh without ssh2: ${ssh.message}`)
