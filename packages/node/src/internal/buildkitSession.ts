/**
 * The machinery of a BuildKit session (see BuildKitSession): the services the engine calls, served
 * with @grpc/grpc-js over the hijacked connection. Loaded by the first session only: gRPC, its
 * health service and the protobuf descriptors take about 230 ms and 20 MiB to load, which a program
 * that never builds should not pay.
 */
import { create } from "@bufbuild/protobuf"
import { Docker, RegistryAuth } from "@effect-docker/client"
import type * as Grpc from "@grpc/grpc-js"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Runtime from "effect/Runtime"
import { randomUUID } from "node:crypto"
import * as Net from "node:net"
import type { Options } from "../BuildKitSession.js"
import { Auth, CredentialsResponseSchema } from "../generated/buildkit/github.com/moby/buildkit/session/auth/auth_pb.js"
import {
  GetSecretResponseSchema,
  Secrets
} from "../generated/buildkit/github.com/moby/buildkit/session/secrets/secrets_pb.js"
import {
  BytesMessageSchema,
  CheckAgentResponseSchema,
  SSH
} from "../generated/buildkit/github.com/moby/buildkit/session/sshforward/ssh_pb.js"
import * as GrpcSession from "./grpcSession.js"

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

/** Opens a session on the engine, served until the scope closes. */
export const open = (options: Options) =>
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
  })
