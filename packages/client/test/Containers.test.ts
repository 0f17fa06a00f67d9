import { Docker } from "@effect-docker/client"
import { MockTransport } from "@effect-docker/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as HashMap from "effect/HashMap"
import * as Logger from "effect/Logger"

const id = "c0ffee"

/** A small engine script: the image is missing until pulled; the container exits with `exitCode`. */
const engine = (options: { exitCode: number; tty?: boolean; pullError?: string }) => {
  let pulled = false
  return (request: MockTransport.RecordedRequest): MockTransport.Reply | undefined => {
    const path = request.path.replace(/^\/v[\d.]+/, "")
    if (path === "/containers/create") {
      return pulled
        ? MockTransport.json({ Id: id, Warnings: [] }, 201)
        : MockTransport.error(404, "No such image: app:1")
    }
    if (path === "/images/create") {
      pulled = options.pullError === undefined
      return MockTransport.jsonLines([
        { status: "Pulling from app", id: "1" },
        { status: "Downloading", progressDetail: { current: 1, total: 2 }, id: "layer" },
        options.pullError === undefined
          ? { status: "Status: Downloaded newer image for app:1" }
          : { error: options.pullError, errorDetail: { message: options.pullError } }
      ])
    }
    if (path === "/images/app%3A1/json") return MockTransport.json({ Id: "sha256:1", RepoTags: ["app:1"] })
    if (path === `/containers/${id}/start`) return MockTransport.empty()
    if (path === `/containers/${id}/wait`) return MockTransport.json({ StatusCode: options.exitCode, Error: null })
    if (path === `/containers/${id}/logs` || path === `/containers/${id}/attach`) {
      return {
        status: 200,
        hijack: path.endsWith("/attach"),
        body: options.tty === true ? "all on one stream\r\n" : MockTransport.multiplexed([
          { stream: "stdout", data: "out 1\n" },
          { stream: "stderr", data: "err 1\n" },
          { stream: "stdout", data: "out 2\n" }
        ])
      }
    }
    if (path === `/containers/${id}/json`) {
      return MockTransport.json({ Id: id, State: { Status: "running" }, Config: { Tty: options.tty === true } })
    }
    if (path === `/containers/${id}` && request.method === "DELETE") return MockTransport.empty()
    return undefined
  }
}

const layer = (options: Parameters<typeof engine>[0]) =>
  MockTransport.layerDocker(engine(options), { apiVersion: "1.41" })

describe("containers.run", () => {
  it.effect("pulls a missing image, starts, waits and returns stdout", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const output = yield* docker.containers.run({
        image: "app:1",
        cmd: ["serve"],
        env: { MODE: "test" },
        labels: { team: "a" },
        remove: true
      })
      expect(output).toBe("out 1\nout 2\n")
      const sent = yield* MockTransport.requests
      expect(sent.map((r) => `${r.method} ${r.path.replace(/^\/v[\d.]+/, "")}`)).toEqual([
        "POST /containers/create",
        "POST /images/create",
        "GET /images/app%3A1/json",
        "POST /containers/create",
        // Attached before the start, so that no output is lost.
        `POST /containers/${id}/attach`,
        `POST /containers/${id}/start`,
        // The end of the attached output, checked with the engine.
        `GET /containers/${id}/json`,
        `POST /containers/${id}/wait`,
        `DELETE /containers/${id}`
      ])
      expect(sent[1]!.query.toString()).toBe("fromImage=app&tag=1")
      expect(JSON.parse(sent[3]!.text)).toEqual({
        Image: "app:1",
        Cmd: ["serve"],
        Env: ["MODE=test"],
        Labels: { team: "a" },
        HostConfig: {}
      })
    }).pipe(Effect.provide(layer({ exitCode: 0 }))))

  it.effect("fails with ContainerExitError carrying the exit code and stderr", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const error = yield* Effect.flip(docker.containers.run({ image: "app:1", cmd: "cat /test", remove: true }))
      expect(error).toMatchObject({
        _tag: "ContainerExitError",
        exitCode: 3,
        stderr: "err 1\n",
        containerId: id,
        image: "app:1",
        command: ["cat", "/test"]
      })
      // docker-py's ContainerError message.
      expect(error.message).toBe("Command '[cat /test]' in image 'app:1' returned non-zero exit status 3: err 1")
      // The container is removed even though the run failed.
      expect((yield* MockTransport.requests).at(-1)).toMatchObject({ method: "DELETE" })
    }).pipe(Effect.provide(layer({ exitCode: 3 }))))

  it.effect("fails with PullError when the progress stream reports an error", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const error = yield* Effect.flip(docker.containers.run({ image: "app:1" }))
      expect(error).toMatchObject({ _tag: "PullError", image: "app:1", message: "unauthorized: who are you" })
    }).pipe(Effect.provide(layer({ exitCode: 0, pullError: "unauthorized: who are you" }))))

  it.effect("with detach: true returns the started container's inspect data; remove becomes AutoRemove", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const container = yield* docker.containers.run({ image: "app:1", detach: true, remove: true, pull: "always" })
      expect(container.Id).toBe(id)
      expect(container.State?.Status).toBe("running")
      const sent = yield* MockTransport.requests
      expect(sent[0]!.path).toMatch(/\/images\/create$/)
      expect(JSON.parse(sent.find((r) => r.path.endsWith("/containers/create"))!.text).HostConfig).toEqual({
        AutoRemove: true
      })
    }).pipe(Effect.provide(layer({ exitCode: 0 }))))

  it.effect("never pulls with pull: never", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const error = yield* Effect.flip(docker.containers.run({ image: "app:1", pull: "never" }))
      expect(error).toMatchObject({ _tag: "NotFound", resource: "image" })
    }).pipe(Effect.provide(layer({ exitCode: 0 }))))
})

describe("containers.logs", () => {
  it.effect("demultiplexes a container without a TTY into stdout and stderr", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const logs = yield* docker.containers.logs(id, { tail: 10, timestamps: false })
      expect(logs).toEqual({ stdout: "out 1\nout 2\n", stderr: "err 1\n", combined: "out 1\nerr 1\nout 2\n" })
      const sent = (yield* MockTransport.requests).at(-1)!
      expect(sent.query.toString()).toBe("stdout=true&stderr=true&timestamps=false&tail=10")
    }).pipe(Effect.provide(layer({ exitCode: 0 }))))

  it.effect("passes a TTY container's output through as stdout, knowing the TTY from its config", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const logs = yield* docker.containers.logs(id)
      expect(logs.stdout).toBe("all on one stream\r\n")
      expect(logs.stderr).toBe("")
    }).pipe(Effect.provide(layer({ exitCode: 0, tty: true }))))
})

describe("images", () => {
  it.effect("pull splits a reference into repository and tag, keeping a registry port", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      yield* docker.images.pull("127.0.0.1:5000/team/app:v2")
      yield* docker.images.pull("127.0.0.1:5000/team/app")
      const pulls = (yield* MockTransport.requests).filter((r) => r.path.endsWith("/images/create"))
      expect(pulls.map((r) => [r.query.get("fromImage"), r.query.get("tag")])).toEqual([
        ["127.0.0.1:5000/team/app", "v2"],
        ["127.0.0.1:5000/team/app", "latest"]
      ])
    }).pipe(Effect.provide(MockTransport.layerDocker(
      (request) =>
        request.path.endsWith("/images/create")
          ? MockTransport.jsonLines([{ status: "done" }])
          : MockTransport.json({ Id: "sha256:2" }),
      { apiVersion: "1.41" }
    ))))
})

describe("containers.scoped", () => {
  /** A container whose stop answers `stopStatus`; every other step succeeds. */
  const stopping = (stopStatus: number) => (request: MockTransport.RecordedRequest) => {
    const path = request.path.replace(/^\/v[\d.]+/, "")
    if (path === "/containers/create") return MockTransport.json({ Id: id, Warnings: [] }, 201)
    if (path === `/containers/${id}/start`) return MockTransport.empty()
    if (path === `/containers/${id}/json`) return MockTransport.json({ Id: id, State: { Running: true } })
    if (path === `/containers/${id}/stop`) {
      return stopStatus === 204 ? MockTransport.empty() : MockTransport.error(stopStatus, "cannot stop: device busy")
    }
    if (path === `/containers/${id}` && request.method === "DELETE") return MockTransport.empty()
    return undefined
  }

  it.effect("stops then removes; a failed stop is reported and the removal still runs", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const reported: Array<string> = []
      const info = yield* Effect.scoped(docker.containers.scoped({
        image: "app:1",
        stopTimeout: "3 seconds",
        removeVolumes: true,
        onReleaseError: (error) => Effect.sync(() => void reported.push(`${error.step}: ${error.message}`))
      }))
      expect(info.Id).toBe(id)
      const sent = (yield* MockTransport.requests).map((r) =>
        `${r.method} ${r.path.replace(/^\/v[\d.]+/, "")}?${r.query}`
      )
      expect(sent.slice(-2)).toEqual([`POST /containers/${id}/stop?t=3`, `DELETE /containers/${id}?v=true&force=true`])
      expect(reported).toEqual([`stop: releasing container ${id}: stop failed: cannot stop: device busy`])
    }).pipe(Effect.provide(MockTransport.layerDocker(stopping(500), { apiVersion: "1.41" }))))

  it.effect("a container already stopped (304) or gone (404) is not a release error", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const reported: Array<unknown> = []
      yield* Effect.scoped(docker.containers.scoped({
        image: "app:1",
        onReleaseError: (error) => Effect.sync(() => void reported.push(error))
      }))
      expect(reported).toEqual([])
    }).pipe(Effect.provide(MockTransport.layerDocker(stopping(304), { apiVersion: "1.41" }))))

  it.effect("the default reporter logs the failed step at error level", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const lines: Array<{ level: string; message: unknown; annotations: Record<string, unknown> }> = []
      const logger = Logger.make(({ annotations, logLevel, message }) =>
        lines.push({ level: logLevel.label, message, annotations: Object.fromEntries(HashMap.toEntries(annotations)) })
      )
      yield* Effect.scoped(docker.containers.scoped({ image: "app:1" })).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
      expect(lines).toEqual([{
        level: "ERROR",
        message: [`releasing container ${id}: stop failed: cannot stop: device busy`],
        annotations: { resource: "container", id, step: "stop" }
      }])
    }).pipe(Effect.provide(MockTransport.layerDocker(stopping(500), { apiVersion: "1.41" }))))
})
