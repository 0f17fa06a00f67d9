/**
 * Engine plugins: `docker.plugins.*`, with the transfers that stream (create from a tar, pull,
 * push, upgrade).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import type { DockerEngine, EngineError, EngineRequest } from "./DockerEngine.js"
import { type DockerConfigError, type DockerDecodeError, type DockerStreamError } from "./DockerError.js"
import * as Groups from "./generated/Groups.js"
import * as Requests from "./generated/Requests.js"
import type { PluginPrivilege } from "./generated/Schemas.js"
import * as Progress from "./Progress.js"
import type * as RegistryAuth from "./RegistryAuth.js"
import { PullError, PushError } from "./WorkflowError.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface PullOptions {
  /** The local name; default the remote reference. */
  readonly name?: string
  /**
   * The privileges granted to the plugin; default: exactly those it asks for (as
   * `docker plugin install --grant-all-permissions`).
   */
  readonly privileges?: ReadonlyArray<PluginPrivilege>
  readonly registryAuth?: Redacted.Redacted<string>
}

/**
 * `docker.plugins`: the generated operations, plus create, pull, push and upgrade.
 *
 * @since 0.1.0
 * @category models
 */
export interface Plugins extends Groups.Plugins {
  /**
   * Creates a plugin from a tar holding `config.json` and `rootfs/`. The plugin starts disabled.
   */
  readonly create: (name: string, tar: Stream.Stream<Uint8Array, unknown>) => Effect.Effect<void, EngineError>
  /** Installs a plugin from a registry; an error in the progress stream fails with {@link PullError}. */
  readonly pull: (
    remote: string,
    options?: PullOptions
  ) => Effect.Effect<void, EngineError | DockerDecodeError | DockerStreamError | DockerConfigError | PullError>
  /** Pushes a plugin to its registry; an error in the progress stream fails with {@link PushError}. */
  readonly push: (
    name: string,
    options?: { readonly registryAuth?: Redacted.Redacted<string> }
  ) => Effect.Effect<void, EngineError | DockerDecodeError | DockerConfigError | PushError>
  /** Replaces a disabled plugin's content with that of `remote`. */
  readonly upgrade: (
    name: string,
    remote: string,
    options?: Omit<PullOptions, "name">
  ) => Effect.Effect<void, EngineError | DockerDecodeError | DockerStreamError | DockerConfigError | PullError>
}

/** Runs a progress stream to its end, failing at its first error event. */
const drain = <E>(
  events: Stream.Stream<Progress.ProgressEvent, EngineError | DockerDecodeError | DockerConfigError>,
  onError: (m: string) => E
) => Stream.runDrain(Progress.failOnError(onError)(events))

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  engine: DockerEngine["Type"],
  credentials?: RegistryAuth.RegistryCredentials["Type"]
): Plugins => {
  const generated = Groups.plugins(engine)

  const privilegesFor = (remote: string, options: Omit<PullOptions, "name">) =>
    options.privileges !== undefined ? Effect.succeed(options.privileges) : generated.privileges({ remote })

  const transfer = (request: EngineRequest, remote: string, options: Omit<PullOptions, "name">) =>
    Effect.flatMap(privilegesFor(remote, options), (privileges) =>
      drain(
        Progress.transfer(
          engine,
          { ...request, json: privileges, timeoutMillis: 0 },
          { image: remote, explicit: options.registryAuth, credentials }
        ),
        (message) => new PullError({ image: remote, message })
      ))

  return {
    ...generated,
    create: (name, tar) =>
      Effect.asVoid(engine.request({
        ...Requests.PluginCreate({ name }),
        headers: { "content-type": "application/x-tar" },
        body: tar,
        resource: "plugin",
        timeoutMillis: 0
      })),
    pull: (remote, options = {}) => transfer(Requests.PluginPull({ remote, name: options.name }), remote, options),
    push: (name, options = {}) =>
      drain(
        Progress.transfer(
          engine,
          { ...Requests.PluginPush(name), timeoutMillis: 0 },
          { image: name, explicit: options.registryAuth, credentials }
        ),
        (message) => new PushError({ image: name, message })
      ),
    upgrade: (name, remote, options = {}) => transfer(Requests.PluginUpgrade(name, { remote }), remote, options)
  }
}
