import { Docker } from "@effect-docker/client"
import { Tar } from "@effect-docker/node"
import { afterAll, expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { env, sweep, testLabel, transports } from "./helpers.js"

const engine = transports()[0].layer
const label = { ...testLabel, suite: "build" }

/** Writes a folder of files for a build. */
const folder = (files: Record<string, string>) => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-docker-build-"))
  for (const [name, content] of Object.entries(files)) {
    Fs.mkdirSync(Path.dirname(Path.join(dir, name)), { recursive: true })
    Fs.writeFileSync(Path.join(dir, name), content)
  }
  return dir
}

/** What `find` lists under /ctx in an image, one path a line, sorted. */
const listing = (image: string) =>
  Effect.flatMap(
    Docker.Docker,
    (docker) =>
      docker.containers.run({ image, cmd: ["sh", "-c", "cd /ctx && find . | sort"], labels: label, remove: true })
  )

const context = {
  "Dockerfile": "FROM busybox\nARG GREETING\nCOPY . /ctx\nRUN echo \"$GREETING\" > /greeting\n",
  ".dockerignore": "*.secret\nlogs\n!logs/keep.log\nDockerfile\n**/*.tmp\n",
  "app/main.sh": "echo main\n",
  "app/cache.tmp": "x",
  "token.secret": "s3cret",
  "logs/a.log": "a",
  "logs/keep.log": "keep",
  "README": "readme"
}

layer(engine, { timeout: "180 seconds" })("builds against the real engine", (it) => {
  afterAll(() =>
    Effect.runPromise(Effect.provide(
      Effect.gen(function*() {
        yield* sweep
        const docker = yield* Docker.Docker
        const images = yield* docker.images.list({ filters: { reference: ["effect-docker-test/built*"] } })
        yield* Effect.forEach(images, (image) => Effect.ignore(docker.images.remove(image.Id, { force: true })))
      }),
      engine
    ))
  )

  it.effect("builds a folder with .dockerignore applied as the docker CLI applies it, build args, labels, tags", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const dir = folder(context)
      const { context: tar, dockerfile } = yield* Tar.buildContext(dir)
      const id = yield* docker.images.build(tar, {
        builder: "classic",
        dockerfile,
        tags: ["effect-docker-test/built:ours", "effect-docker-test/built:also"],
        buildArgs: { GREETING: "hello from a build arg" },
        labels: label
      })
      const image = yield* docker.images.inspect("effect-docker-test/built:ours")
      expect(image.Id).toBe(id)
      expect(image.RepoTags).toEqual(
        expect.arrayContaining(["effect-docker-test/built:ours", "effect-docker-test/built:also"])
      )
      expect(image.Config?.Labels).toMatchObject(label)
      const greeting = yield* docker.containers.run({
        image: id,
        cmd: ["cat", "/greeting"],
        labels: label,
        remove: true
      })
      expect(greeting).toBe("hello from a build arg\n")

      // The oracle: the docker CLI's classic builder on the same folder and engine.
      execFileSync("docker", ["build", "-q", "-t", "effect-docker-test/built:cli", dir], {
        env: { ...process.env, DOCKER_HOST: `unix://${env("EFFECT_DOCKER_TEST_SOCKET")}`, DOCKER_BUILDKIT: "0" },
        stdio: "pipe"
      })
      const ours = yield* listing("effect-docker-test/built:ours")
      expect(ours).toBe(yield* listing("effect-docker-test/built:cli"))
      expect(ours).toContain("./logs/keep.log")
      // `.dockerignore` names the Dockerfile: it is sent all the same (the build ran), and the
      // engine itself leaves it out of COPY, as it does for the CLI.
      expect(ours).not.toContain("./Dockerfile")
      expect(ours).not.toContain("token.secret")
      expect(ours).not.toContain("a.log")
      expect(ours).not.toContain("cache.tmp")
    }))

  it.effect("builds with a Dockerfile from outside the context and a target stage", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const dir = folder({ "data.txt": "data\n" })
      const elsewhere = folder({
        "Build.dockerfile":
          "FROM busybox AS base\nCOPY data.txt /data.txt\nCOPY . /ctx\nFROM base AS final\nRUN false\n"
      })
      const { context: tar, dockerfile } = yield* Tar.buildContext(dir, {
        dockerfile: Path.join(elsewhere, "Build.dockerfile")
      })
      expect(dockerfile).toMatch(/^\.dockerfile\./)
      const id = yield* docker.images.build(tar, {
        builder: "classic",
        dockerfile,
        target: "base",
        tags: ["effect-docker-test/built:base"]
      })
      const data = yield* docker.containers.run({ image: id, cmd: ["cat", "/data.txt"], labels: label, remove: true })
      expect(data).toBe("data\n")
      // The added Dockerfile is read, not copied: `COPY .` leaves it out, as for the docker CLI.
      const ours = yield* listing(id)
      expect(ours).not.toContain(".dockerfile.")
      execFileSync("docker", [
        "build",
        "-q",
        "--target",
        "base",
        "-t",
        "effect-docker-test/built:cli-outside",
        "-f",
        Path.join(elsewhere, "Build.dockerfile"),
        dir
      ], {
        env: { ...process.env, DOCKER_HOST: `unix://${env("EFFECT_DOCKER_TEST_SOCKET")}`, DOCKER_BUILDKIT: "0" },
        stdio: "pipe"
      })
      expect(ours).toBe(yield* listing("effect-docker-test/built:cli-outside"))
    }))

  it.effect("fails a build whose step fails with BuildError and its output; builds from a tar stream", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const failing = Tar.fromFiles({ "Dockerfile": "FROM busybox\nRUN echo about to fail && exit 3\n" })
      // forceRm: the classic builder keeps a failed step's container otherwise.
      const error = yield* Effect.flip(
        docker.images.build(failing, { builder: "classic", labels: label, forceRm: true })
      )
      expect(error._tag).toBe("BuildError")
      expect(error.message).toMatch(/returned a non-zero code: 3/)
      expect((error as { output: string }).output).toContain("about to fail")
      const fromTar = Tar.fromFiles({ "Dockerfile": "FROM busybox\nLABEL from=tar\n" })
      const id = yield* docker.images.build(fromTar, {
        builder: "classic",
        tags: ["effect-docker-test/built:tar"],
        noCache: true
      })
      expect((yield* docker.images.inspect(id)).Config?.Labels).toMatchObject({ from: "tar" })
    }))
})
