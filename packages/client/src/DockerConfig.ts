/**
 * The docker CLI's configuration, read as the CLI reads it: `DOCKER_CONFIG` (default
 * `~/.docker`) and its `config.json` (`currentContext`, `HttpHeaders`, `auths`, `credsStore`,
 * `credHelpers`), the context store (`contexts/meta/<sha256 of the name>/meta.json`, with TLS
 * material under `contexts/tls/<sha256 of the name>/docker/`).
 * Platform-neutral: files through `@effect/platform`'s `FileSystem`, credential helpers through
 * the runner a platform package gives (`@effect-docker/node`, `/bun`, `/deno`).
 *
 * @since 0.2.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { DockerConfigError } from "./DockerError.js"
import type { TlsOptions } from "./FetchTransport.js"
import type { AuthConfig, RegistryCredentials } from "./RegistryAuth.js"

/**
 * The parts of `config.json` this client uses.
 *
 * @since 0.2.0
 * @category models
 */
export interface ConfigFile {
  readonly currentContext?: string
  readonly HttpHeaders?: Readonly<Record<string, string>>
  readonly auths?: Readonly<Record<string, { readonly auth?: string; readonly identitytoken?: string }>>
  readonly credsStore?: string
  readonly credHelpers?: Readonly<Record<string, string>>
}

/**
 * The docker CLI's configuration directory and its `config.json` (empty when there is none).
 *
 * @since 0.2.0
 * @category models
 */
export interface DockerConfig {
  readonly dir: string
  readonly file: ConfigFile
}

/**
 * A context's docker endpoint.
 *
 * @since 0.2.0
 * @category models
 */
export interface ContextEndpoint {
  readonly name: string
  readonly host: string
  readonly tls: TlsOptions | undefined
}

/** A file's bytes, or `undefined` when there is none; any other failure says which file. */
const readOptional = <A>(file: string, read: (fs: FileSystem.FileSystem) => Effect.Effect<A, unknown>) =>
  Effect.flatMap(
    FileSystem.FileSystem,
    (fs) => Effect.flatMap(fs.exists(file), (exists) => exists ? read(fs) : Effect.succeed(undefined))
  ).pipe(
    Effect.mapError((cause) =>
      new DockerConfigError({ message: `cannot read ${file}: ${(cause as { message?: string }).message}`, cause })
    )
  )

const readJson = (file: string) =>
  Effect.flatMap(
    readOptional(file, (fs) => fs.readFileString(file)),
    (text) =>
      Effect.try({
        try: () => text === undefined ? undefined : JSON.parse(text) as unknown,
        catch: (cause) => new DockerConfigError({ message: `cannot read ${file}: ${(cause as Error).message}`, cause })
      })
  )

/** The paths of the platform, under `~/.docker` by default. */
const dockerPath = (...segments: ReadonlyArray<string>) => Effect.map(Path.Path, (path) => path.join(...segments))

/**
 * The user's home: `HOME`, else `USERPROFILE` (Windows), as Go's `os.UserHomeDir` reads it.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { DockerConfig } from "@effect-docker/client"
 *
 * const dir = Effect.map(DockerConfig.home, (home) => `${home}/.docker`)
 * ```
 *
 * @since 0.2.0
 * @category config
 */
export const home: Effect.Effect<string> = Effect.orElseSucceed(
  Config.string("HOME").pipe(Config.orElse(() => Config.string("USERPROFILE"))),
  () => "/"
)

/**
 * Reads the configuration in `dir` (`DOCKER_CONFIG`, else `~/.docker`).
 *
 * @since 0.2.0
 * @category config
 */
export const read = (
  dir?: string
): Effect.Effect<DockerConfig, DockerConfigError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const resolved = dir ?? (yield* dockerPath(yield* home, ".docker"))
    const file = yield* readJson(yield* dockerPath(resolved, "config.json"))
    return { dir: resolved, file: (file ?? {}) as ConfigFile }
  })

/** The context store's directory name of a context: the hex SHA-256 of its name (Web Crypto). */
const contextDigest = (name: string) =>
  Effect.promise(async () => {
    const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(name))
    return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("")
  })

/**
 * The TLS files the docker CLI keeps in a directory (`DOCKER_CERT_PATH`, a context's TLS
 * folder): `ca.pem`, `cert.pem`, `key.pem`, each absent when its file is.
 *
 * @since 0.2.0
 * @category config
 */
export const tlsMaterial = (dir: string): Effect.Effect<
  {
    readonly ca: Uint8Array | undefined
    readonly cert: Uint8Array | undefined
    readonly key: Uint8Array | undefined
  },
  DockerConfigError,
  FileSystem.FileSystem | Path.Path
> =>
  Effect.gen(function*() {
    const file = (name: string) =>
      Effect.flatMap(dockerPath(dir, name), (path) => readOptional(path, (fs) => fs.readFile(path)))
    return { ca: yield* file("ca.pem"), cert: yield* file("cert.pem"), key: yield* file("key.pem") }
  })

/**
 * The docker endpoint of the context `name`, from the context store. `default` is not in the
 * store: it stands for `DOCKER_HOST` or the default socket, and gives `Option.none()`.
 *
 * @since 0.2.0
 * @category config
 */
export const context = (
  config: DockerConfig,
  name: string
): Effect.Effect<Option.Option<ContextEndpoint>, DockerConfigError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    if (name === "default") return Option.none()
    const digest = yield* contextDigest(name)
    const metaFile = yield* dockerPath(config.dir, "contexts", "meta", digest, "meta.json")
    const meta = (yield* readJson(metaFile)) as
      | { readonly Endpoints?: { readonly docker?: { readonly Host?: string; readonly SkipTLSVerify?: boolean } } }
      | undefined
    if (meta === undefined) {
      return yield* new DockerConfigError({ message: `context "${name}" does not exist (no ${metaFile})` })
    }
    const endpoint = meta.Endpoints?.docker
    if (endpoint?.Host === undefined) {
      return yield* new DockerConfigError({ message: `context "${name}" has no docker endpoint` })
    }
    const { ca, cert, key } = yield* tlsMaterial(yield* dockerPath(config.dir, "contexts", "tls", digest, "docker"))
    const usesTls = ca !== undefined || cert !== undefined || endpoint.SkipTLSVerify === true ||
      endpoint.Host.startsWith("https://")
    return Option.some({
      name,
      host: endpoint.Host,
      tls: usesTls
        ? {
          ca,
          cert,
          key: key === undefined ? undefined : Redacted.make<string | Uint8Array>(key),
          verify: endpoint.SkipTLSVerify !== true
        }
        : undefined
    })
  })

/**
 * The context the docker CLI would use: `DOCKER_HOST` wins (the `default` context), then
 * `DOCKER_CONTEXT`, then `config.json`'s `currentContext`, then `default`.
 *
 * @since 0.2.0
 * @category config
 */
export const contextName = (
  config: DockerConfig,
  env: { readonly host: Option.Option<string>; readonly context: Option.Option<string> }
): string =>
  Option.isSome(env.host)
    ? "default"
    : Option.getOrElse(env.context, () => config.file.currentContext ?? "default")

/**
 * Runs `docker-credential-<helper> <action>` with `input` on stdin (the credential-helper
 * protocol) and gives its stdout; a failure keeps the helper's output apart, for the caller to
 * read (`credentials not found`), never to show. Each platform package gives one.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { DockerConfig } from "@effect-docker/client"
 *
 * const none: DockerConfig.CredentialHelper = (helper) =>
 *   Effect.fail({ reason: `docker-credential-${helper} is not on the PATH`, output: "" })
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type CredentialHelper = (
  helper: string,
  action: "get" | "list",
  input: string
) => Effect.Effect<string, { readonly reason: string; readonly output: string }>

const fromHelper = (
  runHelper: CredentialHelper,
  helper: string,
  registry: string
): Effect.Effect<Option.Option<AuthConfig>, DockerConfigError> =>
  runHelper(helper, "get", registry).pipe(
    Effect.matchEffect({
      // Helpers answer a registry they have nothing for with this message and a non-zero exit.
      onFailure: ({ output, reason }) =>
        /credentials not found/i.test(output)
          ? Effect.succeed(Option.none())
          : Effect.fail(new DockerConfigError({ message: `credentials for ${registry}: ${reason}` })),
      onSuccess: (stdout) =>
        Effect.try({
          try: () => {
            const answer = JSON.parse(stdout) as { ServerURL?: string; Username?: string; Secret?: string }
            const secret = answer.Secret === undefined ? undefined : Redacted.make(answer.Secret)
            return Option.some<AuthConfig>(
              answer.Username === "<token>"
                ? { serverAddress: registry, identityToken: secret }
                : { serverAddress: registry, username: answer.Username, password: secret }
            )
          },
          // Never quote the helper's output: it holds the secret.
          catch: () =>
            new DockerConfigError({ message: `docker-credential-${helper} answered something that is not JSON` })
        })
    })
  )

/** `auths` in `config.json`: base64 `user:password`, or an identity token. */
/** Base64 to UTF-8 text, or `""` when it is not base64. */
const base64Text = (value: string) => {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(value), (char) => char.charCodeAt(0)))
  } catch {
    return ""
  }
}

const fromFile = (
  config: DockerConfig,
  registry: string
): Effect.Effect<Option.Option<AuthConfig>, DockerConfigError> => {
  const auths = config.file.auths ?? {}
  // Docker Hub's entry may be stored under older spellings; others by host, with or without a scheme.
  const entry = auths[registry] ??
    Object.entries(auths).find(([key]) => key.replace(/^https?:\/\//, "").replace(/\/.*$/, "") === registry)?.[1]
  if (entry === undefined) return Effect.succeed(Option.none())
  if (entry.identitytoken !== undefined && entry.identitytoken !== "") {
    return Effect.succeed(Option.some({ serverAddress: registry, identityToken: Redacted.make(entry.identitytoken) }))
  }
  if (entry.auth === undefined || entry.auth === "") return Effect.succeed(Option.none())
  const decoded = base64Text(entry.auth)
  const colon = decoded.indexOf(":")
  if (colon === -1) {
    return Effect.fail(
      new DockerConfigError({
        message: `the auth of ${registry} in ${config.dir}/config.json is not base64 user:password`
      })
    )
  }
  return Effect.succeed(Option.some({
    serverAddress: registry,
    username: decoded.slice(0, colon),
    password: Redacted.make(decoded.slice(colon + 1))
  }))
}

/** `docker-credential-<store> list`: the registries a credential store holds, as `{ serverURL: username }`. */
const listHelper = (
  runHelper: CredentialHelper,
  helper: string
): Effect.Effect<ReadonlyArray<string>, DockerConfigError> =>
  runHelper(helper, "list", "").pipe(
    Effect.mapError(({ reason }) => new DockerConfigError({ message: `listing credentials: ${reason}` })),
    Effect.flatMap((stdout) =>
      Effect.try({
        try: () => Object.keys(JSON.parse(stdout === "" ? "{}" : stdout) as Record<string, string>),
        catch: () =>
          new DockerConfigError({ message: `docker-credential-${helper} list answered something that is not JSON` })
      })
    )
  )

/**
 * Credentials as the docker CLI finds them: the registry's `credHelpers` entry, else the
 * `credsStore`, else `auths`. `all` gathers those of every registry named in `auths`,
 * `credHelpers` or the store, as the CLI does for builds.
 *
 * @since 0.2.0
 * @category config
 */
export const credentials = (config: DockerConfig, runHelper: CredentialHelper): RegistryCredentials["Type"] => {
  const get = (registry: string) => {
    const helper = config.file.credHelpers?.[registry] ?? config.file.credsStore
    return helper !== undefined && helper !== "" ? fromHelper(runHelper, helper, registry) : fromFile(config, registry)
  }
  const store = config.file.credsStore
  return {
    get,
    all: Effect.gen(function*() {
      const registries = new Set([
        ...Object.keys(config.file.auths ?? {}),
        ...Object.keys(config.file.credHelpers ?? {}),
        ...(store !== undefined && store !== "" ? yield* listHelper(runHelper, store) : [])
      ])
      const found = yield* Effect.forEach([...registries], get)
      return found.flatMap((auth) => Option.isSome(auth) ? [auth.value] : [])
    })
  }
}
