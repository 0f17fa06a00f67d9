/**
 * A build drawn as it runs. With BuildKit (the default): a line per step with its state and time
 * (`#3 [2/3] RUN ... DONE 0.3s`, `CACHED`), redrawn in place in a terminal, and the steps' output
 * as `#3 ...` lines; with the classic builder (`BUILDER=classic`), each step's output line by line.
 * A failing step's error is the last line, with exit status 1. `NO_CACHE=1` runs every step again.
 *
 *   IMAGE=busybox:latest pnpm tsx examples/images/build-progress.ts
 */
import { Docker, type Images } from "@effect-docker/client"
import { NodeDocker, ProgressRenderer, Tar } from "@effect-docker/node"
import { Effect } from "effect"

/** Builds `tag` from `base` in three steps, drawing the build's progress on stdout. */
export const buildWithProgress = (
  base: string,
  tag: string,
  options: { readonly fail?: boolean; readonly builder?: Images.Builder; readonly noCache?: boolean } = {}
) =>
  Effect.flatMap(Docker.Docker, (docker) => {
    const context = Tar.fromFiles({
      Dockerfile: [
        `FROM ${base}`,
        "RUN echo building the first layer && echo one > /one",
        options.fail === true ? "RUN echo about to fail && exit 7" : "RUN echo two > /two",
        "LABEL example=build-progress"
      ].join("\n")
    })
    return ProgressRenderer.render(
      options.builder === "classic"
        ? docker.images.buildStream(context, { tags: [tag], removeIntermediate: true, noCache: options.noCache })
        : docker.images.buildKitStream(context, { tags: [tag], noCache: options.noCache })
    )
  })

if (import.meta.url === `file://${process.argv[1]}`) {
  const image = process.env.IMAGE ?? "busybox:latest"
  buildWithProgress(image, process.env.TAG ?? "effect-docker-example:build-progress", {
    fail: process.env.FAIL === "1",
    noCache: process.env.NO_CACHE === "1",
    builder: process.env.BUILDER === "classic" ? "classic" : "buildkit"
  })
    .pipe(Effect.provide(NodeDocker.layerFromEnv()), Effect.runPromise)
    .catch(() => process.exit(1))
}
