/**
 * Networks and volumes for test containers: made with the session's labels (the reaper removes
 * them when the test process dies) under a unique name, removed when their scope closes.
 * Containers on a test network reach each other by their aliases.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { TestContainer, TestNetwork } from "@effect-docker/testcontainers"
 *
 * const pair = Effect.gen(function*() {
 *   const network = yield* TestNetwork.start()
 *   const server = yield* TestContainer.start({
 *     image: "busybox",
 *     cmd: ["httpd", "-f", "-p", "80"],
 *     networks: [{ network, aliases: ["web"] }]
 *   })
 *   return { network, server } // the client reaches the server as http://web/
 * })
 * ```
 *
 * @since 0.2.0
 */
import { Docker } from "@effect-docker/client"
import type { NetworkCreateBody, VolumeCreateRequest } from "@effect-docker/client/Schemas"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Crypto from "node:crypto"
import { TestSession } from "./TestSession.js"

/**
 * A started test network.
 *
 * @since 0.2.0
 * @category models
 */
export interface StartedTestNetwork {
  readonly id: string
  readonly name: string
}

/**
 * A started test volume.
 *
 * @since 0.2.0
 * @category models
 */
export interface StartedTestVolume {
  readonly name: string
}

const uniqueName = (kind: string, session: string) =>
  `tc-${kind}-${session.slice(0, 8)}-${Crypto.randomBytes(4).toString("hex")}`

/**
 * A network for the scope: a bridge unless the body says otherwise, named uniquely unless it names itself.
 *
 * @example
 * ```ts
 * import { TestNetwork } from "@effect-docker/testcontainers"
 *
 * const isolated = TestNetwork.start({ Internal: true })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const start = (body: Partial<NetworkCreateBody> = {}) =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const session = yield* TestSession
    const name = body.Name ?? uniqueName("net", session.id)
    const created = yield* docker.networks.scoped({
      ...body,
      Name: name,
      Labels: { ...body.Labels, ...session.labels }
    })
    return { id: created.Id, name } satisfies StartedTestNetwork
  }).pipe(Effect.withSpan("testcontainers.network", { kind: "internal" }))

/**
 * A volume for the scope, with the session's labels; removed when it closes.
 *
 * @example
 * ```ts
 * import { TestNetwork } from "@effect-docker/testcontainers"
 *
 * const data = TestNetwork.startVolume() // mount it as `${data.name}:/data`
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const startVolume = (body: Partial<VolumeCreateRequest> = {}) =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const session = yield* TestSession
    const created = yield* docker.volumes.scoped({
      ...body,
      Name: body.Name ?? uniqueName("vol", session.id),
      Labels: { ...body.Labels, ...session.labels }
    })
    return { name: created.Name } satisfies StartedTestVolume
  }).pipe(Effect.withSpan("testcontainers.volume", { kind: "internal" }))

/**
 * A network as a layer, under a tag of the test's own, for a file's tests to share.
 *
 * @example
 * ```ts
 * import { Context } from "effect"
 * import { TestNetwork } from "@effect-docker/testcontainers"
 *
 * class Backend extends Context.Tag("Backend")<Backend, TestNetwork.StartedTestNetwork>() {}
 * const BackendLive = TestNetwork.layer(Backend)
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = <I>(tag: Context.Tag<I, StartedTestNetwork>, body: Partial<NetworkCreateBody> = {}) =>
  Layer.scoped(tag, start(body))
