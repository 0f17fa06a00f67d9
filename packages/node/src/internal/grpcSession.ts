/**
 * The gRPC side of a BuildKit session: the engine is the HTTP/2 client over the hijacked
 * `POST /session` connection, and this process serves it, with @grpc/grpc-js, the services the
 * generated BuildKit code describes (messages encoded by @bufbuild/protobuf).
 */
import type { DescMessage, DescService, MessageShape } from "@bufbuild/protobuf"
import { fromBinary, toBinary } from "@bufbuild/protobuf"
import type { DockerUpgradedConnection } from "@effect-docker/client/DockerTransport"
import * as Grpc from "@grpc/grpc-js"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { HealthImplementation } from "grpc-health-check"
import { Duplex } from "node:stream"

/** A method's gRPC path, as the engine calls it and as the session's headers announce it. */
export const pathOf = (service: DescService, method: string) => `/${service.typeName}/${method}`

/** The health service's method, which the engine calls to keep the session. */
export const healthCheck = "/grpc.health.v1.Health/Check"

const serializer = <Desc extends DescMessage>(schema: Desc) => (message: MessageShape<Desc>) =>
  Buffer.from(toBinary(schema, message))
const deserializer = <Desc extends DescMessage>(schema: Desc) => (bytes: Buffer) => fromBinary(schema, bytes)

/** grpc-js's definition of a generated service: each method's path, kind and codecs. */
export const definitionOf = (service: DescService): Grpc.ServiceDefinition =>
  Object.fromEntries(service.methods.map((method) => [method.localName, {
    path: pathOf(service, method.name),
    requestStream: method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming",
    responseStream: method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming",
    requestSerialize: serializer(method.input),
    requestDeserialize: deserializer(method.input),
    responseSerialize: serializer(method.output),
    responseDeserialize: deserializer(method.output),
    originalName: method.localName
  }]))

/**
 * The hijacked connection as the Duplex that grpc-js's HTTP/2 server reads and writes: what the
 * engine sends is pushed as it comes (and waits while the server has not read it), writes go to
 * the connection, and the end of the server's side half-closes it.
 */
const duplexOf = (connection: DockerUpgradedConnection) =>
  Effect.gen(function*() {
    const runtime = yield* Effect.runtime<never>()
    const runCallback = Runtime.runCallback(runtime)
    let wanted: (() => void) | undefined
    const duplex = new Duplex({
      read() {
        const resume = wanted
        wanted = undefined
        resume?.()
      },
      write(chunk: Buffer, _encoding, callback) {
        runCallback(connection.write(chunk), {
          onExit: (exit) => callback(Exit.isSuccess(exit) ? null : new Error("the session connection broke"))
        })
      },
      final(callback) {
        runCallback(connection.closeWrite, { onExit: () => callback() })
      }
    })
    const pump = yield* Stream.runForEach(connection.output, (chunk) =>
      duplex.push(chunk) ? Effect.void : Effect.async<void>((resume) => {
        wanted = () =>
          resume(Effect.void)
      })).pipe(
        Effect.matchCause({
          onSuccess: () =>
            duplex.push(null),
          onFailure: () => duplex.destroy(new Error("the session connection broke"))
        }),
        Effect.forkScoped
      )
    return { duplex, pump }
  })

/**
 * Serves `services` to the engine over `connection` until the scope closes: the health service
 * (BuildKit checks it to keep the session), then each service with its implementation.
 */
export const serve = (
  connection: DockerUpgradedConnection,
  services: ReadonlyArray<{ readonly service: DescService; readonly implementation: Grpc.UntypedServiceImplementation }>
): Effect.Effect<void, never, Scope.Scope> =>
  Effect.gen(function*() {
    const server = new Grpc.Server()
    new HealthImplementation({ "": "SERVING" }).addToServer(server)
    for (const { implementation, service } of services) server.addService(definitionOf(service), implementation)
    const injector = yield* Effect.acquireRelease(
      Effect.sync(() => server.createConnectionInjector(Grpc.ServerCredentials.createInsecure())),
      (injector) =>
        Effect.sync(() => {
          injector.destroy()
          server.forceShutdown()
        })
    )
    const { duplex, pump } = yield* duplexOf(connection)
    yield* Effect.addFinalizer(() => Effect.zipRight(Effect.sync(() => duplex.destroy()), Fiber.interrupt(pump)))
    injector.injectConnection(duplex)
  })
