import { Docker, DockerEngine, EnginePath, Multiplexed } from "@effect-docker/client"
import { afterAll, expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { engineApi, env, scopedContainer, sweep, testLabel, transports } from "./helpers.js"

for (const transport of transports()) {
  layer(transport.layer, { timeout: "60 seconds" })(`the real engine over ${transport.name}`, (it) => {
    afterAll(() => Effect.runPromise(Effect.provide(sweep, transport.layer)))

    it.effect("pings and negotiates the engine's API version", () =>
      Effect.gen(function*() {
        const docker = yield* Docker.Docker
        expect(yield* docker.system.ping()).toBe("OK")
        const version = yield* docker.system.version()
        expect(yield* docker.engine.apiVersion).toBe(version.ApiVersion)
        expect(version.ApiVersion).toBe(engineApi())
        const info = yield* docker.system.info()
        expect(info.Driver).toBe("vfs")
      }))

    it.effect("runs a container to its end and returns exactly its stdout", () =>
      Effect.gen(function*() {
        const docker = yield* Docker.Docker
        const output = yield* docker.containers.run({
          image: "busybox",
          cmd: ["sh", "-c", "printf 'line 1\\nünïcode ✓\\n'; echo noise >&2"],
          labels: testLabel,
          remove: true
        })
        expect(output).toBe("line 1\nünïcode ✓\n")
      }))

    it.effect("fails a run that exits non-zero with ContainerExitError, exit code and stderr", () =>
      Effect.gen(function*() {
        const docker = yield* Docker.Docker
        const error = yield* Effect.flip(docker.containers.run({
          image: "busybox",
          cmd: ["sh", "-c", "echo 'cannot do it' >&2; exit 7"],
          labels: testLabel,
          remove: true
        }))
        expect(error).toMatchObject({ _tag: "ContainerExitError", exitCode: 7, stderr: "cannot do it\n" })
        // remove: true removed it although the run failed.
        const left = yield* docker.containers.list({ all: true, filters: { id: [(error as any).containerId] } })
        expect(left).toEqual([])
      }))

    it.scoped("runs detached, lists, stops, inspects and removes a container", () =>
      Effect.gen(function*() {
        const docker = yield* Docker.Docker
        const container = yield* scopedContainer({
          image: "busybox",
          cmd: ["sleep", "60"],
          labels: { case: "lifecycle" }
        })
        expect(container.State?.Running).toBe(true)
        const listed = yield* docker.containers.list({ filters: { label: ["case=lifecycle"] } })
        expect(listed.map((c) => c.Id)).toEqual([container.Id])
        yield* docker.containers.kill(container.Id, { signal: "SIGSTOP" }).pipe(Effect.ignore)
        yield* docker.containers.stop(container.Id, { timeout: 0 })
        const stopped = yield* docker.containers.inspect(container.Id)
        expect(stopped.State?.Running).toBe(false)
        const again = yield* Effect.flip(docker.containers.stop(container.Id))
        expect(again._tag).toBe("NotModified")
        yield* docker.containers.start(container.Id)
        yield* docker.containers.restart(container.Id, { timeout: 0 })
        expect((yield* docker.containers.inspect(container.Id)).State?.Running).toBe(true)
        yield* docker.containers.kill(container.Id)
        const waited = yield* docker.containers.wait(container.Id)
        expect(waited.StatusCode).toBe(137)
        yield* docker.containers.remove(container.Id)
        const gone = yield* Effect.flip(docker.containers.inspect(container.Id))
        expect(gone).toMatchObject({ _tag: "NotFound", resource: "container" })
      }))

    it.scoped("returns logs with stdout and stderr apart, and a TTY container's output raw", () =>
      Effect.gen(function*() {
        const docker = yield* Docker.Docker
        const plain = yield* scopedContainer({
          image: "busybox",
          // The pause orders the lines across the two pipes for the tail check.
          cmd: ["sh", "-c", "echo out-1; echo err-1 >&2; sleep 0.2; echo out-2"]
        })
        yield* docker.containers.wait(plain.Id)
        const logs = yield* docker.containers.logs(plain.Id)
        expect(logs.stdout).toBe("out-1\nout-2\n")
        expect(logs.stderr).toBe("err-1\n")
        expect((yield* docker.containers.logs(plain.Id, { stdout: false })).stdout).toBe("")
        expect((yield* docker.containers.logs(plain.Id, { tail: 1, stderr: false })).stdout).toBe("out-2\n")
        const tty = yield* scopedContainer({ image: "busybox", tty: true, cmd: ["sh", "-c", "echo on-tty"] })
        yield* docker.containers.wait(tty.Id)
        const ttyLogs = yield* docker.containers.logs(tty.Id)
        expect(ttyLogs.stdout).toBe("on-tty\r\n")
      }))

    it.effect("fails with a NotFound image for an unknown image, in the error channel", () =>
      Effect.gen(function*() {
        const docker = yield* Docker.Docker
        const missing = `${env("EFFECT_DOCKER_TEST_REGISTRY")}/effect-docker/no-such-image:latest`
        const error = yield* Effect.flip(docker.containers.run({ image: missing, cmd: ["true"], labels: testLabel }))
        expect(error).toMatchObject({ _tag: "NotFound", resource: "image" })
        const inspect = yield* Effect.flip(docker.images.inspect("effect-docker-no-such-image"))
        expect(inspect).toMatchObject({ _tag: "NotFound", resource: "image" })
      }))

    it.effect("sends a malformed id as one segment or refuses it, never reaching another route", () =>
      Effect.gen(function*() {
        const docker = yield* Docker.Docker
        const traversal = yield* Effect.flip(docker.containers.inspect("a/../../images"))
        expect(traversal).toMatchObject({ _tag: "DockerInputError", reason: "PathSegment" })
        const odd = yield* Effect.flip(docker.containers.inspect("a?b#c d%"))
        expect(odd).toMatchObject({ _tag: "NotFound", resource: "container" })
        expect(odd.message).toContain("a?b#c d%")
      }))
  })
}

layer(transports()[0].layer)("images and hijacked connections on the real engine", (it) => {
  afterAll(() => Effect.runPromise(Effect.provide(sweep, transports()[0].layer)))

  it.effect("pulls from the local registry, lists, inspects and removes an image", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const image = env("EFFECT_DOCKER_TEST_IMAGE")
      // Untag the local copy (busybox:latest keeps the layers), then pull it back.
      yield* docker.images.remove(image).pipe(Effect.catchTag("NotFound", () => Effect.succeed([])))
      const pulled = yield* docker.images.pull(image)
      expect(pulled.RepoTags).toContain(image)
      const listed = yield* docker.images.list({ filters: { reference: [image] } })
      expect(listed.map((i) => i.Id)).toEqual([pulled.Id])
      const removed = yield* docker.images.remove(image)
      expect(removed).toContainEqual({ Untagged: image })
      yield* docker.images.pull(image)
      const unknownTag = yield* Effect.flip(docker.images.pull(image.replace(/:latest$/, ":no-such-tag")))
      expect(unknownTag).toMatchObject({ _tag: "NotFound", resource: "image" })
    }))

  it.scoped("execs with stdin over a hijacked connection: the process sees EOF on half-close", () =>
    Effect.gen(function*() {
      const engine = yield* DockerEngine.DockerEngine
      const container = yield* scopedContainer({ image: "busybox", cmd: ["sleep", "60"] })
      const exec = yield* engine.json(Schema.Struct({ Id: Schema.String }), {
        operation: "ContainerExec",
        method: "POST",
        path: EnginePath.make`/containers/${container.Id}/exec`,
        json: { AttachStdin: true, AttachStdout: true, AttachStderr: true, Cmd: ["sh", "-c", "cat; echo done >&2"] }
      })
      const connection = yield* engine.upgrade({
        method: "POST",
        path: EnginePath.make`/exec/${exec.Id}/start`,
        json: { Detach: false, Tty: false }
      })
      const output = yield* Effect.fork(Multiplexed.collectText(Multiplexed.demux(connection.output)))
      yield* connection.write(new TextEncoder().encode("hello from stdin\n"))
      yield* connection.closeWrite
      const text = yield* output.await.pipe(Effect.flatten)
      expect(text.stdout).toBe("hello from stdin\n")
      expect(text.stderr).toBe("done\n")
      const inspected = yield* engine.json(Schema.Struct({ ExitCode: Schema.Number }), {
        operation: "ExecInspect",
        method: "GET",
        path: EnginePath.make`/exec/${exec.Id}/json`
      })
      expect(inspected.ExitCode).toBe(0)
    }))
})
