/**
 * The engine as the docker CLI's environment names it: `DOCKER_HOST` (with `DOCKER_TLS_VERIFY`
 * and `DOCKER_CERT_PATH`), `DOCKER_CONTEXT`, `DOCKER_API_VERSION` and `DOCKER_CONFIG` with its
 * `config.json` and contexts (`DockerConfig`), read the same on every runtime; and the
 * `layerFromEnv` of each platform package, made of its `layer`.
 *
 * @since 0.2.0
 */
import { SystemError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as DockerConfig from "./DockerConfig.js"
import { DockerConfigError } from "./DockerError.js"
import * as DockerHost from "./DockerHost.js"
import type { TlsOptions } from "./FetchTransport.js"
import { RegistryCredentials } from "./RegistryAuth.js"

/**
 * The settings the docker CLI reads from the environment.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { DockerEnv } from "@effect-docker/client"
 *
 * const host = Effect.map(DockerEnv.EnvConfig, (env) => env.host)
 * ```
 *
 * @since 0.2.0
 * @category config
 */
export const EnvConfig = Config.all({
  host: Config.string("DOCKER_HOST").pipe(Config.option),
  tlsVerify: Config.string("DOCKER_TLS_VERIFY").pipe(Config.option),
  certPath: Config.string("DOCKER_CERT_PATH").pipe(Config.option),
  apiVersion: Config.string("DOCKER_API_VERSION").pipe(Config.option),
  context: Config.string("DOCKER_CONTEXT").pipe(Config.option),
  configDir: Config.string("DOCKER_CONFIG").pipe(Config.option)
})

/**
 * What the environment and the configuration say about the engine: its host and TLS material,
 * the pinned API version, the headers for every request.
 *
 * @example
 * ```ts
 * import type { DockerEnv } from "@effect-docker/client"
 *
 * const options: DockerEnv.EnvOptions = { host: "unix:///var/run/docker.sock" }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface EnvOptions {
  readonly host: string
  readonly tls?: TlsOptions | undefined
  readonly apiVersion?: string | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
}

const nonEmpty = (value: Option.Option<string>) => Option.filter(value, (v) => v.trim() !== "")

const readEnv = Effect.mapError(
  EnvConfig,
  (error) => new DockerConfigError({ message: `Invalid Docker environment: ${error.message}`, cause: error })
)

const optionsFromHost = (env: Config.Config.Success<typeof EnvConfig>) =>
  Effect.gen(function*() {
    const host = Option.getOrElse(nonEmpty(env.host), () => DockerHost.defaultHost)
    const certPath = nonEmpty(env.certPath)
    const wantsTls = Option.isSome(nonEmpty(env.tlsVerify)) || Option.isSome(certPath) || host.startsWith("https://")
    if (!wantsTls) return { host }
    const path = yield* Path.Path
    const dir = Option.isSome(certPath) ? certPath.value : path.join(yield* DockerConfig.home, ".docker")
    const { ca, cert, key } = yield* DockerConfig.tlsMaterial(dir)
    if (Option.isSome(certPath) && ca === undefined && cert === undefined && key === undefined) {
      return yield* new DockerConfigError({
        message: `DOCKER_CERT_PATH=${dir} holds none of ca.pem, cert.pem, key.pem`
      })
    }
    if ((cert === undefined) !== (key === undefined)) {
      return yield* new DockerConfigError({ message: `${dir} must hold both cert.pem and key.pem, or neither` })
    }
    return {
      host,
      tls: { ca, cert, key: key === undefined ? undefined : Redacted.make<string | Uint8Array>(key), verify: true }
    }
  })

/**
 * Reads the environment and the docker CLI's configuration, each once, as the CLI does:
 * `DOCKER_HOST` (with `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH`) wins; else the context named by
 * `DOCKER_CONTEXT` or `config.json`'s `currentContext` (its endpoint and TLS material); else the
 * default socket. `config.json`'s `HttpHeaders` go on every request, and `DOCKER_API_VERSION`
 * pins the API version. TLS is used for `https://`, or when `DOCKER_TLS_VERIFY` or
 * `DOCKER_CERT_PATH` is set; the engine's certificate is always verified (unlike the Go SDK, which
 * skips the check when only `DOCKER_CERT_PATH` is set): turn it off explicitly with a layer's
 * `tls.verify`, or with a context's `SkipTLSVerify`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { DockerEnv } from "@effect-docker/client"
 *
 * const host = Effect.map(DockerEnv.fromEnv, ({ options }) => options.host)
 * ```
 *
 * @since 0.2.0
 * @category config
 */
export const fromEnv: Effect.Effect<
  { readonly config: DockerConfig.DockerConfig; readonly options: EnvOptions },
  DockerConfigError,
  FileSystem.FileSystem | Path.Path
> = Effect.gen(function*() {
  const env = yield* readEnv
  const config = yield* DockerConfig.read(Option.getOrUndefined(nonEmpty(env.configDir)))
  const headers = config.file.HttpHeaders
  const apiVersion = Option.getOrUndefined(nonEmpty(env.apiVersion))
  const name = DockerConfig.contextName(config, { host: nonEmpty(env.host), context: nonEmpty(env.context) })
  const endpoint = yield* DockerConfig.context(config, name)
  const options: EnvOptions = Option.isSome(endpoint)
    ? { host: endpoint.value.host, tls: endpoint.value.tls, apiVersion, headers }
    : { ...(yield* optionsFromHost(env)), apiVersion, headers }
  return { config, options }
})

/**
 * A platform's `layer(options)` made into its `layerFromEnv`: the options {@link fromEnv} reads,
 * with `overrides` on top, and the CLI's registry credentials (helpers run by `runHelper`).
 * The platform packages' `layerFromEnv` are this with their own file system and runner.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { DockerEnv } from "@effect-docker/client"
 *
 * declare const layer: (options: DockerEnv.EnvOptions) => Layer.Layer<never>
 * const fromEnv = DockerEnv.layerFromEnv(layer, (helper) => Effect.fail({ reason: `no ${helper}`, output: "" }))
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layerFromEnv = <O extends object, ROut, E>(
  layer: (options: EnvOptions & O) => Layer.Layer<ROut, E>,
  runHelper: DockerConfig.CredentialHelper,
  overrides: Partial<O> = {}
): Layer.Layer<ROut | RegistryCredentials, E | DockerConfigError, FileSystem.FileSystem | Path.Path> =>
  Layer.unwrapEffect(Effect.map(fromEnv, ({ config, options }) =>
    Layer.provideMerge(
      layer({ ...options, ...overrides } as EnvOptions & O),
      Layer.succeed(RegistryCredentials, DockerConfig.credentials(config, runHelper))
    )))

/**
 * The file system the configuration is read with, from a runtime's own two calls (its `Path` is
 * `@effect/platform`'s POSIX one): for runtimes without an `@effect/platform` package of theirs.
 * Only `exists`, `readFile` and `readFileString` work; the rest fail, as nothing here uses them.
 *
 * @example
 * ```ts
 * import { DockerEnv } from "@effect-docker/client"
 *
 * declare const exists: (path: string) => Promise<boolean>
 * declare const readFile: (path: string) => Promise<Uint8Array>
 * const files = DockerEnv.layerFiles({ exists, readFile })
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layerFiles = (files: {
  readonly exists: (path: string) => Promise<boolean>
  readonly readFile: (path: string) => Promise<Uint8Array>
}): Layer.Layer<FileSystem.FileSystem | Path.Path> => {
  const attempt = <A>(method: string, path: string, run: () => Promise<A>) =>
    Effect.tryPromise({
      try: run,
      catch: (cause) =>
        new SystemError({
          module: "FileSystem",
          method,
          reason: "Unknown",
          pathOrDescriptor: path,
          description: (cause as { readonly message?: string }).message ?? String(cause),
          cause
        })
    })
  const readFile = (path: string) => attempt("readFile", path, () => files.readFile(path))
  return Layer.merge(
    Layer.succeed(
      FileSystem.FileSystem,
      FileSystem.makeNoop({
        exists: (path) => attempt("exists", path, () => files.exists(path)),
        readFile,
        readFileString: (path) => Effect.map(readFile(path), (bytes) => new TextDecoder().decode(bytes))
      })
    ),
    Path.layer
  )
}
