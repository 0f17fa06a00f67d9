/**
 * A BuildKit session: what a build asks of the client while it runs. The engine calls back,
 * over a hijacked `POST /session` connection carrying gRPC, for registry credentials (of the
 * registries its base images come from, from the `RegistryCredentials` service), for build
 * secrets (`RUN --mount=type=secret,id=...`, from values given as `Redacted`) and for an
 * ssh-agent (`RUN --mount=type=ssh`). The session is a scoped resource: it ends with its scope.
 *
 * @since 0.2.0
 */
import { create } from "@bufbuild/protobuf"
import { Docker, type DockerEngine, type Images, RegistryAuth } from "@effect-docker/client"
import type * as Grpc from "@grpc/grpc-js"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import { randomUUID } from "node:crypto"
import * as Net from "node:net"
import { Auth, CredentialsResponseSchema } from "./generated/buildkit/github.com/moby/buildkit/session/auth/auth_pb.js"
import {
  GetSecretResponseSchema,
  Secrets
} from "./generated/buildkit/github.com/moby/buildkit/session/secrets/secrets_pb.js"
import {
  BytesMessageSchema,
  CheckAgentResponseSchema,
  SSH
} from "./generated/buildkit/github.com/moby/buildkit/session/sshforward/ssh_pb.js"
import * as GrpcSession from "./internal/grpcSession.js"

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

const hubHosts = new Set(["registry-1.docker.io", "docker.io", "index.docker.io"])

/** The credentials BuildKit asks for by host, as `docker login` stored them. */
const credentialsFor = (credentials: RegistryAuth.RegistryCredentials["Type"] | undefined, host: string) =>
  credentials === undefined
    ? Effect.succeed(Option.none())
    : Effect.orElseSucceed(
      credentials.get(hubHosts.has(host) ? RegistryAuth.registryOf("busybox") : host),
      () => Option.none()
    )

const agentsOf = (ssh: Options["ssh"]): Readonly<Record<string, string>> => {
  if (ssh !== true) return ssh ?? {}
  const socket = process.env.SSH_AUTH_SOCK
  return socket === undefined || socket === "" ? {} : { default: socket }
}

const notFound = (details: string) => ({ code: 5, details }) // grpc status NOT_FOUND

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
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const credentials = Option.getOrUndefined(yield* Effect.serviceOption(RegistryAuth.RegistryCredentials))
    const runtime = yield* Effect.runtime<never>()
    const secrets = options.secrets ?? {}
    const agents = agentsOf(options.ssh)
    const id = randomUUID()

    const services: Array<{ service: typeof Auth | typeof Secrets | typeof SSH; implementation: any }> = [{
      service: Auth,
      implementation: {
        credentials: (call: Grpc.ServerUnaryCall<{ Host: string }, unknown>, callback: Grpc.sendUnaryData<unknown>) =>
          Runtime.runCallback(runtime)(credentialsFor(credentials, call.request.Host), {
            onExit: (exit) => {
              const auth = exit._tag === "Success" ? Option.getOrUndefined(exit.value) : undefined
              const identity = auth?.identityToken
              callback(
                null,
                create(
                  CredentialsResponseSchema,
                  identity !== undefined
                    ? { Username: "", Secret: Redacted.value(identity) }
                    : { Username: auth?.username ?? "", Secret: auth?.password ? Redacted.value(auth.password) : "" }
                )
              )
            }
          })
      }
    }]
    if (Object.keys(secrets).length > 0) {
      services.push({
        service: Secrets,
        implementation: {
          getSecret: (call: Grpc.ServerUnaryCall<{ ID: string }, unknown>, callback: Grpc.sendUnaryData<unknown>) => {
            const secret = Object.hasOwn(secrets, call.request.ID) ? secrets[call.request.ID] : undefined
            if (secret === undefined) return callback(notFound(`no secret ${call.request.ID} in this session`))
            const value = Redacted.value(secret)
            callback(
              null,
              create(GetSecretResponseSchema, {
                data: typeof value === "string" ? new TextEncoder().encode(value) : value
              })
            )
          }
        }
      })
    }
    if (Object.keys(agents).length > 0) {
      services.push({
        service: SSH,
        implementation: {
          checkAgent: (call: Grpc.ServerUnaryCall<{ ID: string }, unknown>, callback: Grpc.sendUnaryData<unknown>) =>
            Object.hasOwn(agents, call.request.ID || "default")
              ? callback(null, create(CheckAgentResponseSchema, {}))
              : callback(notFound(`no ssh agent ${call.request.ID} in this session`)),
          forwardAgent: (call: Grpc.ServerDuplexStream<{ data: Uint8Array }, unknown>) => {
            const name = String(call.metadata.get("buildkit.ssh.id")[0] ?? "default")
            const path = Object.hasOwn(agents, name) ? agents[name] : undefined
            if (path === undefined) return call.destroy(new Error(`no ssh agent ${name} in this session`))
            // The agent's socket and the stream pass bytes both ways until either ends.
            const agent = Net.connect(path)
            agent.on("data", (data) => call.write(create(BytesMessageSchema, { data })))
            agent.on("end", () => call.end())
            agent.on("error", (error) => call.destroy(error))
            call.on("data", (message: { data: Uint8Array }) => agent.write(message.data))
            call.on("end", () => agent.end())
            call.on("error", () => agent.destroy())
            call.on("close", () => agent.destroy())
          }
        }
      })
    }

    const methods = [
      GrpcSession.healthCheck,
      ...services.flatMap(({ implementation, service }) =>
        service.methods.filter((method) => method.localName in implementation).map((method) =>
          GrpcSession.pathOf(service, method.name)
        )
      )
    ]
    const connection = yield* docker.session.start({ id, methods, name: options.name })
    yield* GrpcSession.serve(connection, services)
    return { id }
  }).pipe(Effect.withSpan("docker.buildkit.session", { captureStackTrace: false }))

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
