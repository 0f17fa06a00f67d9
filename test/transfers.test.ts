import { Docker } from "@effect-docker/client"
import { Tar } from "@effect-docker/node"
import { afterAll, expect, layer } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { env, scopedContainer, sweep, testLabel, transports } from "./helpers.js"

const engine = transports()[0].layer
const label = { ...testLabel, suite: "transfers" }

/** The text of a tar stream's files. */
const filesOf = <E>(tar: Stream.Stream<Uint8Array, E>) =>
  Effect.map(
    Tar.readFiles(tar),
    (files) => Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, new TextDecoder().decode(bytes)]))
  )

const bytesOf = <E>(tar: Stream.Stream<Uint8Array, E>) =>
  Effect.map(Stream.runCollect(tar), (chunks) => Buffer.concat(Chunk.toReadonlyArray(chunks)))

layer(engine, { timeout: "120 seconds" })("image transfers and archives against the real engine", (it) => {
  afterAll(() => Effect.runPromise(Effect.provide(sweep, engine)))

  it.effect("pushes to the local registry with progress, and fails a push to a registry that is down with PushError", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const image = `${env("EFFECT_DOCKER_TEST_REGISTRY")}/effect-docker/pushed`
      yield* docker.images.tag("busybox", { repo: image, tag: "v1" })
      const events = yield* docker.images.pushStream(image, { tag: "v1" }).pipe(Stream.runCollect)
      expect(Chunk.toReadonlyArray(events).some((e) => /digest: sha256:/.test(e.status ?? ""))).toBe(true)
      yield* docker.images.remove(`${image}:v1`)
      const pulled = yield* docker.images.pull(`${image}:v1`)
      expect(pulled.RepoTags).toContain(`${image}:v1`)
      yield* docker.images.remove(`${image}:v1`)

      yield* docker.images.tag("busybox", { repo: "127.0.0.1:1/effect-docker/nowhere", tag: "v1" })
      const error = yield* Effect.flip(docker.images.push("127.0.0.1:1/effect-docker/nowhere", { tag: "v1" }))
      expect(error).toMatchObject({ _tag: "PushError", image: "127.0.0.1:1/effect-docker/nowhere" })
      expect(error.message).toMatch(/connection refused|dial/)
      yield* docker.images.remove("127.0.0.1:1/effect-docker/nowhere:v1")
    }))

  it.effect("gets an image as a tar and loads it back; imports a root filesystem tar", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      yield* docker.images.tag("busybox", { repo: "effect-docker-test/saved", tag: "v1" })
      const tar = yield* bytesOf(docker.images.get("effect-docker-test/saved:v1"))
      expect(Object.keys(yield* filesOf(Stream.succeed(tar)))).toContain("manifest.json")
      // Several images in one archive (`GET /images/get?names=...`), each under its tag.
      yield* docker.images.tag("busybox", { repo: "effect-docker-test/saved", tag: "v2" })
      const both = yield* filesOf(docker.images.get(["effect-docker-test/saved:v1", "effect-docker-test/saved:v2"]))
      const manifest: Array<{ RepoTags: Array<string> }> = JSON.parse(both["manifest.json"]!)
      expect(manifest.flatMap((image) => image.RepoTags).sort()).toEqual([
        "effect-docker-test/saved:v1",
        "effect-docker-test/saved:v2"
      ])
      yield* docker.images.remove("effect-docker-test/saved:v2")
      yield* docker.images.remove("effect-docker-test/saved:v1")
      const loaded = yield* docker.images.load(Stream.succeed(tar))
      expect(loaded).toEqual(["effect-docker-test/saved:v1"])
      yield* docker.images.remove("effect-docker-test/saved:v1")
      const notAnImage = yield* Effect.flip(docker.images.load(Tar.fromFiles({ "hello.txt": "hi" })))
      expect(["ImageLoadError", "ServerError"]).toContain(notAnImage._tag)

      const id = yield* docker.images.import(Tar.fromFiles({ "hello.txt": "hello from an imported image\n" }), {
        repo: "effect-docker-test/imported",
        tag: "v1",
        changes: ["LABEL effect-docker.test=integration"]
      })
      const imported = yield* docker.images.inspect("effect-docker-test/imported:v1")
      expect(imported.Id).toBe(id)
      expect(imported.Config?.Labels).toMatchObject({ "effect-docker.test": "integration" })
      yield* docker.images.remove("effect-docker-test/imported:v1")
    }))

  it.scoped("exports a container, gets and puts archives with their stat", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const container = yield* scopedContainer({ image: "busybox", cmd: ["sleep", "60"], labels: label })
      const exported = yield* filesOf(docker.containers.export(container.Id))
      expect(Object.keys(exported)).toContain("etc/passwd")

      const info = yield* docker.containers.archiveInfo(container.Id, "/etc/passwd")
      expect(info).toMatchObject({ name: "passwd", linkTarget: "" })
      expect(info.size).toBeGreaterThan(0)
      const archive = yield* docker.containers.getArchive(container.Id, "/etc/passwd")
      expect(archive.stat.name).toBe("passwd")
      const files = yield* filesOf(archive.content)
      expect(files["passwd"]).toMatch(/^root:x:0:0:/)
      const missing = yield* Effect.flip(docker.containers.archiveInfo(container.Id, "/no/such/path"))
      expect(missing).toMatchObject({ _tag: "NotFound", resource: "path" })

      const upload = yield* bytesOf(Tar.fromFiles({ "greeting.txt": "hello, container ✓\n", "sub/more.txt": "more\n" }))
      yield* docker.containers.putArchive(
        container.Id,
        "/tmp",
        Stream.fromIterable([upload.slice(0, 700), upload.slice(700)])
      )
      const read = yield* docker.exec.run(container.Id, { cmd: ["cat", "/tmp/greeting.txt", "/tmp/sub/more.txt"] })
      expect(read).toEqual({ exitCode: 0, stdout: "hello, container ✓\nmore\n", stderr: "" })
    }))
})
