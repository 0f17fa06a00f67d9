/**
 * A pull drawn as `docker pull` draws it: in a terminal, one line per layer with a bar and bytes,
 * redrawn in place; piped to a file, a plain line per status change. A failure (an unknown
 * image, a registry that refuses) is the last line and the exit status is 1.
 *
 *   pnpm tsx examples/images/pull-progress.ts 127.0.0.1:5000/app:1
 */
import { Docker } from "@effect-docker/client"
import { NodeDocker, ProgressRenderer } from "@effect-docker/node"
import { Effect } from "effect"

/** Pulls `image`, drawing its progress on stdout. */
export const pullWithProgress = (image: string) =>
  Effect.flatMap(Docker.Docker, (docker) => ProgressRenderer.render(docker.images.pullStream(image)))

if (import.meta.url === `file://${process.argv[1]}`) {
  const image = process.argv[2] ?? process.env.IMAGE ?? "busybox:latest"
  pullWithProgress(image).pipe(Effect.provide(NodeDocker.layerFromEnv()), Effect.runPromise).catch(() => {
    // The renderer has drawn the error as its last line.
    process.exit(1)
  })
}
