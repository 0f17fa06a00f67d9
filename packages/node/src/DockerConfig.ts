/**
 * The docker CLI's configuration, read as the CLI reads it: `DOCKER_CONFIG` (default
 * `~/.docker`) and its `config.json` (`currentContext`, `HttpHeaders`, `auths`, `credsStore`,
 * `credHelpers`), and the context store (`contexts/meta/<sha256 of the name>/meta.json`, with TLS
 * material under `contexts/tls/<sha256 of the name>/docker/`). The reading is the client's
 * (`@effect-docker/client/DockerConfig`, the same on every runtime); credential helpers run here
 * with node:child_process.
 *
 * @since 0.1.0
 */
import * as Client from "@effect-docker/client/DockerConfig"
import type { DockerConfigError } from "@effect-docker/client/DockerError"
import { RegistryCredentials } from "@effect-docker/client/RegistryAuth"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { execFile } from "node:child_process"
import * as NodeContext from "./internal/nodeContext.js"

/**
 * The parts of `config.json` this client uses.
 *
 * @since 0.1.0
 * @category models
 */
export type ConfigFile = Client.ConfigFile

/**
 * A configuration directory and its `config.json`.
 *
 * @since 0.1.0
 * @category models
 */
export type DockerConfig = Client.DockerConfig

/**
 * A context's docker endpoint.
 *
 * @since 0.1.0
 * @category models
 */
export type ContextEndpoint = Client.ContextEndpoint

/**
 * Reads the configuration in `dir` (`DOCKER_CONFIG`, else `~/.docker`).
 *
 * @since 0.1.0
 * @category config
 */
export const read = Client.read

/**
 * The TLS files the docker CLI keeps in a directory (`DOCKER_CERT_PATH`, a context's TLS
 * directory): `ca.pem`, `cert.pem`, `key.pem`, each if present.
 *
 * @since 0.1.0
 * @category config
 */
export const tlsMaterial = Client.tlsMaterial

/**
 * A context's endpoint from the context store; `none` for `default`.
 *
 * @since 0.1.0
 * @category config
 */
export const context = Client.context

/**
 * The context the docker CLI would use: `DOCKER_HOST` wins (the `default` context), then
 * `DOCKER_CONTEXT`, then `config.json`'s `currentContext`, then `default`.
 *
 * @since 0.1.0
 * @category config
 */
export const contextName = Client.contextName

/**
 * Runs `docker-credential-<helper> <action>` with `input` on stdin (the credential-helper
 * protocol) with node:child_process. A failure keeps the helper's output apart, for the caller to
 * read, never to show.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { DockerConfig } from "@effect-docker/node"
 *
 * const stored = DockerConfig.runHelper("pass", "list", "")
 * ```
 *
 * @since 0.2.0
 * @category config
 */
export const runHelper: Client.CredentialHelper = (helper, action, input) =>
  Effect.async((resume) => {
    const program = `docker-credential-${helper}`
    const child = execFile(program, [action], { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error === null) return resume(Effect.succeed(stdout))
      const reason = (error as NodeJS.ErrnoException).code === "ENOENT"
        ? `${program} is not on the PATH`
        : `${program} ${action} failed: ${stderr.trim() || stdout.trim() || error.message}`
      resume(Effect.fail({ reason, output: stdout + stderr }))
    })
    // A helper that exits without reading its stdin (`list` takes none) closes the pipe: the
    // write's EPIPE is not a failure of ours, the exit status tells what happened.
    child.stdin?.on("error", () => {})
    child.stdin?.end(input)
    return Effect.sync(() => child.kill())
  })

/** A helper's credentials for `registry`; none when it has nothing for it. */
/**
 * Credentials as the docker CLI finds them: the registry's `credHelpers` entry, else the
 * `credsStore`, else `auths`. `all` gathers those of every registry named in `auths`,
 * `credHelpers` or the store, as the CLI does for builds.
 *
 * @since 0.1.0
 * @category config
 */
export const credentials = (config: DockerConfig): RegistryCredentials["Type"] => Client.credentials(config, runHelper)

/**
 * {@link credentials} as a layer, for `NodeDocker.layer` users who want the CLI's credentials.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerCredentials = (dir?: string): Layer.Layer<RegistryCredentials, DockerConfigError> =>
  Layer.effect(RegistryCredentials, Effect.map(read(dir), credentials)).pipe(Layer.provide(NodeContext.layer))
