/**
 * Images: a pull whose progress is shown as it arrives (layer by layer, bytes of bytes), and a build
 * from a context made in memory, its output lines streamed, with a build argument and a label;
 * a step that fails fails the build with `BuildError` and the build's output. Run it with
 * `IMAGE=busybox:latest pnpm tsx examples/images/build.ts`.
 */
import { Docker } from "@effect-docker/client"
import { NodeDocker, Tar } from "@effect-docker/node"
import { Console, Effect, Stream } from "effect"

/** Pulls `image`, printing each progress event as `docker pull` shows it; returns the lines. */
export const pullWithProgress = (image: string) =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const lines: Array<string> = []
    yield* docker.images.pullStream(image).pipe(
      Stream.map((event) =>
        [
          event.id,
          event.status,
          event.progressDetail?.total ? `${event.progressDetail.current}/${event.progressDetail.total}` : ""
        ]
          .filter((part) => part !== undefined && part !== "")
          .join(" ")
      ),
      Stream.tap((line) => Effect.sync(() => lines.push(line))),
      Stream.runForEach((line) => Console.log(`pull: ${line}`))
    )
    return lines
  })

/**
 * Builds `tag` from `base` with a Dockerfile written here, streaming the build's output; returns
 * the new image's id (the stream's `aux` event) and the output lines.
 */
export const buildInMemory = (base: string, tag: string, greeting: string) =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const context = Tar.fromFiles({
      Dockerfile: [
        `FROM ${base}`,
        "ARG GREETING",
        "COPY hello.txt /hello.txt",
        "RUN echo \"$GREETING\" >> /hello.txt && cat /hello.txt",
        "LABEL example=build"
      ].join("\n"),
      "hello.txt": "from the build context\n"
    })
    const output: Array<string> = []
    let id: string | undefined
    yield* docker.images.buildStream(context, {
      tags: [tag],
      buildArgs: { GREETING: greeting },
      removeIntermediate: true
    }).pipe(
      Stream.runForEach((event) =>
        Effect.sync(() => {
          if (event.aux?.ID !== undefined) id = event.aux.ID
          for (const line of (event.stream ?? "").split("\n")) if (line.trim() !== "") output.push(line.trimEnd())
        })
      )
    )
    return { id, output }
  })

// Run as a program (not when a test imports it).
if (import.meta.url === `file://${process.argv[1]}`) {
  const image = process.env.IMAGE ?? "busybox:latest"
  Effect.gen(function*() {
    yield* pullWithProgress(image)
    const built = yield* buildInMemory(image, "effect-docker-example:build", "hello from a build argument")
    yield* Console.log(built.output.join("\n"))
    yield* Console.log(`built ${built.id}`)
  }).pipe(Effect.provide(NodeDocker.layerFromEnv()), Effect.runPromise).catch((error) => {
    console.error(error)
    process.exit(1)
  })
}
