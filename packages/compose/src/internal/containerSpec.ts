/**
 * What docker compose creates for a project: resource names, its labels, and each service's
 * container as run options, so that `docker compose ps` and `logs` see our containers as theirs.
 */
import type * as RunOptions from "@effect-docker/client/RunOptions"
import * as Crypto from "node:crypto"
import type * as ComposeProject from "../ComposeProject.js"

/** The labels docker compose reads. */
export const labels = {
  project: "com.docker.compose.project",
  service: "com.docker.compose.service",
  number: "com.docker.compose.container-number",
  oneoff: "com.docker.compose.oneoff",
  configHash: "com.docker.compose.config-hash",
  workingDir: "com.docker.compose.project.working_dir",
  configFiles: "com.docker.compose.project.config_files",
  version: "com.docker.compose.version",
  dependsOn: "com.docker.compose.depends_on",
  image: "com.docker.compose.image",
  network: "com.docker.compose.network",
  volume: "com.docker.compose.volume"
} as const

/** The version label's value: this package's, not a docker compose version. */
export const version = "effect-docker-0.1.0"

/** JSON with object keys sorted. */
const stableJson = (value: unknown): string =>
  JSON.stringify(value, (_, inner: unknown) =>
    inner !== null && typeof inner === "object" && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner)

/** The hash of what a service's containers are made from: an unchanged service keeps its containers. */
export const configHash = (service: ComposeProject.ProjectService, image: string) =>
  Crypto.createHash("sha256").update(stableJson({ service: { ...service, replicas: undefined }, image })).digest("hex")

/** docker compose's container name: `<project>-<service>-<number>`, or the service's own. */
export const containerName = (
  project: ComposeProject.Project,
  service: ComposeProject.ProjectService,
  number: number
) => service.containerName ?? `${project.name}-${service.name}-${number}`

/** The image a service runs: its own, or the one its build is tagged as (`<project>-<service>`). */
export const imageOf = (project: ComposeProject.Project, service: ComposeProject.ProjectService) =>
  service.image ?? `${project.name}-${service.name}`

/** The project labels every resource of it carries. */
export const projectLabels = (project: ComposeProject.Project, extra: Readonly<Record<string, string>>) => ({
  ...extra,
  [labels.project]: project.name,
  [labels.version]: version
})

/**
 * The run options of container `number` of a service: compose's labels, its first network at
 * create with the container's and the service's names as aliases, as docker compose gives them
 * (the other networks are joined before the start).
 */
export const runOptions = (
  project: ComposeProject.Project,
  service: ComposeProject.ProjectService,
  options: {
    readonly number: number
    readonly image: string
    readonly imageId: string
    readonly extraLabels: Readonly<Record<string, string>>
    readonly oneoff?: boolean
    readonly name?: string
  }
): RunOptions.RunOptions => {
  const [firstNetwork] = Object.entries(service.networks)
  const volumeName = (key: string) => project.volumes[key]!.name
  const binds = service.volumes.flatMap((mount) =>
    mount.type === "tmpfs" || mount.source === undefined
      ? []
      : [
        `${mount.type === "volume" ? volumeName(mount.source) : mount.source}:${mount.target}${
          mount.readOnly ? ":ro" : ""
        }`
      ]
  )
  const anonymous = service.volumes.filter((mount) => mount.type === "volume" && mount.source === undefined)
  const tmpfs = [
    ...service.tmpfs,
    ...service.volumes.filter((mount) => mount.type === "tmpfs").map((mount) => mount.target)
  ]
  const health = service.healthcheck
  return {
    image: options.image,
    ...(service.command !== undefined ? { cmd: service.command } : {}),
    ...(service.entrypoint !== undefined ? { entrypoint: service.entrypoint } : {}),
    env: service.environment,
    name: options.name ?? containerName(project, service, options.number),
    labels: {
      ...service.labels,
      ...projectLabels(project, options.extraLabels),
      [labels.service]: service.name,
      [labels.number]: String(options.number),
      [labels.oneoff]: options.oneoff === true ? "True" : "False",
      [labels.configHash]: configHash(service, options.image),
      [labels.workingDir]: project.workingDir,
      [labels.configFiles]: project.files.join(","),
      [labels.image]: options.imageId,
      [labels.dependsOn]: Object.entries(service.dependsOn)
        .map(([name, dependency]) => `${name}:${dependency.condition}:false`)
        .join(",")
    },
    ...(service.user !== undefined ? { user: service.user } : {}),
    ...(service.workingDir !== undefined ? { workingDir: service.workingDir } : {}),
    ports: Object.fromEntries(
      service.ports.map((port) => [
        `${port.target}/${port.protocol}`,
        { ...(port.hostIp !== undefined ? { hostIp: port.hostIp } : {}), hostPort: port.published ?? "" }
      ])
    ),
    volumes: binds,
    ...(firstNetwork !== undefined
      ? {
        network: project.networks[firstNetwork[0]]!.name,
        networkAliases: options.oneoff === true
          ? []
          : [containerName(project, service, options.number), service.name, ...firstNetwork[1].aliases]
      }
      : {}),
    ...(service.restart !== undefined && options.oneoff !== true
      ? { restartPolicy: { name: service.restart } }
      : {}),
    ...(service.limits.memory !== undefined ? { memory: service.limits.memory } : {}),
    ...(service.limits.memoryReservation !== undefined ? { memoryReservation: service.limits.memoryReservation } : {}),
    ...(service.limits.pids !== undefined ? { pidsLimit: service.limits.pids } : {}),
    ...(health?.test !== undefined
      ? {
        healthcheck: {
          test: health.test,
          ...(health.intervalMillis !== undefined ? { interval: health.intervalMillis } : {}),
          ...(health.timeoutMillis !== undefined ? { timeout: health.timeoutMillis } : {}),
          ...(health.retries !== undefined ? { retries: health.retries } : {}),
          ...(health.startPeriodMillis !== undefined ? { startPeriod: health.startPeriodMillis } : {}),
          ...(health.startIntervalMillis !== undefined ? { startInterval: health.startIntervalMillis } : {})
        }
      }
      : {}),
    hostConfig: {
      ...(tmpfs.length > 0
        ? {
          Tmpfs: Object.fromEntries(tmpfs.map((entry) => entry.split(":", 2)).map(([path, opts]) => [path, opts ?? ""]))
        }
        : {}),
      ...(service.privileged ? { Privileged: true } : {}),
      ...(service.limits.nanoCpus !== undefined ? { NanoCpus: service.limits.nanoCpus } : {})
    },
    config: {
      ...(service.hostname !== undefined ? { Hostname: service.hostname } : {}),
      ...(service.stopGracePeriodMillis !== undefined
        ? { StopTimeout: Math.round(service.stopGracePeriodMillis / 1000) }
        : {}),
      ...(service.expose.length > 0 || anonymous.length > 0
        ? {
          ...(service.expose.length > 0
            ? {
              ExposedPorts: Object.fromEntries(
                service.expose.map((port) => [port.includes("/") ? port : `${port}/tcp`, {}])
              )
            }
            : {}),
          ...(anonymous.length > 0 ? { Volumes: Object.fromEntries(anonymous.map((mount) => [mount.target, {}])) } : {})
        }
        : {})
    } as RunOptions.RunOptions["config"]
  } as RunOptions.RunOptions
}
