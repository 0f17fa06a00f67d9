/**
 * A build drawn as it runs: each step's output line by line (in a terminal and in a pipe alike),
 * and a failing step's error as the last line, with exit status 1.
 *
 *   IMAGE=busybox:latest pnpm tsx examples/images/build-progress.ts
 */
import { Docker } from "@effect-docker/client"
import { NodeDocker, ProgressRenderer, Tar } from "@effect-docker/node"
import { Effect } from "effect"

/** Builds `tag` from `base` in three steps, drawing the build's output on stdout. */
export const buildWithProgress = (base: string, tag: string, options: { readonly fail?: boolean } = {}) =>
  Effect.flatMap(Docker.Docker, (docker) =>
    ProgressRenderer.render(docker.images.buildStream(
      Tar.fromFiles({
        Dockerfile: [
          `FROM ${base}`,
          "RUN echo building the first layer && echo one > /one",
          options.fail === true ? "RUN echo about to fail && exit 7" : "RUN echo two > /two",
          "LABEL example=build-progress"
        ].join("\n")
      }),
      { tags: [tag], removeIntermediate: true }
    )))

if (import.meta.url === `file://${process.argv[1]}`) {
  const image = process.env.IMAGE ?? "busybox:latest"
  buildWithProgress(image, process.env.TAG ?? "effect-docker-example:build-progress", {
    fail: process.env.FAIL === "1"
  })
    .pipe(Effect.provide(NodeDocker.layerFromEnv()), Effect.runPromise)
    .catch(() => process.exit(1))
}
