// A test as a user writes one: `@effect/vitest` with the mock transport and the fake engine.
import { Docker } from "@effect-docker/client"
import { FakeEngine, MockTransport } from "@effect-docker/testing"
import { expect, it } from "@effect/vitest"
import { Effect } from "effect"

it.effect("answers from MockTransport and records what was sent", () =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const containers = yield* docker.containers.list({ all: true })
    expect(containers).toEqual([])
    const [sent] = yield* MockTransport.requests
    expect(sent?.path).toBe("/v1.41/containers/json")
    expect(sent?.query.get("all")).toBe("true")
  }).pipe(Effect.provide(MockTransport.layerDocker(() => MockTransport.json([]), { apiVersion: "1.41" }))))

it.effect("runs a scripted container on FakeEngine", () =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const output = yield* docker.containers.run({ image: "busybox", cmd: ["echo", "hi"], remove: true })
    expect(output).toBe("hi\n")
    const failed = yield* Effect.flip(docker.containers.run({ image: "busybox", cmd: ["fail"], remove: true }))
    expect(failed).toMatchObject({ _tag: "ContainerExitError", exitCode: 2 })
  }).pipe(Effect.provide(FakeEngine.layerDocker({
    images: [{ reference: "busybox:latest" }],
    run: (c) =>
      c.cmd[0] === "echo"
        ? { output: [{ stream: "stdout", data: `${c.cmd.slice(1).join(" ")}\n` }], exit: 0 }
        : c.cmd[0] === "fail"
        ? { exit: 2 }
        : undefined
  }))))
