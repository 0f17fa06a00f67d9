/**
 * A BuildKit session: what a build asks of the client while it runs. The engine calls back,
 * over a hijacked `POST /session` connection carrying gRPC, for registry credentials (of the
 * registries its base images come from, from the `RegistryCredentials` service), for build
 * secrets (`RUN --mount=type=secret,id=...`, from values given as `Redacted`) and for an
 * ssh-agent (`RUN --mount=type=ssh`). The session is a scoped resource: it ends with its scope.
 *
 * @since 0.2.0
 */
import type { DockerEngine, Images } from "@effect-docker/client"
import { Docker } from "@effect-docker/client"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"

/**
 * What the session serves.
 *
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** Build secrets by id, for `RUN --mount=type=secret,id=<id>`; never in the image or its history. */
  readonly secrets?: Readonly<Record<string, Redacted.Redacted<string | Uint8Array>>> | undefined
  /**
   * ssh-agent sockets by id, for `RUN --mount=type=ssh[,id=<id>]`; `true` forwards the agent of
   * `SSH_AUTH_SOCK` as `default`.
   */
  readonly ssh?: true | Readonly<Record<string, string>> | undefined
  /** The session's name in the engine's logs. */
  readonly name?: string | undefined
}

/**
 * An open session: pass its `id` as a build's `session`.
 *
 * @since 0.2.0
 * @category models
 */
export interface BuildKitSession {
  readonly id: string
}

/**
 * Opens a session on the engine; it lasts until the scope closes.
 *
 * @example
 * ```ts
 * import { Docker } from "@effect-docker/client"
 * import { BuildKitSession, Tar } from "@effect-docker/node"
 * import { Effect, Redacted } from "effect"
 *
 * const build = Effect.scoped(Effect.gen(function*() {
 *   const docker = yield* Docker.Docker
 *   const session = yield* BuildKitSession.open({ secrets: { token: Redacted.make("s3cret") } })
 *   return yield* docker.images.build(
 *     Tar.fromFiles({ Dockerfile: "FROM busybox\nRUN --mount=type=secret,id=token cat /run/secrets/token\n" }),
 *     { session: session.id }
 *   )
 * }))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const open = (
  options: Options = {}
): Effect.Effect<BuildKitSession, DockerEngine.EngineError, Docker.Docker | Scope.Scope> =>
  Effect.promise(() => import("./internal/buildkitSession.js")).pipe(
    Effect.flatMap((session) => session.open(options)),
    Effect.withSpan("docker.buildkit.session", { captureStackTrace: false })
  )

/**
 * Builds with BuildKit inside a session of its own (secrets, ssh-agent, registry credentials),
 * which ends with the build; returns the image id.
 *
 * @example
 * ```ts
 * import { BuildKitSession, Tar } from "@effect-docker/node"
 * import { Redacted } from "effect"
 *
 * const build = BuildKitSession.build(
 *   Tar.fromFiles({ Dockerfile: "FROM busybox\nRUN --mount=type=secret,id=token test -s /run/secrets/token\n" }),
 *   { tags: ["app:latest"], secrets: { token: Redacted.make("s3cret") } }
 * )
 * ```
 *
 * @since 0.2.0
 * @category combinators
 */
export const build = (
  context: Stream.Stream<Uint8Array, unknown>,
  { name, secrets, ssh, ...options }: Images.BuildOptions & Options = {}
) =>
  Effect.scoped(Effect.gen(function*() {
    const session = yield* open({ name, secrets, ssh })
    const docker = yield* Docker.Docker
    return yield* docker.images.build(context, { ...options, builder: "buildkit", session: session.id })
  }))
