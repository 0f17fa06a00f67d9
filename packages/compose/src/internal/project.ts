/**
 * A decoded Compose file as a project (see `ComposeProject`): names, defaults and references
 * resolved, as docker compose resolves them.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import type * as ComposeProject from "../ComposeProject.js"
import type * as ComposeSpec from "../ComposeSpec.js"
import { parseEnvFile } from "./interpolate.js"
import {
  Invalid,
  parseDuration,
  parsePort,
  parseVolume,
  resolveExtends,
  startOrder,
  toDict,
  toList
} from "./normalize.js"

/** A project name as docker compose accepts it: lower case letters, digits, `-` and `_`. */
export const projectName = (raw: string) => raw.toLowerCase().replace(/[^a-z0-9_-]/g, "").replace(/^[^a-z0-9]+/, "")

const definedDict = (value: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(value).flatMap(([key, item]) => (item === undefined ? [] : [[key, item]])))

const service = (
  name: string,
  spec: ComposeSpec.Service,
  context: { readonly workingDir: string; readonly env: Readonly<Record<string, string | undefined>> }
): ComposeProject.ProjectService => {
  const at = (...path: ReadonlyArray<string | number>) => ["services", name, ...path]
  if (spec.image === undefined && spec.build === undefined) {
    throw new Invalid(at(), "has neither an image nor a build")
  }
  const fromFiles = toList(spec.env_file).map((file, index) => {
    const path = Path.resolve(context.workingDir, file)
    if (!Fs.existsSync(path)) throw new Invalid(at("env_file", index), `the env file ${path} does not exist`)
    return parseEnvFile(Fs.readFileSync(path, "utf8"))
  })
  // A bare `KEY` takes this process's (or the interpolation's) value, or is left out.
  const own = Object.fromEntries(
    Object.entries(toDict(spec.environment)).map(([key, value]) => [key, value ?? context.env[key]])
  )
  const environment = definedDict(Object.assign({}, ...fromFiles, own))
  const build = spec.build === undefined
    ? undefined
    : typeof spec.build === "string"
    ? { context: Path.resolve(context.workingDir, spec.build), dockerfile: undefined, args: {}, target: undefined }
    : {
      context: Path.resolve(context.workingDir, spec.build.context ?? "."),
      dockerfile: spec.build.dockerfile,
      args: definedDict(toDict(spec.build.args)),
      target: spec.build.target
    }
  const networks = spec.networks === undefined
    ? { default: { aliases: [] } }
    : Array.isArray(spec.networks)
    ? Object.fromEntries((spec.networks as ReadonlyArray<string>).map((key) => [key, { aliases: [] }]))
    : Object.fromEntries(
      Object.entries(spec.networks as Record<string, { readonly aliases?: ReadonlyArray<string> } | null>).map((
        [key, value]
      ) => [key, { aliases: value?.aliases ?? [] }])
    )
  const dependsOn = spec.depends_on === undefined
    ? {}
    : Array.isArray(spec.depends_on)
    ? Object.fromEntries(
      (spec.depends_on as ReadonlyArray<string>).map((key) => [key, {
        condition: "service_started" as const,
        required: true
      }])
    )
    : Object.fromEntries(
      Object.entries(
        spec.depends_on as Record<
          string,
          {
            readonly condition?: ComposeProject.ProjectService["dependsOn"][string]["condition"]
            readonly required?: boolean
          }
        >
      ).map(([key, value]) => [key, {
        condition: value.condition ?? "service_started",
        required: value.required ?? true
      }])
    )
  const health = spec.healthcheck
  const duration = (value: string | undefined, key: string) =>
    value === undefined ? undefined : parseDuration(value, at("healthcheck", key))
  const limits = spec.deploy?.resources?.limits
  const cpus = limits?.cpus === undefined ? undefined : Number(limits.cpus)
  if (cpus !== undefined && !(cpus > 0)) {
    throw new Invalid(
      at("deploy", "resources", "limits", "cpus"),
      `${JSON.stringify(limits?.cpus)} is not a number of CPUs`
    )
  }
  return {
    name,
    image: spec.image,
    build,
    command: spec.command ?? undefined,
    entrypoint: spec.entrypoint ?? undefined,
    environment,
    ports: (spec.ports ?? []).flatMap((port, index) => parsePort(port, at("ports", index))),
    expose: (spec.expose ?? []).map(String),
    volumes: (spec.volumes ?? []).map((volume, index) => parseVolume(volume, context.workingDir, at("volumes", index))),
    networks,
    dependsOn,
    healthcheck: health === undefined
      ? undefined
      : {
        test: health.disable === true
          ? ["NONE"]
          : health.test === undefined
          ? undefined
          : typeof health.test === "string"
          ? ["CMD-SHELL", health.test]
          : health.test,
        intervalMillis: duration(health.interval, "interval"),
        timeoutMillis: duration(health.timeout, "timeout"),
        retries: health.retries,
        startPeriodMillis: duration(health.start_period, "start_period"),
        startIntervalMillis: duration(health.start_interval, "start_interval")
      },
    restart: spec.restart,
    labels: definedDict(toDict(spec.labels)),
    user: spec.user,
    workingDir: spec.working_dir,
    hostname: spec.hostname,
    containerName: spec.container_name,
    tmpfs: toList(spec.tmpfs),
    privileged: spec.privileged === true,
    stopGracePeriodMillis: spec.stop_grace_period === undefined
      ? undefined
      : parseDuration(spec.stop_grace_period, at("stop_grace_period")),
    limits: {
      nanoCpus: cpus === undefined ? undefined : Math.round(cpus * 1e9),
      memory: limits?.memory,
      pids: limits?.pids,
      memoryReservation: spec.deploy?.resources?.reservations?.memory
    },
    replicas: spec.deploy?.replicas ?? spec.scale ?? 1
  }
}

/** The project of a decoded file. */
export const project = (
  file: ComposeSpec.ComposeFile,
  options: {
    readonly name: string | undefined
    readonly profiles: ReadonlyArray<string> | undefined
    readonly file: string
    readonly workingDir: string
    readonly env: Readonly<Record<string, string | undefined>>
  }
): ComposeProject.Project => {
  const name = projectName(options.name ?? file.name ?? Path.basename(options.workingDir))
  if (name === "") throw new Invalid(["name"], "the project name has no letter or digit")
  const profiles = new Set(options.profiles ?? [])
  const specs = resolveExtends(file.services)
  const active = Object.entries(specs).filter(([, spec]) =>
    spec.profiles === undefined || spec.profiles.length === 0 || spec.profiles.some((profile) => profiles.has(profile))
  )
  const services = active.map(([key, spec]) => service(key, spec, options))
  const names = new Set(services.map((service) => service.name))
  for (const service of services) {
    for (const [dependency, { required }] of Object.entries(service.dependsOn)) {
      if (!names.has(dependency) && required) {
        throw new Invalid(
          ["services", service.name, "depends_on"],
          `depends on ${JSON.stringify(dependency)}, which is not a service of the file (or of its enabled profiles)`
        )
      }
    }
  }
  const declaredNetworks = file.networks ?? {}
  const usesDefault = services.some((service) => "default" in service.networks)
  const networks: Record<string, ComposeProject.ProjectNetwork> = {}
  const networkSpecs: Record<string, typeof ComposeSpec.Network.Type> = {
    ...(usesDefault ? { default: null } : {}),
    ...declaredNetworks
  }
  for (const [key, spec] of Object.entries(networkSpecs)) {
    const external = spec?.external === true
    networks[key] = {
      key,
      name: spec?.name ?? (external ? key : `${name}_${key}`),
      external,
      driver: spec?.driver,
      driverOpts: spec?.driver_opts ?? {},
      internal: spec?.internal === true,
      labels: definedDict(toDict(spec?.labels))
    }
  }
  const volumes: Record<string, ComposeProject.ProjectVolume> = {}
  for (const [key, spec] of Object.entries(file.volumes ?? {})) {
    const external = spec?.external === true
    volumes[key] = {
      key,
      name: spec?.name ?? (external ? key : `${name}_${key}`),
      external,
      driver: spec?.driver,
      driverOpts: spec?.driver_opts ?? {},
      labels: definedDict(toDict(spec?.labels))
    }
  }
  for (const service of services) {
    for (const key of Object.keys(service.networks)) {
      if (networks[key] === undefined) {
        throw new Invalid(
          ["services", service.name, "networks"],
          `joins the network ${JSON.stringify(key)}, which the file does not declare`
        )
      }
    }
    service.volumes.forEach((mount, index) => {
      if (mount.type === "volume" && mount.source !== undefined && volumes[mount.source] === undefined) {
        throw new Invalid(
          ["services", service.name, "volumes", index],
          `mounts the volume ${JSON.stringify(mount.source)}, which the file does not declare under volumes`
        )
      }
    })
  }
  return {
    name,
    workingDir: options.workingDir,
    files: [options.file],
    services,
    networks,
    volumes,
    startOrder: startOrder(services)
  }
}
