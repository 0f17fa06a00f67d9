/**
 * The test swarm (scripts/test-swarm.sh): its three nodes as the env file names them, a `Docker`
 * layer per node, and forming the swarm through the client: manager-1 inits, manager-2 and
 * worker-1 join with the tokens `swarm.inspect` reads. Used by scripts/swarm-form.ts (at
 * swarm-start) and by the swarm tests, which make nodes leave and join again.
 */
import { Docker } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"

export const swarmNodes = ["manager-1", "manager-2", "worker-1"] as const
export type SwarmNode = (typeof swarmNodes)[number]

const key = (node: SwarmNode, what: "SOCKET" | "ADDRESS") => {
  const name = `EFFECT_DOCKER_SWARM_${node.toUpperCase().replace("-", "_")}_${what}`
  const value = process.env[name]
  if (value === undefined) {
    throw new Error(`${name} is not set: is the test swarm up (scripts/test-engine.sh swarm-start)?`)
  }
  return value
}

/** A node's engine socket and its swarm address (`127.0.0.x:2377`). */
export const swarmNode = (node: SwarmNode) => ({ socket: key(node, "SOCKET"), address: key(node, "ADDRESS") })

/** How a node's `Docker` layer is made: `NodeDocker.layer`, or the tests' recording one. */
export type NodeLayer = (options: NodeDocker.Options) => ReturnType<typeof NodeDocker.layer>

/** The `Docker` service of one node's engine, with `layer` (a recording one in the tests). */
export const onNode = <A, E>(
  node: SwarmNode,
  effect: Effect.Effect<A, E, Docker.Docker>,
  layer: NodeLayer = NodeDocker.layer
) => Effect.provide(effect, layer({ host: `unix://${swarmNode(node).socket}` }))

/** `node` joins the swarm of manager-1 with `token`. */
export const joinWith = (node: SwarmNode, token: string, layer?: NodeLayer) => {
  const { address } = swarmNode(node)
  return onNode(
    node,
    Effect.flatMap(Docker.Docker, (docker) =>
      docker.swarm.join({
        ListenAddr: address,
        AdvertiseAddr: address,
        RemoteAddrs: [swarmNode("manager-1").address],
        JoinToken: token
      })),
    layer
  )
}

/** `node` joins the swarm of manager-1 as `role`, with the token manager-1 gives. */
export const join = (node: SwarmNode, role: "manager" | "worker", layer?: NodeLayer) =>
  Effect.flatMap(Docker.Docker, (docker) => docker.swarm.inspect()).pipe(
    Effect.flatMap(({ JoinTokens }) =>
      joinWith(node, role === "manager" ? JoinTokens!.Manager! : JoinTokens!.Worker!, layer)
    )
  )

/** Waits until the swarm (as manager-1 sees it) has `count` nodes ready. */
export const readyNodes = (count: number) =>
  Effect.flatMap(Docker.Docker, (docker) => docker.nodes.list()).pipe(
    Effect.map((nodes) => nodes.filter((node) => node.Status?.State === "ready")),
    Effect.filterOrFail((ready) => ready.length === count, () => new Error(`fewer than ${count} nodes are ready`)),
    Effect.retry(Schedule.spaced("250 millis").pipe(Schedule.upTo("60 seconds")))
  )

/** Forms the swarm: manager-1 inits, then manager-2 joins as a manager and worker-1 as a worker. */
export const form = Effect.gen(function*() {
  const docker = yield* Docker.Docker
  const { address } = swarmNode("manager-1")
  yield* docker.swarm.init({ ListenAddr: address, AdvertiseAddr: address })
  yield* join("manager-2", "manager")
  yield* join("worker-1", "worker")
  return yield* readyNodes(3)
})
