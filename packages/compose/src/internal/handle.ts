/**
 * The handle of a running project (see `Compose.ComposeHandle`).
 */
import { Docker } from "@effect-docker/client"
import type { EngineError } from "@effect-docker/client/DockerEngine"
import type * as Multiplexed from "@effect-docker/client/Multiplexed"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as Crypto from "node:crypto"
import type { ComposeHandle, UpOptions } from "../Compose.js"
import { ComposeUpError } from "../ComposeError.js"
import type * as ComposeProject from "../ComposeProject.js"
import * as Spec from "./containerSpec.js"
import * as Up from "./up.js"

/** Frames as lines, each stream on its own: a line split across frames is one line; the last one without its newline too. */
const lines = <E>(frames: Stream.Stream<Multiplexed.Frame, E>) =>
  Stream.suspend(() => {
    const carry = { stdout: "", stderr: "" }
    const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() }
    return frames.pipe(
      Stream.mapConcat((frame) => {
        const stream: "stdout" | "stderr" = frame.stream === "stderr" ? "stderr" : "stdout"
        const parts = (carry[stream] + decoders[stream].decode(frame.data, { stream: true })).split("\n")
        carry[stream] = parts.pop()!
        return parts.map((line) => ({ stream, line }))
      }),
      Stream.concat(Stream.suspend(() =>
        Stream.fromIterable(
          (["stdout", "stderr"] as const).filter((stream) => carry[stream] !== "").map((stream) => ({
            stream,
            line: carry[stream]
          }))
        )
      ))
    )
  })

export const make = (
  docker: Docker.Docker["Type"],
  project: ComposeProject.Project,
  options: UpOptions
): ComposeHandle => {
  const extraLabels = options.labels ?? {}
  const byName = new Map(project.services.map((service) => [service.name, service]))
  const serviceOf = (name: string) => {
    const service = byName.get(name)
    return service === undefined
      ? Effect.fail(
        new ComposeUpError({
          project: project.name,
          service: name,
          logs: "",
          message: `${project.name} has no service ${JSON.stringify(name)} (it has ${[...byName.keys()].join(", ")})`
        })
      )
      : Effect.succeed(service)
  }
  const ids = (name: string) =>
    Effect.map(Up.serviceContainers(docker, project.name, name), (found) => found.map((c) => c.Id))
  /** `f` on each container of the services, with the service's stop grace period (default 10 seconds). */
  const each = (
    services: ReadonlyArray<string> | undefined,
    f: (id: string, timeout: Duration.Duration) => Effect.Effect<void, EngineError>
  ) =>
    Effect.forEach(
      services ?? project.startOrder,
      (name) => {
        const grace = byName.get(name)?.stopGracePeriodMillis
        const timeout = grace === undefined ? Duration.seconds(10) : Duration.millis(grace)
        return Effect.flatMap(ids(name), (found) => Effect.forEach(found, (id) => f(id, timeout), { discard: true }))
      },
      { discard: true }
    )
  return {
    project,
    ps: Effect.map(
      docker.containers.list({ all: true, filters: { label: [`${Spec.labels.project}=${project.name}`] } }),
      (found) =>
        found.map((container) => ({
          service: container.Labels?.[Spec.labels.service] ?? "",
          number: Number(container.Labels?.[Spec.labels.number] ?? 0),
          id: container.Id,
          name: (container.Names?.[0] ?? "").replace(/^\//, ""),
          state: container.State ?? "",
          status: container.Status ?? "",
          oneoff: container.Labels?.[Spec.labels.oneoff] === "True"
        })).sort((a, b) => a.service < b.service ? -1 : a.service > b.service ? 1 : a.number - b.number)
    ),
    containers: ids,
    logs: (logOptions = {}) =>
      Stream.unwrap(Effect.map(
        Effect.forEach(
          logOptions.services ?? project.startOrder,
          (name) =>
            Effect.map(
              Up.serviceContainers(docker, project.name, name),
              (found) => found.map((container) => ({ service: name, container }))
            ),
          { concurrency: "unbounded" }
        ),
        (all) =>
          Stream.mergeAll(
            all.flat().map(({ container, service }) => {
              const name = (container.Names?.[0] ?? "").replace(/^\//, "")
              return Stream.map(
                lines(docker.containers.logStream(container.Id, { follow: logOptions.follow === true })),
                ({ line, stream }) => ({ service, container: name, stream, line })
              )
            }),
            { concurrency: "unbounded" }
          )
      )),
    exec: (name, cmd, execOptions = {}) =>
      Effect.gen(function*() {
        yield* serviceOf(name)
        const found = yield* ids(name)
        const index = execOptions.index ?? 1
        const id = found[index - 1]
        if (id === undefined) {
          return yield* new ComposeUpError({
            project: project.name,
            service: name,
            logs: "",
            message: `${name} has no container ${index} (it has ${found.length})`
          })
        }
        return yield* docker.exec.run(id, { cmd })
      }),
    run: (name, cmd) =>
      Effect.gen(function*() {
        const service = yield* serviceOf(name)
        const image = Spec.imageOf(project, service)
        const imageId = (yield* docker.images.inspect(image)).Id ?? ""
        const suffix = Crypto.randomBytes(6).toString("hex")
        const run = Spec.runOptions(project, service, {
          number: 1,
          image,
          imageId,
          extraLabels,
          oneoff: true,
          name: `${project.name}-${name}-run-${suffix}`
        })
        return yield* docker.containers.run({
          ...run,
          ...(cmd !== undefined ? { cmd } : {}),
          pull: "never",
          remove: true,
          detach: false
        })
      }),
    stop: (services) =>
      each(services === undefined ? [...project.startOrder].reverse() : services, (id) => docker.containers.stop(id)),
    restart: (services) => each(services, (id) => docker.containers.restart(id)),
    scale: (name, replicas) =>
      Effect.gen(function*() {
        const service = yield* serviceOf(name)
        const found = yield* Up.serviceContainers(docker, project.name, name)
        for (const container of found) {
          if (Number(container.Labels?.[Spec.labels.number]) > replicas) {
            yield* docker.containers.remove(container.Id, { force: true })
          }
        }
        const imageId = (yield* docker.images.inspect(Spec.imageOf(project, service))).Id ?? ""
        const made = yield* Ref.make<Up.Made>({ containers: [], networks: [], volumes: [] })
        for (let number = 1; number <= replicas; number++) {
          yield* Up.ensureContainer(docker, project, service, { number, imageId, extraLabels }, made)
        }
      }),
    down: (downOptions = {}) => Effect.provideService(Up.down(project.name, downOptions), Docker.Docker, docker)
  }
}
