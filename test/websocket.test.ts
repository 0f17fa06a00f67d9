/**
 * Attach over a WebSocket (`ContainerAttachWebsocket`) against the real engine, over each of the
 * Node transport's connections: the output, stdin, and the errors of an unknown container.
 */
import { Docker, Multiplexed, Requests } from "@effect-docker/client"
import { afterAll, describe, expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { engineHas, sleep, sweep, testLabel, transports } from "./helpers.js"

const label = { ...testLabel, suite: "websocket" }

/** A created container, removed with the scope. */
const created = (cmd: ReadonlyArray<string>, stdin: boolean) =>
  Effect.flatMap(Docker.Docker, (docker) =>
    Effect.acquireRelease(
      docker.containers.create({
        Image: "busybox",
        Cmd: [...cmd],
        OpenStdin: stdin,
        Labels: label
      }),
      (c) => Effect.ignore(docker.containers.remove(c.Id, { force: true }))
    ))

describe.each(transports())("attach over a WebSocket ($name)", ({ layer: engine }) => {
  layer(engine, { timeout: "120 seconds" })("the real engine", (it) => {
    afterAll(() => Effect.runPromise(Effect.provide(Effect.asVoid(sweep), engine)))

    it.scoped("receives stdout and stderr as one stream, from before the start", () =>
      Effect.gen(function*() {
        const docker = yield* Docker.Docker
        const container = yield* created(["sh", "-c", "echo out; sleep 0.2; echo err >&2"], false)
        const session = yield* docker.containers.attachWebsocket(container.Id)
        yield* docker.containers.start(container.Id)
        const output = yield* Multiplexed.collectText(session.output)
        // Not multiplexed: both streams arrive as the process wrote them.
        expect(output.stdout).toBe("out\nerr\n")
        expect((yield* docker.containers.wait(container.Id)).StatusCode).toBe(0)
      }))

    it.scoped("attaches to stderr only where the engine can choose (API 1.42), else says so before sending", () =>
      Effect.gen(function*() {
        const docker = yield* Docker.Docker
        const container = yield* created(["sh", "-c", "sleep 0.3; echo out; echo err >&2"], false)
        const attached = docker.containers.attachWebsocket(container.Id, { stdout: false })
        if (!engineHas("1.42")) {
          // 1.41 engines would attach stdout all the same.
          expect((yield* Effect.flip(attached))._tag).toBe("DockerVersionError")
          return
        }
        const session = yield* attached
        yield* docker.containers.start(container.Id)
        expect((yield* Multiplexed.collectText(session.output)).stdout).toBe("err\n")
      }))

    it.scoped("writes stdin as messages and reads the answers; closing ends the session", () =>
      Effect.gen(function*() {
        const docker = yield* Docker.Docker
        const container = yield* created(["sh", "-c", "while read line; do echo \"got $line\"; done"], true)
        yield* docker.containers.start(container.Id)
        const session = yield* docker.containers.attachWebsocket(container.Id, { stdin: true })
        const lines: Array<string> = []
        const reading = yield* Effect.fork(
          Stream.runForEach(session.output, (frame) =>
            Effect.sync(() => lines.push(new TextDecoder().decode(frame.data))))
        )
        yield* session.write("one\n")
        yield* session.write(new TextEncoder().encode("two\n"))
        for (let i = 0; i < 50 && lines.join("") !== "got one\ngot two\n"; i++) {
          yield* sleep(100)
        }
        expect(lines.join("")).toBe("got one\ngot two\n")
        yield* session.closeStdin
        // The session's output ends with the WebSocket, without an error, while the container runs.
        yield* Effect.flatMap(reading.await, (exit) =>
          Effect.sync(() => expect(exit._tag).toBe("Success")))
        expect((yield* docker.containers.inspect(container.Id)).State?.Running).toBe(true)
      }))

    it.scoped("an unknown container is NotFound, from the inspect and from the handshake", () =>
      Effect.gen(function*() {
        const docker = yield* Docker.Docker
        const error = yield* Effect.flip(docker.containers.attachWebsocket("effect-docker-no-such-container"))
        expect(error._tag).toBe("NotFound")
        // The engine's own 404 to the WebSocket handshake, without the inspect before it.
        const refused = yield* Effect.flip(
          docker.engine.websocket(
            Requests.ContainerAttachWebsocket("effect-docker-no-such-container", { stream: true })
          )
        )
        expect(refused).toMatchObject({ _tag: "NotFound", message: expect.stringMatching(/No such container/) })
      }))
  })
})
