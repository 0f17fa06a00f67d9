/**
 * A BuildKit session against a fake engine that does what dockerd does: it reads the announced
 * methods from the `POST /session` headers, answers 101, and calls the session's gRPC services
 * over HTTP/2 on the same connection.
 */
import { create, fromBinary, toBinary } from "@bufbuild/protobuf"
import { Docker, RegistryAuth } from "@effect-docker/client"
import { BuildKitSession } from "@effect-docker/node"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Http2 from "node:http2"
import * as Net from "node:net"
import {
  CredentialsRequestSchema,
  CredentialsResponseSchema
} from "../src/generated/buildkit/github.com/moby/buildkit/session/auth/auth_pb.js"
import {
  GetSecretRequestSchema,
  GetSecretResponseSchema
} from "../src/generated/buildkit/github.com/moby/buildkit/session/secrets/secrets_pb.js"
import {
  BytesMessageSchema,
  CheckAgentRequestSchema
} from "../src/generated/buildkit/github.com/moby/buildkit/session/sshforward/ssh_pb.js"
import { eventually, pinned, rawServer, tempSocket } from "./support/servers.js"

/** The engine's side: the session request's head, then an HTTP/2 client on the connection. */
const fakeEngine = () => {
  const seen: { head?: string; client?: Http2.ClientHttp2Session; closed: boolean } = { closed: false }
  const server = rawServer((socket: Net.Socket) => {
    socket.on("error", () => {})
    let head = ""
    const onData = (chunk: Buffer) => {
      head += chunk.toString("latin1")
      if (!head.includes("\r\n\r\n")) return
      socket.off("data", onData)
      seen.head = head
      socket.write("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n")
      seen.client = Http2.connect("http://session", { createConnection: () => socket })
      seen.client.on("error", () => {})
      socket.on("close", () => (seen.closed = true))
    }
    socket.on("data", onData)
  })
  return { seen, server }
}

/** A unary gRPC call as dockerd makes it: a length-prefixed message, the status in the trailers. */
const call = (client: Http2.ClientHttp2Session, path: string, message: Uint8Array) =>
  Effect.async<{ status: string | undefined; message: Buffer; details: string }>((resume) => {
    const stream = client.request({
      ":method": "POST",
      ":path": path,
      "content-type": "application/grpc",
      te: "trailers"
    })
    const chunks: Array<Buffer> = []
    const done = (trailers: Http2.IncomingHttpHeaders) =>
      resume(Effect.succeed({
        status: trailers["grpc-status"] as string | undefined,
        details: decodeURIComponent(String(trailers["grpc-message"] ?? "")),
        message: Buffer.concat(chunks).subarray(5)
      }))
    stream.on("data", (chunk: Buffer) => chunks.push(chunk))
    // A failure comes as headers only (gRPC's "trailers-only" answer), a success with trailers.
    stream.on("response", (headers) => headers["grpc-status"] !== undefined && done(headers))
    stream.on("trailers", done)
    const prefix = Buffer.alloc(5)
    prefix.writeUInt32BE(message.length, 1)
    stream.end(Buffer.concat([prefix, message]))
  })

const login: RegistryAuth.AuthConfig = {
  serverAddress: "registry.example:5000",
  username: "ci",
  password: Redacted.make("pa55")
}
const credentials = Layer.succeed(RegistryAuth.RegistryCredentials, {
  get: (host) => Effect.succeed(host === login.serverAddress ? Option.some(login) : Option.none()),
  all: Effect.succeed([login])
})

describe("BuildKitSession", () => {
  it.scopedLive("announces its methods, serves credentials and secrets, and ends with its scope", () =>
    Effect.gen(function*() {
      const { seen, server } = fakeEngine()
      const { path } = yield* server
      const docker = Layer.provideMerge(Docker.layer, pinned(path))
      const session = yield* Effect.scoped(
        Effect.gen(function*() {
          const session = yield* BuildKitSession.open({ secrets: { token: Redacted.make("s3cret") } })
          const head = seen.head!
          expect(head).toMatch(/^POST \/v1\.41\/session HTTP\/1\.1\r\n/)
          expect(head).toMatch(/\r\nupgrade: h2c\r\n/i)
          expect(head).toContain(`x-docker-expose-session-uuid: ${session.id}`)
          // One header line per method, as the engine reads them.
          const methods = [...head.matchAll(/x-docker-expose-session-grpc-method: (.*)\r\n/gi)].map((m) => m[1])
          expect(methods).toEqual([
            "/grpc.health.v1.Health/Check",
            "/moby.filesync.v1.Auth/Credentials",
            "/moby.buildkit.secrets.v1.Secrets/GetSecret"
          ])
          const client = seen.client!

          const health = yield* call(client, "/grpc.health.v1.Health/Check", new Uint8Array())
          expect(health.status).toBe("0")
          expect([...health.message]).toEqual([0x08, 0x01]) // status: SERVING

          const known = yield* call(
            client,
            "/moby.filesync.v1.Auth/Credentials",
            toBinary(CredentialsRequestSchema, create(CredentialsRequestSchema, { Host: "registry.example:5000" }))
          )
          expect(known.status).toBe("0")
          expect(fromBinary(CredentialsResponseSchema, known.message)).toMatchObject({ Username: "ci", Secret: "pa55" })
          const unknown = yield* call(
            client,
            "/moby.filesync.v1.Auth/Credentials",
            toBinary(CredentialsRequestSchema, create(CredentialsRequestSchema, { Host: "elsewhere.example" }))
          )
          expect(fromBinary(CredentialsResponseSchema, unknown.message)).toMatchObject({ Username: "", Secret: "" })
          const secret = yield* call(
            client,
            "/moby.buildkit.secrets.v1.Secrets/GetSecret",
            toBinary(GetSecretRequestSchema, create(GetSecretRequestSchema, { ID: "token" }))
          )
          expect(new TextDecoder().decode(fromBinary(GetSecretResponseSchema, secret.message).data)).toBe("s3cret")
          const missing = yield* call(
            client,
            "/moby.buildkit.secrets.v1.Secrets/GetSecret",
            toBinary(GetSecretRequestSchema, create(GetSecretRequestSchema, { ID: "other" }))
          )
          expect(missing.status).toBe("5") // NOT_FOUND
          expect(missing.details).toContain("no secret other")
          // A method the session does not serve.
          const ssh = yield* call(client, "/moby.sshforward.v1.SSH/CheckAgent", new Uint8Array())
          expect(ssh.status).toBe("12") // UNIMPLEMENTED
          expect(seen.closed).toBe(false)
          return session
        }).pipe(Effect.provide(Layer.merge(docker, credentials)))
      )
      expect(session.id).toMatch(/^[0-9a-f-]{36}$/)
      // The scope closed: so did the session's connection.
      yield* eventually(() => seen.closed)
      expect(seen.closed).toBe(true)
    }))

  it.scopedLive("forwards an ssh-agent: the engine's stream reaches the agent's socket and back", () =>
    Effect.gen(function*() {
      // An "agent" that answers each request with its bytes reversed.
      const agentPath = tempSocket()
      const agent = Net.createServer((socket) => socket.on("data", (data) => socket.write(Buffer.from(data).reverse())))
      yield* Effect.acquireRelease(
        Effect.async<void>((resume) => void agent.listen(agentPath, () => resume(Effect.void))),
        () => Effect.sync(() => agent.close())
      )
      const { seen, server } = fakeEngine()
      const { path } = yield* server
      yield* BuildKitSession.open({ ssh: { default: agentPath } }).pipe(
        Effect.provide(Layer.provideMerge(Docker.layer, pinned(path)))
      )
      const methods = [...seen.head!.matchAll(/x-docker-expose-session-grpc-method: (.*)\r\n/gi)].map((m) => m[1])
      expect(methods).toContain("/moby.sshforward.v1.SSH/CheckAgent")
      expect(methods).toContain("/moby.sshforward.v1.SSH/ForwardAgent")
      const client = seen.client!
      const check = yield* call(
        client,
        "/moby.sshforward.v1.SSH/CheckAgent",
        toBinary(CheckAgentRequestSchema, create(CheckAgentRequestSchema, { ID: "default" }))
      )
      expect(check.status).toBe("0")
      const unknown = yield* call(
        client,
        "/moby.sshforward.v1.SSH/CheckAgent",
        toBinary(CheckAgentRequestSchema, create(CheckAgentRequestSchema, { ID: "other" }))
      )
      expect(unknown.status).toBe("5")

      const answer = yield* Effect.async<Uint8Array>((resume) => {
        const stream = client.request({
          ":method": "POST",
          ":path": "/moby.sshforward.v1.SSH/ForwardAgent",
          "content-type": "application/grpc",
          te: "trailers"
        })
        stream.on(
          "data",
          (chunk: Buffer) => resume(Effect.succeed(fromBinary(BytesMessageSchema, chunk.subarray(5)).data))
        )
        const message = toBinary(BytesMessageSchema, create(BytesMessageSchema, { data: Buffer.from("request") }))
        const prefix = Buffer.alloc(5)
        prefix.writeUInt32BE(message.length, 1)
        stream.write(Buffer.concat([prefix, message]))
      })
      expect(Buffer.from(answer).toString()).toBe("tseuqer")
    }))
})
