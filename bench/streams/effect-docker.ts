/** effect-docker's readers for bench/streams.ts: each reads the whole stream and counts its bytes. */
import { Docker } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import { Effect, Stream } from "effect"

const host = process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock"

const run = <A>(f: (docker: Docker.Docker["Type"]) => Effect.Effect<A, unknown>) =>
  Effect.runPromise(
    Effect.flatMap(Docker.Docker, f).pipe(
      Effect.provide(NodeDocker.layer({ host, apiVersion: "1.41" }))
    )
  )

const countBytes = (n: number, chunk: Uint8Array) => n + chunk.length

/** Reads at full speed, or as a slow consumer that takes a 2 ms break after every 4 MiB. */
const count = <E>(stream: Stream.Stream<Uint8Array, E>, slow: boolean) => {
  if (!slow) return Stream.runFold(stream, 0, countBytes)
  let sinceBreak = 0
  return stream.pipe(
    Stream.tap((chunk) => {
      sinceBreak += chunk.length
      if (sinceBreak < 4 << 20) return Effect.void
      sinceBreak = 0
      return Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 2)))
    }),
    Stream.runFold(0, countBytes)
  )
}

export const logs = (id: string, slow: boolean) =>
  run((docker) => count(Stream.map(docker.containers.logStream(id), (frame) => frame.data), slow))

export const exportFs = (id: string, slow: boolean) => run((docker) => count(docker.containers.export(id), slow))

export const archive = (id: string, path: string, slow: boolean) =>
  run((docker) =>
    Effect.scoped(Effect.flatMap(docker.containers.getArchive(id, path), (archive) => count(archive.content, slow)))
  )
