/**
 * `up` and `down` of a project on the client's operations: networks and volumes first, images
 * built or pulled, services in dependency order with their conditions, all or nothing.
 */
import { Docker, Readiness } from "@effect-docker/client"
import { Tar } from "@effect-docker/node"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import type { UpOptions } from "../Compose.js"
import { ComposeUpError } from "../ComposeError.js"
import type * as ComposeProject from "../ComposeProject.js"
import * as Spec from "./containerSpec.js"

type DockerService = Docker.Docker["Type"]

/** What this `up` made, to take down again if it fails. */
export interface Made {
  readonly containers: ReadonlyArray<string>
  readonly networks: ReadonlyArray<string>
  readonly volumes: ReadonlyArray<string>
}

const projectFilter = (project: string, more: ReadonlyArray<string> = []) => ({
  label: [`${Spec.labels.project}=${project}`, ...more]
})

/** The project's containers of a service (not one-offs), by container number. */
export const serviceContainers = (docker: DockerService, project: string, service: string) =>
  Effect.map(
    docker.containers.list({
      all: true,
      filters: projectFilter(project, [`${Spec.labels.service}=${service}`, `${Spec.labels.oneoff}=False`])
    }),
    (found) =>
      [...found].sort((a, b) =>
        Number(a.Labels?.[Spec.labels.number] ?? 0) - Number(b.Labels?.[Spec.labels.number] ?? 0)
      )
  )

const ensureNetwork = (
  docker: DockerService,
  project: ComposeProject.Project,
  network: ComposeProject.ProjectNetwork,
  extraLabels: Readonly<Record<string, string>>,
  made: Ref.Ref<Made>
) =>
  Effect.gen(function*() {
    const existing = yield* docker.networks.list({ filters: { name: [network.name] } })
    if (existing.some((found) => found.Name === network.name)) return
    if (network.external) {
      return yield* new ComposeUpError({
        project: project.name,
        service: undefined,
        logs: "",
        message: `the external network ${network.name} does not exist`
      })
    }
    const created = yield* docker.networks.create({
      Name: network.name,
      ...(network.driver !== undefined ? { Driver: network.driver } : {}),
      Options: network.driverOpts,
      Internal: network.internal,
      Labels: { ...network.labels, ...Spec.projectLabels(project, extraLabels), [Spec.labels.network]: network.key }
    })
    yield* Ref.update(made, (m) => ({ ...m, networks: [...m.networks, created.Id] }))
  })

const ensureVolume = (
  docker: DockerService,
  project: ComposeProject.Project,
  volume: ComposeProject.ProjectVolume,
  extraLabels: Readonly<Record<string, string>>,
  made: Ref.Ref<Made>
) =>
  Effect.gen(function*() {
    const found = yield* docker.volumes.inspect(volume.name).pipe(
      Effect.as(true),
      Effect.catchTag("NotFound", () => Effect.succeed(false))
    )
    if (found) return
    if (volume.external) {
      return yield* new ComposeUpError({
        project: project.name,
        service: undefined,
        logs: "",
        message: `the external volume ${volume.name} does not exist`
      })
    }
    yield* docker.volumes.create({
      Name: volume.name,
      ...(volume.driver !== undefined ? { Driver: volume.driver } : {}),
      DriverOpts: volume.driverOpts,
      Labels: { ...volume.labels, ...Spec.projectLabels(project, extraLabels), [Spec.labels.volume]: volume.key }
    })
    yield* Ref.update(made, (m) => ({ ...m, volumes: [...m.volumes, volume.name] }))
  })

/** The service's image: built from its context, or pulled when missing. Its id. */
const ensureImage = (docker: DockerService, project: ComposeProject.Project, service: ComposeProject.ProjectService) =>
  Effect.gen(function*() {
    const image = Spec.imageOf(project, service)
    if (service.build !== undefined) {
      const { context, dockerfile } = yield* Tar.buildContext(
        service.build.context,
        service.build.dockerfile === undefined ? {} : { dockerfile: service.build.dockerfile }
      )
      return yield* docker.images.build(context, {
        dockerfile,
        tags: [image],
        buildArgs: service.build.args,
        ...(service.build.target !== undefined ? { target: service.build.target } : {}),
        labels: { [Spec.labels.project]: project.name, [Spec.labels.service]: service.name }
      })
    }
    return yield* docker.images.inspect(image).pipe(
      Effect.catchTag("NotFound", () => docker.images.pull(image)),
      Effect.map((info) => info.Id!)
    )
  })

/** Waits for the conditions the service's `depends_on` names. */
const awaitDependencies = (
  docker: DockerService,
  project: ComposeProject.Project,
  service: ComposeProject.ProjectService,
  timeout: Duration.Duration
) =>
  Effect.forEach(
    Object.entries(service.dependsOn),
    ([dependency, { condition }]) =>
      Effect.flatMap(serviceContainers(docker, project.name, dependency), (containers) =>
        Effect.forEach(containers, (container) => {
          const readiness = condition === "service_healthy"
            ? Readiness.healthy({ timeout })
            : condition === "service_completed_successfully"
            ? Readiness.exited({ exitCode: 0, timeout })
            : undefined
          if (readiness === undefined) {
            return Effect.void
          }
          return Readiness.wait({ id: container.Id, containers: docker.containers, exec: docker.exec }, readiness).pipe(
            Effect.mapError((cause) =>
              new ComposeUpError({
                project: project.name,
                service: dependency,
                logs: cause._tag === "DockerReadinessError" ? cause.lastLogs : "",
                message: `${service.name} depends on ${dependency} (${condition}): ${cause.message}`
              })
            )
          )
        }, { discard: true })),
    { discard: true }
  )

/**
 * Container `number` of a service: an unchanged one (same config hash) is kept, and started if
 * it stopped; a changed one is replaced.
 */
export const ensureContainer = (
  docker: DockerService,
  project: ComposeProject.Project,
  service: ComposeProject.ProjectService,
  options: {
    readonly number: number
    readonly imageId: string
    readonly extraLabels: Readonly<Record<string, string>>
  },
  made: Ref.Ref<Made>
) =>
  Effect.gen(function*() {
    const image = Spec.imageOf(project, service)
    const run = Spec.runOptions(project, service, { ...options, image })
    const existing = (yield* serviceContainers(docker, project.name, service.name))
      .find((container) => container.Labels?.[Spec.labels.number] === String(options.number))
    if (existing !== undefined) {
      if (existing.Labels?.[Spec.labels.configHash] === run.labels![Spec.labels.configHash]) {
        if (existing.State !== "running") yield* docker.containers.start(existing.Id)
        return existing.Id
      }
      yield* docker.containers.remove(existing.Id, { force: true })
    }
    const { Id } = yield* docker.containers.createWith({ ...run, pull: "never" })
    yield* Ref.update(made, (m) => ({ ...m, containers: [...m.containers, Id] }))
    for (const [key, { aliases }] of Object.entries(service.networks).slice(1)) {
      yield* docker.networks.connect(project.networks[key]!.name, {
        Container: Id,
        EndpointConfig: { Aliases: [Spec.containerName(project, service, options.number), service.name, ...aliases] }
      })
    }
    yield* docker.containers.start(Id)
    return Id
  })

/** Takes down what an `up` made (containers, then networks and volumes), ignoring what is gone. */
const undo = (docker: DockerService, made: Made) =>
  Effect.zipRight(
    Effect.forEach(
      made.containers,
      (id) => Effect.ignore(docker.containers.remove(id, { force: true, volumes: true })),
      {
        discard: true
      }
    ),
    Effect.zipRight(
      Effect.forEach(made.networks, (id) => Effect.ignore(docker.networks.remove(id)), { discard: true }),
      Effect.forEach(made.volumes, (name) => Effect.ignore(docker.volumes.remove(name)), { discard: true })
    )
  )

/** The last lines of a service's containers, for the error of a failed `up`. */
const lastLogs = (docker: DockerService, project: string, service: string) =>
  Effect.orElseSucceed(
    Effect.flatMap(serviceContainers(docker, project, service), (containers) =>
      Effect.map(
        Effect.forEach(containers, (container) => docker.containers.logs(container.Id, { tail: 50 })),
        (outputs) => outputs.map((output) => output.combined).join("")
      )),
    () => ""
  )

const liveClock = Clock.make()

/**
 * `up`: everything, or nothing left of what this call made. Containers keep real time: the
 * conditions' polls and timeouts run on the live clock, whatever clock a test provides.
 */
export const up = (project: ComposeProject.Project, options: UpOptions) =>
  Effect.withClock(liveClock)(Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const made = yield* Ref.make<Made>({ containers: [], networks: [], volumes: [] })
    const extraLabels = options.labels ?? {}
    const timeout = Duration.decode(options.timeout ?? Duration.minutes(2))
    const current = yield* Ref.make<string | undefined>(undefined)
    const work = Effect.gen(function*() {
      for (const network of Object.values(project.networks)) {
        yield* ensureNetwork(docker, project, network, extraLabels, made)
      }
      for (const volume of Object.values(project.volumes)) {
        yield* ensureVolume(docker, project, volume, extraLabels, made)
      }
      const byName = new Map(project.services.map((service) => [service.name, service]))
      const images = new Map<string, string>()
      for (const service of project.services) {
        yield* Ref.set(current, service.name)
        images.set(service.name, yield* ensureImage(docker, project, service))
      }
      for (const name of project.startOrder) {
        const service = byName.get(name)!
        yield* Ref.set(current, name)
        yield* awaitDependencies(docker, project, service, timeout)
        for (let number = 1; number <= service.replicas; number++) {
          yield* ensureContainer(docker, project, service, { number, imageId: images.get(name)!, extraLabels }, made)
        }
      }
    })
    const logs = yield* Ref.make("")
    yield* work.pipe(
      // On a failure or an interruption alike: the failing service's last lines, then all undone.
      Effect.onError(() =>
        Effect.gen(function*() {
          const failed = yield* Ref.get(current)
          if (failed !== undefined) yield* Ref.set(logs, yield* lastLogs(docker, project.name, failed))
          yield* undo(docker, yield* Ref.get(made))
        })
      ),
      Effect.catchAll((error) =>
        Effect.gen(function*() {
          const failed = yield* Ref.get(current)
          const last = yield* Ref.get(logs)
          if (error._tag === "ComposeUpError") {
            return yield* (error.logs === "" && last !== "" ? new ComposeUpError({ ...error, logs: last }) : error)
          }
          return yield* new ComposeUpError({
            project: project.name,
            service: failed,
            logs: last,
            message: `up of ${project.name} failed${
              failed === undefined ? "" : ` at service ${failed}`
            }: ${error.message}`,
            cause: error
          })
        })
      )
    )
  }))

/**
 * `down`: the project's containers (one-offs too), then its networks; when asked, its volumes and
 * the containers' anonymous ones (`docker compose down -v`).
 */
export const down = (projectName: string, options: { readonly volumes?: boolean | undefined } = {}) =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const containers = yield* docker.containers.list({ all: true, filters: projectFilter(projectName) })
    yield* Effect.forEach(
      containers,
      (container) =>
        Effect.catchTag(
          docker.containers.remove(container.Id, { force: true, volumes: options.volumes === true }),
          "NotFound",
          () => Effect.void
        ),
      {
        concurrency: 8,
        discard: true
      }
    )
    const networks = yield* docker.networks.list({ filters: projectFilter(projectName) })
    yield* Effect.forEach(
      networks,
      (network) => Effect.catchTag(docker.networks.remove(network.Id!), "NotFound", () => Effect.void),
      { discard: true }
    )
    if (options.volumes === true) {
      const volumes = (yield* docker.volumes.list({ filters: projectFilter(projectName) })).Volumes ?? []
      yield* Effect.forEach(
        volumes,
        (volume) => Effect.catchTag(docker.volumes.remove(volume.Name), "NotFound", () => Effect.void),
        { discard: true }
      )
    }
  })
