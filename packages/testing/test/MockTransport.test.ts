import { Docker, DockerEngine } from "@effect-docker/client"
import { MockTransport } from "@effect-docker/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

const inspect = (tty: boolean) => MockTransport.json({ Id: "c1", Config: { Tty: tty } })

it.effect("output: logs as multiplexed frames, or raw for a TTY container", () =>
  Effect.gen(function*() {
    const frames = [{ stream: "stdout", data: "out\n" }, { stream: "stderr", data: "err\n" }] as const
    for (const tty of [false, true]) {
      const layer = MockTransport.layerDocker((request) =>
        request.path.endsWith("/json")
          ? inspect(tty)
          : request.path.endsWith("/logs")
          ? MockTransport.output(frames, { tty })
          : undefined
      )
      const logs = yield* Effect.provide(Effect.flatMap(Docker.Docker, (docker) => docker.containers.logs("c1")), layer)
      expect(logs).toMatchObject(tty ? { stdout: "out\nerr\n", stderr: "" } : { stdout: "out\n", stderr: "err\n" })
    }
  }))

it.effect("session: a hijacked exec whose stdin is recorded", () =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const result = yield* docker.exec.run("c1", { cmd: ["cat"], stdin: "typed" })
    expect(result).toEqual({ exitCode: 0, stdout: "echo\n", stderr: "" })
    const start = (yield* MockTransport.requests).find((request) => request.path.endsWith("/start"))!
    expect(new TextDecoder().decode(DockerEngine.concat(start.written))).toBe("typed")
    expect(start.writeClosed.value).toBe(true)
  }).pipe(Effect.provide(MockTransport.layerDocker((request) => {
    if (request.path.endsWith("/containers/c1/exec")) return MockTransport.json({ Id: "e1" }, 201)
    if (request.path.endsWith("/exec/e1/start")) return MockTransport.session([{ stream: "stdout", data: "echo\n" }])
    if (request.path.endsWith("/exec/e1/json")) return MockTransport.json({ ID: "e1", Running: false, ExitCode: 0 })
    return undefined
  }))))

it.effect("tar: an archive body, here a container export", () =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const bytes = yield* DockerEngine.collect(docker.containers.export("c1"))
    expect(bytes).toEqual(new Uint8Array([1, 2, 3, 4]))
  }).pipe(Effect.provide(MockTransport.layerDocker((request) =>
    request.path.endsWith("/export")
      ? MockTransport.tar(Stream.make(new Uint8Array([1, 2]), new Uint8Array([3, 4])))
      : undefined
  ))))

describe("MockTransport.layer", () => {
  it.effect("records the requests of each build of the layer apart", () =>
    Effect.gen(function*() {
      const shared = MockTransport.layerDocker(() => MockTransport.json([]), { apiVersion: "1.41" })
      const sent = (count: number) =>
        Effect.gen(function*() {
          const docker = yield* Docker.Docker
          for (let i = 0; i < count; i++) yield* docker.containers.list()
          return (yield* MockTransport.requests).length
        }).pipe(Effect.provide(shared))
      expect(yield* sent(2)).toBe(2)
      expect(yield* sent(1)).toBe(1)
    }))
})
