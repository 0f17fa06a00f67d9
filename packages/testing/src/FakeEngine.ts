/**
 * A Docker engine in memory: containers, images, networks, volumes, exec and events with the
 * wire format of Engine API 1.41 (Docker 20.10) or 1.51 (Docker 28.5), the engine's status codes
 * and its error messages. What containers
 * print and how they exit is scripted by the test. Use it in the same process as a transport
 * layer ({@link layer}, no socket), or serve it on a socket for other clients, e.g. the docker CLI
 * (`effect-docker-fake-engine --listen unix:///tmp/fake.sock`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Docker } from "@effect-docker/client"
 * import { FakeEngine } from "@effect-docker/testing"
 *
 * const layer = FakeEngine.layerDocker({
 *   images: [{ reference: "busybox:latest" }],
 *   run: (container) =>
 *     container.cmd[0] === "echo" ? { output: [{ stream: "stdout", data: "hi\n" }], exit: 0 } : undefined
 * })
 *
 * const program = Effect.gen(function*() {
 *   const docker = yield* Docker.Docker
 *   return yield* docker.containers.run({ image: "busybox", cmd: ["echo", "hi"], remove: true }) // "hi\n"
 * }).pipe(Effect.provide(layer))
 * ```
 *
 * The engine's routes live in `internal/fakeEngine/`, one module per resource group, each a table
 * of `[methods, path pattern, handler]`.
 *
 * @since 0.1.0
 */
import * as Docker from "@effect-docker/client/Docker"
import type * as DockerEngine from "@effect-docker/client/DockerEngine"
import type { DockerConfigError, DockerVersionError } from "@effect-docker/client/DockerError"
import type { DockerTransport } from "@effect-docker/client/DockerTransport"
import * as Context from "effect/Context"
import * as Layer from "effect/Layer"
import { addImage } from "./internal/fakeEngine/images.js"
import { createPredefinedNetworks } from "./internal/fakeEngine/networks.js"
import { handle } from "./internal/fakeEngine/router.js"
import { EngineState } from "./internal/fakeEngine/state.js"
import { engineHeaders } from "./internal/fakeEngine/system.js"
import * as MockTransport from "./MockTransport.js"

/**
 * What a container (or an exec process) does once started: what it prints and whether it exits.
 *
 * @since 0.1.0
 * @category models
 */
export interface Script {
  /** Printed at start, in order. Text is split into lines as the engine's log driver does. */
  readonly output?: ReadonlyArray<{ readonly stream: "stdout" | "stderr"; readonly data: string | Uint8Array }>
  /** Exits by itself with this code right after printing; absent: runs until stopped or killed. */
  readonly exit?: number
  /** The exit code when stopped (the engine's SIGTERM, then SIGKILL); default 137, a PID 1 that ignores SIGTERM. */
  readonly stopExit?: number
}

/**
 * What a script is chosen by.
 *
 * @since 0.1.0
 * @category models
 */
export interface ProcessInfo {
  readonly containerId: string
  readonly name: string
  readonly image: string
  /** The command line: entrypoint and command. */
  readonly cmd: ReadonlyArray<string>
  readonly env: ReadonlyArray<string>
  readonly tty: boolean
  readonly labels: Readonly<Record<string, string>>
}

/**
 * An image the engine has, or that its registry catalogue offers for pulls.
 *
 * @since 0.1.0
 * @category models
 */
export interface ImageDefinition {
  /** e.g. `busybox:latest` or `127.0.0.1:5000/app:v1`. */
  readonly reference: string
  /** `sha256:...`; default: made from the reference. */
  readonly id?: string
  readonly size?: number
  /** Unix seconds. */
  readonly created?: number
  readonly labels?: Readonly<Record<string, string>>
  readonly cmd?: ReadonlyArray<string>
  readonly entrypoint?: ReadonlyArray<string>
  readonly env?: ReadonlyArray<string>
  readonly workingDir?: string
}

/**
 * The Engine API versions the fake engine answers as: 1.41 (Docker 20.10.24) and 1.51 (Docker 28.5.2).
 *
 * @since 0.2.0
 * @category models
 */
export type ApiVersion = "1.41" | "1.51"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * The API version to answer as (default 1.41): the version header, `/version`, the fields that
   * version sends and the order of its events.
   */
  readonly apiVersion?: ApiVersion | undefined
  /** Images present from the start. */
  readonly images?: ReadonlyArray<ImageDefinition>
  /** Images a pull can fetch (the registry); a pull of anything else fails as the engine's does. */
  readonly registry?: ReadonlyArray<ImageDefinition>
  /** What a started container does; `undefined` (the default): prints nothing and runs until stopped. */
  readonly run?: (container: ProcessInfo) => Script | undefined
  /** What an exec process does; `undefined` (the default): prints nothing and exits 0. */
  readonly exec?: (container: ProcessInfo, cmd: ReadonlyArray<string>) => Script | undefined
  /** What `/version` reports besides the API version; the defaults are those of the release `apiVersion` names. */
  readonly version?: {
    readonly Version?: string
    readonly GitCommit?: string
    readonly GoVersion?: string
    readonly Os?: string
    readonly Arch?: string
    readonly KernelVersion?: string
    readonly BuildTime?: string
  }
}

/**
 * A fake engine: its handler answers requests as a Docker engine would.
 *
 * @since 0.1.0
 * @category models
 */
export interface FakeEngine {
  /** Answers one request (the path with or without its `/v1.41` prefix). */
  readonly handle: MockTransport.Handler
  /** The headers of every answer (`Api-Version`, `Server`, ...), for a server that serves it. */
  readonly headers: Readonly<Record<string, string>>
}

/**
 * Access to the fake engine a layer runs.
 *
 * @since 0.1.0
 * @category tags
 */
export class FakeEngineService extends Context.Tag("@effect-docker/testing/FakeEngine")<
  FakeEngineService,
  FakeEngine
>() {}

/**
 * Makes a fake engine with its own state.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): FakeEngine => {
  const engine = new EngineState(options)
  for (const definition of options.images ?? []) addImage(engine, definition)
  createPredefinedNetworks(engine)
  return { handle: handle(engine), headers: engineHeaders(options) }
}

/**
 * The fake engine as a `DockerTransport` layer (in the same process, no socket), with
 * {@link FakeEngineService} and `MockTransport` (the requests it received).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options = {}
): Layer.Layer<DockerTransport | MockTransport.MockTransport | FakeEngineService> => {
  const engine = make(options)
  return Layer.merge(MockTransport.layer(engine.handle), Layer.succeed(FakeEngineService, engine))
}

/**
 * The `Docker` service on a fake engine.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerDocker = (
  options: Options = {}
): Layer.Layer<
  Docker.Docker | DockerEngine.DockerEngine | DockerTransport | MockTransport.MockTransport | FakeEngineService,
  DockerConfigError | DockerVersionError
> => Docker.layerOn(layer(options))
