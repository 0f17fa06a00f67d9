/**
 * The `Docker` service: every operation, in groups that read like docker-py's client.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Docker } from "@effect-docker/client"
 * import { NodeDocker } from "@effect-docker/node"
 *
 * const program = Effect.gen(function*() {
 *   const docker = yield* Docker.Docker
 *   const container = yield* docker.containers.run({ image: "busybox", cmd: ["sleep", "30"], detach: true })
 *   yield* docker.containers.stop(container.Id)
 * })
 *
 * program.pipe(Effect.provide(NodeDocker.layer({ host: "unix:///var/run/docker.sock" })))
 * ```
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Configs from "./Configs.js"
import * as Containers from "./Containers.js"
import * as Distribution from "./Distribution.js"
import * as DockerEngineModule from "./DockerEngine.js"
import { DockerEngine } from "./DockerEngine.js"
import type { DockerConfigError, DockerVersionError } from "./DockerError.js"
import type { DockerTransport } from "./DockerTransport.js"
import * as Exec from "./Exec.js"
import * as Groups from "./generated/Groups.js"
import * as Images from "./Images.js"
import * as Networks from "./Networks.js"
import * as Plugins from "./Plugins.js"
import * as RegistryAuth from "./RegistryAuth.js"
import * as Secrets from "./Secrets.js"
import * as Services from "./Services.js"
import * as Session from "./Session.js"
import * as System from "./System.js"
import * as Tasks from "./Tasks.js"
import * as Volumes from "./Volumes.js"

/**
 * @since 0.1.0
 * @category tags
 */
export class Docker extends Context.Tag("@effect-docker/client/Docker")<
  Docker,
  {
    readonly containers: Containers.Containers
    readonly images: Images.Images
    readonly system: System.System
    readonly exec: Exec.Exec
    readonly networks: Networks.Networks
    readonly volumes: Volumes.Volumes
    readonly swarm: Groups.Swarm
    readonly nodes: Groups.Nodes
    readonly services: Services.Services
    readonly tasks: Tasks.Tasks
    readonly secrets: Secrets.Secrets
    readonly configs: Configs.Configs
    readonly plugins: Plugins.Plugins
    readonly distribution: Distribution.Distribution
    readonly build: Groups.Build
    readonly session: Session.Session
    /** The engine core, for requests that no group offers yet. */
    readonly engine: DockerEngine["Type"]
  }
>() {}

/**
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Docker["Type"], never, DockerEngine> = Effect.gen(function*() {
  const engine = yield* DockerEngine
  // Registry credentials are optional: without them, transfers send the caller's or none.
  const credentials = yield* Effect.serviceOption(RegistryAuth.RegistryCredentials)
  const images = Images.make(engine, Option.getOrUndefined(credentials))
  const exec = Exec.make(engine)
  return Docker.of({
    containers: Containers.make(engine, images, exec),
    images,
    system: System.make(engine),
    exec,
    networks: Networks.make(engine),
    volumes: Volumes.make(engine),
    swarm: Groups.swarm(engine),
    nodes: Groups.nodes(engine),
    services: Services.make(engine, Option.getOrUndefined(credentials)),
    tasks: Tasks.make(engine),
    secrets: Secrets.make(engine),
    configs: Configs.make(engine),
    plugins: Plugins.make(engine, Option.getOrUndefined(credentials)),
    distribution: Distribution.make(engine, Option.getOrUndefined(credentials)),
    build: Groups.build(engine),
    session: Session.make(engine),
    engine
  })
})

/**
 * The `Docker` service on the engine in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Docker, never, DockerEngine> = Layer.effect(Docker, make)

/**
 * The `Docker` service, its engine and the transport `transport` provides, all three in the
 * output: what every transport's layer (Node, a mock, the fake engine) is made of.
 *
 * @example
 * ```ts
 * import { Docker } from "@effect-docker/client"
 * import { MockTransport } from "@effect-docker/testing"
 *
 * const TestDocker = Docker.layerOn(MockTransport.layer(() => MockTransport.json([])), { apiVersion: "1.41" })
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layerOn = <ROut, E, R>(
  transport: Layer.Layer<ROut | DockerTransport, E, R>,
  options?: DockerEngineModule.Options
): Layer.Layer<Docker | DockerEngine | DockerTransport | ROut, E | DockerConfigError | DockerVersionError, R> =>
  Layer.provideMerge(layer, Layer.provideMerge(DockerEngineModule.layer(options), transport))
