/**
 * A test process that is killed mid-test (test/testcontainers.test.ts): it starts a session with
 * its reaper, a network, a volume and a container using both, says what it made on stdout, then
 * waits to be killed. With `reuse`, it starts a reusable container instead, says it, and exits.
 */
import { NodeDocker } from "@effect-docker/node"
import { TestContainer, TestNetwork, TestSession } from "@effect-docker/testcontainers"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

const image = process.env.EFFECT_DOCKER_TEST_IMAGE!
const host = `unix://${process.env.EFFECT_DOCKER_TEST_SOCKET!}`

const killed = Effect.gen(function*() {
  const session = yield* TestSession.TestSession
  const network = yield* TestNetwork.start()
  const volume = yield* TestNetwork.startVolume()
  const container = yield* TestContainer.start({
    image,
    cmd: ["sleep", "600"],
    networks: [{ network, aliases: ["victim"] }],
    volumes: [`${volume.name}:/data`]
  })
  console.log(
    JSON.stringify({ session: session.id, network: network.id, volume: volume.name, container: container.id })
  )
  return yield* Effect.never
})

const reused = Effect.gen(function*() {
  const container = yield* TestContainer.start({
    image,
    cmd: ["sleep", "600"],
    labels: { "effect-docker.test": "testcontainers-reuse" },
    env: { RUN_MARK: process.env.REUSE_MARK ?? "" },
    reuse: true
  })
  console.log(JSON.stringify({ container: container.id, reused: container.reused }))
})

const program = process.argv[2] === "reuse" ? reused : killed
Effect.runPromise(
  Effect.scoped(program).pipe(
    Effect.provide(TestSession.layer().pipe(Layer.provideMerge(NodeDocker.layer({ host }))))
  )
).catch((error) => {
  console.error(error)
  process.exit(1)
})
