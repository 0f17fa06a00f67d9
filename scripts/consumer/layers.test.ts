// A test as a user writes one: `@effect/vitest` with the mock transport, the fake engine, and a test
// container on the engine in DOCKER_HOST.
import { Docker } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import { TestContainer, TestSession, Wait } from "@effect-docker/testcontainers"
import { FakeEngine, MockTransport } from "@effect-docker/testing"
import { expect, it, layer } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"

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

class Web extends Context.Tag("Web")<Web, TestContainer.StartedTestContainer>() {}

const WebLive = TestContainer.layer(Web, {
  image: "busybox",
  cmd: ["httpd", "-f", "-p", "80", "-h", "/www"],
  files: [{ target: "/www/index.html", content: "installed\n" }],
  exposedPorts: [80],
  wait: Wait.forHttp("/index.html", 80, { body: (body) => body === "installed\n" })
}).pipe(Layer.provideMerge(TestSession.layer()), Layer.provide(NodeDocker.layerFromEnv()))

layer(WebLive, { timeout: "60 seconds" })("a test container from the installed package", (it) => {
  it.effect("is reached through its published port, with the session's labels", () =>
    Effect.gen(function*() {
      const web = yield* Web
      expect(Object.keys(web.info.Config?.Labels ?? {})).toContain(TestSession.sessionLabel)
      expect(yield* web.mappedPort(80)).toBeGreaterThan(0)
    }))
})
