/**
 * Registry credentials: what the engine's `X-Registry-Auth` header carries, which registry an
 * image belongs to, and the {@link RegistryCredentials} service that finds credentials for a
 * registry (the Node package reads the docker CLI's `config.json`, credential stores and helpers).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { DockerConfigError } from "./DockerError.js"

/**
 * Credentials for one registry: a user name and password, or an identity token.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthConfig {
  readonly serverAddress: string
  readonly username?: string | undefined
  readonly password?: Redacted.Redacted<string> | undefined
  /** An OAuth identity token, as `docker login` stores it for registries that issue one. */
  readonly identityToken?: Redacted.Redacted<string> | undefined
}

/** Docker Hub's name in `config.json` and in the engine's credentials. */
const dockerHub = "https://index.docker.io/v1/"

/**
 * The registry an image reference belongs to, as the docker CLI names it in `config.json`:
 * `127.0.0.1:5000/app` is `127.0.0.1:5000`; `busybox` and `docker.io/library/busybox` are Docker
 * Hub's `https://index.docker.io/v1/`.
 *
 * @example
 * ```ts
 * import { RegistryAuth } from "@effect-docker/client"
 *
 * RegistryAuth.registryOf("ghcr.io/org/app:v1") // "ghcr.io"
 * RegistryAuth.registryOf("busybox") // "https://index.docker.io/v1/"
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const registryOf = (image: string): string => {
  const slash = image.indexOf("/")
  if (slash === -1) return dockerHub
  const first = image.slice(0, slash)
  const isHost = first.includes(".") || first.includes(":") || first === "localhost"
  if (!isHost || first === "docker.io" || first === "index.docker.io" || first === "registry-1.docker.io") {
    return dockerHub
  }
  return first
}

const base64url = (text: string) => {
  const bytes = new TextEncoder().encode(text)
  let binary = ""
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_")
}

/**
 * `auth` as the engine's JSON takes it (`X-Registry-Auth`, `X-Registry-Config`, `POST /auth`),
 * secrets unwrapped: only for what is sent, never for what is shown.
 *
 * @since 0.1.0
 * @category encoding
 */
export const toJson = (auth: AuthConfig): Record<string, string> => ({
  ...(auth.username !== undefined ? { username: auth.username } : {}),
  ...(auth.password !== undefined ? { password: Redacted.value(auth.password) } : {}),
  ...(auth.identityToken !== undefined ? { identitytoken: Redacted.value(auth.identityToken) } : {}),
  serveraddress: auth.serverAddress
})

/**
 * The `X-Registry-Auth` value for `auth`: base64url-encoded JSON, kept redacted.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encode = (auth: AuthConfig): Redacted.Redacted<string> =>
  Redacted.make(base64url(JSON.stringify(toJson(auth))))

/**
 * Where credentials come from. Provide it beside the `Docker` service (`NodeDocker.layerFromEnv`
 * does, from the docker CLI's configuration), and pulls and pushes without explicit credentials
 * use it.
 *
 * @since 0.1.0
 * @category tags
 */
export class RegistryCredentials extends Context.Tag("@effect-docker/client/RegistryCredentials")<
  RegistryCredentials,
  {
    /** The credentials for a registry (as {@link registryOf} names it), if any are configured. */
    readonly get: (registry: string) => Effect.Effect<Option.Option<AuthConfig>, DockerConfigError>
    /** All configured credentials, for builds (whose base images may come from any registry). */
    readonly all: Effect.Effect<ReadonlyArray<AuthConfig>, DockerConfigError>
  }
>() {}

/**
 * The `X-Registry-Auth` header for a transfer of `image`: the caller's credentials when given,
 * else those `credentials` finds for the image's registry, else `{}` (which engines want rather
 * than no header on pushes and plugin transfers).
 *
 * @since 0.1.0
 * @category encoding
 */
export const header = (
  credentials: RegistryCredentials["Type"] | undefined,
  image: string,
  explicit: Redacted.Redacted<string> | undefined
): Effect.Effect<Record<string, string>, DockerConfigError> =>
  Effect.map(resolve(credentials, image, explicit), (auth) => ({
    "x-registry-auth": auth === undefined ? "e30=" : Redacted.value(auth)
  }))

/**
 * The encoded credentials for `image`: the caller's when given, else those `credentials` finds
 * for its registry, else none.
 *
 * @since 0.1.0
 * @category combinators
 */
export const resolve = (
  credentials: RegistryCredentials["Type"] | undefined,
  image: string | undefined,
  explicit: Redacted.Redacted<string> | undefined
): Effect.Effect<Redacted.Redacted<string> | undefined, DockerConfigError> =>
  explicit !== undefined || credentials === undefined || image === undefined
    ? Effect.succeed(explicit)
    : Effect.map(credentials.get(registryOf(image)), (auth) => Option.getOrUndefined(Option.map(auth, encode)))

/**
 * The `X-Registry-Config` value of a build: every registry's credentials, as base64url JSON keyed
 * by registry, kept redacted.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeConfig = (auths: ReadonlyArray<AuthConfig>): Redacted.Redacted<string> =>
  Redacted.make(base64url(JSON.stringify(Object.fromEntries(auths.map((auth) => [auth.serverAddress, toJson(auth)])))))
