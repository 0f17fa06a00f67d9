import type { Docker } from "@effect-docker/client"
import type { ContainerInspectResponse } from "@effect-docker/client/Schemas"
import { Tar } from "@effect-docker/node"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { CopyIn, StartedTestContainer } from "../TestContainer.js"
import { PortNotMappedError } from "../TestContainerError.js"
import { archivesOf } from "./definition.js"
import * as Ports from "./ports.js"

/** Copies files into the container, each archive extracted at `/`. */
export const copyTo = (docker: Docker.Docker["Type"], id: string, files: ReadonlyArray<CopyIn>) =>
  Effect.forEach(archivesOf(files), (archive) => docker.containers.putArchive(id, "/", archive), { discard: true })

/** The handle of a started container, on the client's operations. */
export const make = (
  docker: Docker.Docker["Type"],
  options: { readonly host: string; readonly info: ContainerInspectResponse; readonly reused: boolean }
): StartedTestContainer => {
  const { info } = options
  const id = info.Id!
  const inspect = docker.containers.inspect(id)
  const mappedPort = (port: number | string) =>
    Effect.flatMap(inspect, (fresh) => {
      const hostPort = Ports.hostPort(fresh, port)
      if (hostPort !== undefined) return Effect.succeed(hostPort)
      const published = Ports.published(fresh)
      return new PortNotMappedError({
        containerId: id,
        port: String(port),
        published,
        message: `port ${port} of container ${id.slice(0, 12)} is not published` +
          ` (published: ${published.join(", ") || "none"}): add it to exposedPorts`
      })
    })
  return {
    id,
    name: (info.Name ?? "").replace(/^\//, ""),
    host: options.host,
    info,
    reused: options.reused,
    inspect,
    mappedPort,
    endpoint: (port) =>
      Effect.map(
        mappedPort(port),
        (hostPort) => `${options.host.includes(":") ? `[${options.host}]` : options.host}:${hostPort}`
      ),
    exec: (cmd, execOptions = {}) =>
      docker.exec.run(id, { ...execOptions, cmd: typeof cmd === "string" ? ["sh", "-c", cmd] : cmd }),
    logs: (logOptions = {}) => docker.containers.logStream(id, logOptions),
    copyTo: (files) => copyTo(docker, id, files),
    copyFrom: (path) =>
      Stream.unwrapScoped(Effect.map(docker.containers.getArchive(id, path), (archive) => archive.content)),
    readFile: (path) =>
      Effect.scoped(
        Effect.flatMap(docker.containers.getArchive(id, path), (archive) =>
          Effect.map(Tar.readFiles(archive.content), (files) => {
            const base = path.replace(/\/+$/, "").split("/").at(-1)!
            return files[base] ?? Object.values(files)[0] ?? new Uint8Array()
          }))
      ),
    restart: (restartOptions = {}) => docker.containers.restart(id, restartOptions),
    stop: (stopOptions = {}) => docker.containers.stop(id, stopOptions),
    start: docker.containers.start(id)
  }
}
