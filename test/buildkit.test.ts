/**
 * BuildKit builds on the real engine: the default builder, its progress as typed events, the
 * cache, and a failing step.
 */
import { type BuildKit, Docker } from "@effect-docker/client"
import { Tar } from "@effect-docker/node"
import { afterAll, expect, layer } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { testLabel, transports } from "./helpers.js"

const engine = transports()[0].layer
const label = { ...testLabel, suite: "buildkit" }
const tag = (name: string) => `effect-docker-test/buildkit:${name}`

const multiStage = (marker: string) =>
  Tar.fromFiles({
    "Dockerfile": [
      "FROM busybox AS base",
      `RUN echo "${marker}" > /marker && echo made the marker`,
      "FROM busybox",
      "COPY --from=base /marker /marker",
      "COPY greeting.txt /greeting.txt",
      "LABEL built=by-buildkit"
    ].join("\n") + "\n",
    "greeting.txt": "hello from the context\n"
  })

const collect = (
  context: Stream.Stream<Uint8Array, unknown>,
  options: Parameters<Docker.Docker["Type"]["images"]["buildKitStream"]>[1]
) =>
  Effect.flatMap(
    Docker.Docker,
    (docker) => Effect.map(Stream.runCollect(docker.images.buildKitStream(context, options)), Chunk.toArray)
  )

const vertices = (events: ReadonlyArray<BuildKit.Event>) =>
  events.filter((event): event is BuildKit.Vertex => event._tag === "Vertex")

layer(engine, { timeout: "180 seconds" })("BuildKit against the real engine", (it) => {
  afterAll(() =>
    Effect.runPromise(Effect.provide(
      Effect.gen(function*() {
        const docker = yield* Docker.Docker
        const images = yield* docker.images.list({ filters: { reference: ["effect-docker-test/buildkit*"] } })
        yield* Effect.forEach(images, (image) => Effect.ignore(docker.images.remove(image.Id, { force: true })))
        yield* Effect.ignore(docker.build.prune({ all: true }))
      }),
      engine
    ))
  )

  it.effect("builds a multi-stage Dockerfile with progress in order, then again from the cache", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const marker = `marker-${Date.now()}`
      const first = yield* collect(multiStage(marker), { tags: [tag("multi")], labels: label })
      // The image comes last, and is the one tagged.
      const image = first.at(-1)
      expect(image?._tag).toBe("Image")
      const id = (image as BuildKit.Image).id
      expect(id).toMatch(/^sha256:[0-9a-f]{64}$/)
      expect((yield* docker.images.inspect(tag("multi"))).Id).toBe(id)
      expect((yield* docker.images.inspect(id)).Config?.Labels).toMatchObject({ built: "by-buildkit" })

      // Every step started before it completed, and completed before the image was reported.
      const steps = vertices(first)
      const run = steps.filter((step) => step.name.includes(`RUN echo "${marker}"`))
      expect(run.length).toBeGreaterThan(0)
      expect(run.some((step) => step.completed !== undefined && !step.cached)).toBe(true)
      for (const step of steps) {
        if (step.started !== undefined && step.completed !== undefined) {
          expect(step.completed.getTime()).toBeGreaterThanOrEqual(step.started.getTime())
        }
      }
      const runDigest = run[0]!.digest
      const logs = first.filter((event): event is BuildKit.Log => event._tag === "Log" && event.vertex === runDigest)
      expect(new TextDecoder().decode(Buffer.concat(logs.map((log) => log.data)))).toContain("made the marker")

      const output = yield* docker.containers.run({
        image: id,
        cmd: ["cat", "/marker", "/greeting.txt"],
        labels: label,
        remove: true
      })
      expect(output).toBe(`${marker}\nhello from the context\n`)

      // The same build again: the RUN step is a cache hit, and the image the same.
      const second = yield* collect(multiStage(marker), { tags: [tag("multi")], labels: label })
      const again = vertices(second).filter((step) => step.name.includes(`RUN echo "${marker}"`))
      expect(again.some((step) => step.cached)).toBe(true)
      expect(second.at(-1)).toEqual({ _tag: "Image", id })
    }))

  it.effect("images.build uses BuildKit by default and returns the image id", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const id = yield* docker.images.build(
        Tar.fromFiles({ "Dockerfile": "FROM busybox\nRUN echo default > /builder\n" }),
        { tags: [tag("default")], labels: label }
      )
      expect((yield* docker.images.inspect(tag("default"))).Id).toBe(id)
      // The classic builder writes no BuildKit history: BuildKit's records say who built it.
      const history = yield* docker.images.history(id)
      expect(history.some((layer) => /buildkit/i.test(layer.Comment ?? ""))).toBe(true)
    }))

  it.effect("a failing RUN fails with BuildError: the step, its last log lines and the exit code", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const error = yield* Effect.flip(docker.images.build(
        Tar.fromFiles({ "Dockerfile": "FROM busybox\nRUN echo about to fail >&2 && exit 3\n" }),
        { builder: "buildkit", labels: label }
      ))
      expect(error).toMatchObject({ _tag: "BuildError", code: 3 })
      if (error._tag !== "BuildError") return
      expect(error.step?.name).toContain("RUN echo about to fail")
      expect(error.logs).toContain("about to fail")
      expect(error.message).toMatch(/exit code: 3/)
      expect(error.output).toContain("about to fail")
    }))
})
