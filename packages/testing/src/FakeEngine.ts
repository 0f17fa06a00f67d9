/**
 * A Docker engine in memory: containers, images, networks, volumes, exec and events with the
 * Engine API 1.41 wire format, the engine's status codes and its error messages. What containers
 * print and how they exit is scripted by the test. Use it in the same process as a transport
 * layer ({@link layer}, no socket), or serve it on a socket for other clients, e.g. the docker CLI
 * (`effect-docker-fake-engine --listen unix:///tmp/fake.sock`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Docker } from "@effect-docker/client"
 * import { FakeEngine } from "@effect-docker/testing"
 *
 * const layer = FakeEngine.layerDocker({
 *   images: [{ reference: "busybox:latest" }],
 *   run: (container) => container.cmd[0] === "echo" ? { output: [{ stream: "stdout", data: "hi\n" }], exit: 0 } : undefined
 * })
 *
 * const program = Effect.gen(function*() {
 *   const docker = yield* Docker.Docker
 *   return yield* docker.containers.run({ Image: "busybox", Cmd: ["echo", "hi"] }) // "hi\n"
 * }).pipe(Effect.provide(layer))
 * ```
 *
 * @since 0.1.0
 */
import * as Docker from "@effect-docker/client/Docker"
import * as DockerEngine from "@effect-docker/client/DockerEngine"
import type { DockerConfigError, DockerVersionError } from "@effect-docker/client/DockerError"
import type { DockerTransport } from "@effect-docker/client/DockerTransport"
import * as Schemas from "@effect-docker/client/generated/Schemas"
import { parseReference } from "@effect-docker/client/Images"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as MockTransport from "./MockTransport.js"

/**
 * A value as the engine sends it: the generated schema's encoded side, nulls and all. The
 * schemas follow the newest API; fields that API 1.41 still sends and later versions dropped
 * are added where they are used.
 */
type Wire<S extends Schema.Schema.Any> = Schema.Schema.Encoded<S>

/** The body of `POST /exec/{id}/start`, which the generator leaves to the hand-written exec session. */
const ExecStartBody = Schema.Struct({
  Detach: Schema.optional(Schema.Boolean),
  Tty: Schema.optional(Schema.Boolean),
  ConsoleSize: Schema.optional(Schema.NullOr(Schema.Array(Schema.Number)))
})

/** Container configuration fields of API 1.41 that the newest image config no longer has. */
interface LegacyConfig {
  readonly Hostname: string
  readonly Domainname: string
  readonly AttachStdin: boolean
  readonly AttachStdout: boolean
  readonly AttachStderr: boolean
  readonly Tty: boolean
  readonly OpenStdin: boolean
  readonly StdinOnce: boolean
  readonly Image: string
}

/**
 * What a container (or an exec process) does once started: what it prints and whether it exits.
 *
 * @since 0.1.0
 */
export interface Script {
  /** Printed at start, in order. Text is split into lines as the engine's log driver does. */
  readonly output?: ReadonlyArray<{ readonly stream: "stdout" | "stderr"; readonly data: string | Uint8Array }>
  /** Exits by itself with this code right after printing; absent: runs until stopped or killed. */
  readonly exit?: number
  /** The exit code when stopped (the engine's SIGTERM, then SIGKILL); default 137, a PID 1 that ignores SIGTERM. */
  readonly stopExit?: number
}

/**
 * What a script is chosen by.
 *
 * @since 0.1.0
 */
export interface ProcessInfo {
  readonly containerId: string
  readonly name: string
  readonly image: string
  /** The command line: entrypoint and command. */
  readonly cmd: ReadonlyArray<string>
  readonly env: ReadonlyArray<string>
  readonly tty: boolean
  readonly labels: Readonly<Record<string, string>>
}

/**
 * An image the engine has, or that its registry catalogue offers for pulls.
 *
 * @since 0.1.0
 */
export interface ImageDefinition {
  /** e.g. `busybox:latest` or `127.0.0.1:5000/app:v1`. */
  readonly reference: string
  /** `sha256:...`; default: made from the reference. */
  readonly id?: string
  readonly size?: number
  /** Unix seconds. */
  readonly created?: number
  readonly labels?: Readonly<Record<string, string>>
  readonly cmd?: ReadonlyArray<string>
  readonly entrypoint?: ReadonlyArray<string>
  readonly env?: ReadonlyArray<string>
  readonly workingDir?: string
}

/**
 * @since 0.1.0
 */
export interface Options {
  /** Images present from the start. */
  readonly images?: ReadonlyArray<ImageDefinition>
  /** Images a pull can fetch (the registry); a pull of anything else fails as the engine's does. */
  readonly registry?: ReadonlyArray<ImageDefinition>
  /** What a started container does; `undefined` (the default): prints nothing and runs until stopped. */
  readonly run?: (container: ProcessInfo) => Script | undefined
  /** What an exec process does; `undefined` (the default): prints nothing and exits 0. */
  readonly exec?: (container: ProcessInfo, cmd: ReadonlyArray<string>) => Script | undefined
  /** What `/version` reports besides the API version (1.41); the defaults are those of Docker 20.10.24. */
  readonly version?: {
    readonly Version?: string
    readonly GitCommit?: string
    readonly GoVersion?: string
    readonly Os?: string
    readonly Arch?: string
    readonly KernelVersion?: string
    readonly BuildTime?: string
  }
}

interface LogLine {
  readonly stream: "stdout" | "stderr"
  readonly data: Uint8Array
  readonly time: Date
}

interface ContainerState {
  status: "created" | "running" | "paused" | "exited" | "dead"
  pid: number
  exitCode: number
  startedAt: Date | undefined
  finishedAt: Date | undefined
}

interface ContainerRecord {
  readonly id: string
  name: string
  readonly created: Date
  /** The image as the caller named it. */
  readonly image: string
  readonly imageId: string
  readonly path: string
  readonly args: ReadonlyArray<string>
  readonly config: Wire<typeof Schemas.ContainerConfig>
  readonly hostConfig: Wire<typeof Schemas.HostConfig>
  readonly mounts: Array<Wire<typeof Schemas.MountPoint>>
  readonly networks: Record<string, Wire<typeof Schemas.EndpointSettings>>
  readonly state: ContainerState
  readonly log: Array<LogLine>
  readonly execIds: Array<string>
  restartCount: number
}

interface ImageRecord {
  readonly id: string
  readonly repoTags: Array<string>
  readonly definition: ImageDefinition
}

interface ExecRecord {
  readonly id: string
  readonly containerId: string
  readonly cmd: ReadonlyArray<string>
  readonly tty: boolean
  readonly attachStdout: boolean
  readonly attachStderr: boolean
  readonly attachStdin: boolean
  running: boolean
  exitCode: number | null
  pid: number
}

interface NetworkRecord {
  readonly id: string
  readonly name: string
  readonly driver: string
  readonly created: Date
  readonly labels: Readonly<Record<string, string>>
  readonly internal: boolean
  readonly attachable: boolean
  readonly options: Readonly<Record<string, string>>
  readonly predefined: boolean
  readonly subnet: number | undefined
}

interface VolumeRecord {
  readonly name: string
  readonly driver: string
  readonly created: Date
  readonly labels: Readonly<Record<string, string>> | null
  readonly options: Readonly<Record<string, string>> | null
}

const encoder = new TextEncoder()

const randomHex = (bytes: number) =>
  Array.from(globalThis.crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("")

/** A stable id for a definition without one: the same reference gives the same id. */
const idFor = (reference: string) => {
  let h1 = 0x811c9dc5
  let out = ""
  for (let round = 0; round < 8; round++) {
    for (const ch of `${round}:${reference}`) h1 = Math.imul(h1 ^ ch.charCodeAt(0), 0x01000193) >>> 0
    out += h1.toString(16).padStart(8, "0")
  }
  return `sha256:${out}`
}

const zeroTime = "0001-01-01T00:00:00Z"
const rfc3339 = (date: Date | undefined) =>
  date === undefined ? zeroTime : date.toISOString().replace(/\.(\d+)Z$/, ".$1000000Z")
const unixSeconds = (date: Date) => Math.floor(date.getTime() / 1000)

/** Go's `units.HumanDuration`, which the engine's status strings use. */
const humanDuration = (millis: number) => {
  const seconds = Math.floor(millis / 1000)
  if (seconds < 1) return "Less than a second"
  if (seconds === 1) return "1 second"
  if (seconds < 60) return `${seconds} seconds`
  const minutes = Math.floor(seconds / 60)
  if (minutes === 1) return "About a minute"
  if (minutes < 60) return `${minutes} minutes`
  const hours = Math.floor(seconds / 3600 + 0.5)
  if (hours === 1) return "About an hour"
  if (hours < 48) return `${hours} hours`
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`
  return `${Math.floor(seconds / 3600 / 24 / 365)} years`
}

const adjectives = ["brave", "calm", "eager", "fervent", "gifted", "happy", "jolly", "keen", "lucid", "quirky"]
const scientists = ["curie", "darwin", "euler", "hopper", "lovelace", "noether", "pasteur", "ritchie", "turing"]

/** The engine's answer to a request it cannot serve. */
class EngineFailure {
  constructor(readonly status: number, readonly message: string) {}
}

const fail = (status: number, message: string) => new EngineFailure(status, message)

const json = (body: unknown, status = 200) => MockTransport.json(body, status)

const frame = (stream: "stdout" | "stderr", data: Uint8Array) => MockTransport.multiplexed([{ stream, data }])

/** Parses the engine's `filters` query parameter: `{"label":["a=b"]}` or the older `{"label":{"a=b":true}}`. */
const parseFilters = (raw: string | null): Record<string, ReadonlyArray<string>> => {
  if (raw === null || raw === "") return {}
  const parsed = JSON.parse(raw) as Record<string, ReadonlyArray<string> | Record<string, boolean>>
  return Object.fromEntries(
    Object.entries(parsed).map(([key, value]) => [key, Array.isArray(value) ? value : Object.keys(value)])
  )
}

const matchesLabels = (labels: Readonly<Record<string, string>> | null | undefined, wanted: ReadonlyArray<string>) =>
  wanted.every((filter) => {
    const eq = filter.indexOf("=")
    if (eq === -1) return labels?.[filter] !== undefined
    return labels?.[filter.slice(0, eq)] === filter.slice(eq + 1)
  })

/**
 * Waits on the wall clock: the engine keeps real time (an events stream with `until` ends then),
 * whatever clock the test gives its own fibers.
 */
const wallClockSleep = (millis: number) =>
  Effect.async<void>((resume) => {
    const timer = setTimeout(() => resume(Effect.void), Math.max(0, millis))
    return Effect.sync(() => clearTimeout(timer))
  })

/** A `reference` filter as the engine reads it: a glob on `repository[:tag]`, any tag when none is given. */
const referencePattern = (pattern: string) => {
  const glob = (text: string) =>
    text.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]")
  const { repository, tag } = parseReference(pattern)
  return new RegExp(`^${glob(repository)}:${tag === undefined ? ".*" : glob(tag)}$`)
}

const truthy = (value: string | null) => value === "1" || value === "true" || value === "True"

/** Decodes a request body with the generated schema, or fails with the engine's 400. */
const decodeBody = <A, I>(schema: Schema.Schema<A, I>, text: string): Either.Either<A, EngineFailure> => {
  let value: unknown
  try {
    value = text === "" ? {} : JSON.parse(text)
  } catch {
    return Either.left(fail(400, "invalid JSON: the request body is not JSON"))
  }
  return Either.mapLeft(
    Schema.decodeUnknownEither(schema)(value),
    (error) => fail(400, ParseResult.TreeFormatter.formatErrorSync(error))
  )
}

/**
 * A fake engine: its handler answers requests as a Docker engine would.
 *
 * @since 0.1.0
 */
export interface FakeEngine {
  /** Answers one request (the path with or without its `/v1.41` prefix). */
  readonly handle: MockTransport.Handler
}

/**
 * Access to the fake engine a layer runs.
 *
 * @since 0.1.0
 */
export class FakeEngineService extends Context.Tag("@effect-docker/testing/FakeEngine")<
  FakeEngineService,
  FakeEngine
>() {}

/**
 * Makes a fake engine with its own state.
 *
 * @since 0.1.0
 */
export const make = (options: Options = {}): FakeEngine => {
  const containers = new Map<string, ContainerRecord>()
  const images = new Map<string, ImageRecord>()
  const execs = new Map<string, ExecRecord>()
  const networks = new Map<string, NetworkRecord>()
  const volumes = new Map<string, VolumeRecord>()
  const events: Array<Wire<typeof Schemas.EventMessage>> = []
  /** Called after every change of state; follows and waits re-check their condition. */
  const listeners = new Set<() => void>()
  let nextPid = 1000
  let nextSubnet = 18

  const changed = () => {
    for (const listener of [...listeners]) listener()
  }

  /** Waits until `ready` gives a value, re-checking after each change. */
  const until = <A>(ready: () => A | undefined): Effect.Effect<A> =>
    Effect.async<A>((resume) => {
      const now = ready()
      if (now !== undefined) return resume(Effect.succeed(now))
      const listener = () => {
        const value = ready()
        if (value === undefined) return
        listeners.delete(listener)
        resume(Effect.succeed(value))
      }
      listeners.add(listener)
      return Effect.sync(() => listeners.delete(listener))
    })

  const emit = (type: string, action: string, id: string, attributes: Record<string, string>) => {
    const now = Date.now()
    const container = type === "container"
    events.push({
      ...(container ? { status: action, id, from: attributes.image ?? "" } : {}),
      Type: type,
      Action: action,
      Actor: { ID: id, Attributes: attributes },
      scope: "local",
      time: Math.floor(now / 1000),
      timeNano: now * 1_000_000
    })
    changed()
  }

  const containerAttributes = (c: ContainerRecord, extra: Record<string, string> = {}) => ({
    ...(c.config.Labels ?? {}),
    image: c.image,
    name: c.name.slice(1),
    ...extra
  })

  // Images

  const addImage = (definition: ImageDefinition) => {
    const id = definition.id ?? idFor(definition.reference)
    const tag = normalizeReference(definition.reference)
    for (const image of images.values()) removeTag(image, tag)
    const existing = images.get(id)
    if (existing !== undefined) {
      if (!existing.repoTags.includes(tag)) existing.repoTags.push(tag)
      return existing
    }
    const record: ImageRecord = { id, repoTags: [tag], definition }
    images.set(id, record)
    return record
  }

  const removeTag = (image: ImageRecord, tag: string) => {
    const at = image.repoTags.indexOf(tag)
    if (at !== -1) image.repoTags.splice(at, 1)
  }

  const normalizeReference = (reference: string) => {
    const { repository, tag } = parseReference(reference)
    return reference.includes("@") ? reference : `${repository}:${tag ?? "latest"}`
  }

  const findImage = (name: string): ImageRecord | undefined => {
    const tag = normalizeReference(name)
    for (const image of images.values()) if (image.repoTags.includes(tag)) return image
    const hex = name.replace(/^sha256:/, "")
    if (/^[0-9a-f]{4,64}$/.test(hex)) {
      for (const image of images.values()) if (image.id.slice(7).startsWith(hex)) return image
    }
    return undefined
  }

  for (const definition of options.images ?? []) addImage(definition)

  const imageSummary = (image: ImageRecord): Wire<typeof Schemas.ImageSummary> & { VirtualSize: number } => ({
    Containers: -1,
    Created: image.definition.created ?? 0,
    Id: image.id,
    Labels: image.definition.labels ?? null,
    ParentId: "",
    RepoDigests: [],
    RepoTags: image.repoTags,
    SharedSize: -1,
    Size: image.definition.size ?? 0,
    VirtualSize: image.definition.size ?? 0
  })

  const imageConfig = (image: ImageRecord): Wire<typeof Schemas.ImageConfig> & LegacyConfig => ({
    Hostname: "",
    Domainname: "",
    User: "",
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: image.definition.env ?? null,
    Cmd: image.definition.cmd ?? null,
    Image: "",
    Volumes: null,
    WorkingDir: image.definition.workingDir ?? "",
    Entrypoint: image.definition.entrypoint ?? null,
    OnBuild: null,
    Labels: image.definition.labels ?? null
  })

  const imageInspect = (
    image: ImageRecord
  ): Wire<typeof Schemas.ImageInspect> & { Parent: string; Comment: string; DockerVersion: string } => ({
    Id: image.id,
    RepoTags: image.repoTags,
    RepoDigests: [],
    Parent: "",
    Comment: "",
    Created: rfc3339(new Date((image.definition.created ?? 0) * 1000)),
    DockerVersion: "",
    Author: "",
    Config: imageConfig(image),
    Architecture: "amd64",
    Os: "linux",
    Size: image.definition.size ?? 0,
    GraphDriver: { Data: {}, Name: "vfs" },
    RootFS: { Type: "layers", Layers: [image.id] },
    Metadata: { LastTagTime: zeroTime }
  })

  // Containers

  const findContainer = (name: string): ContainerRecord | EngineFailure => {
    const byId = containers.get(name)
    if (byId !== undefined) return byId
    const wanted = name.startsWith("/") ? name : `/${name}`
    for (const c of containers.values()) if (c.name === wanted) return c
    if (/^[0-9a-f]+$/.test(name)) {
      const matches = [...containers.values()].filter((c) => c.id.startsWith(name))
      if (matches.length === 1) return matches[0]!
      if (matches.length > 1) return fail(404, `No such container: ${name}`)
    }
    return fail(404, `No such container: ${name}`)
  }

  const running = (c: ContainerRecord) => c.state.status === "running" || c.state.status === "paused"

  const statusText = (c: ContainerRecord) => {
    const now = Date.now()
    switch (c.state.status) {
      case "running":
        return `Up ${humanDuration(now - c.state.startedAt!.getTime())}`
      case "paused":
        return `Up ${humanDuration(now - c.state.startedAt!.getTime())} (Paused)`
      case "dead":
        return "Dead"
      case "created":
        return c.state.startedAt === undefined ? "Created" : ""
      case "exited":
        return c.state.finishedAt === undefined
          ? "Created"
          : `Exited (${c.state.exitCode}) ${humanDuration(now - c.state.finishedAt.getTime())} ago`
    }
  }

  const info = (c: ContainerRecord): ProcessInfo => ({
    containerId: c.id,
    name: c.name.slice(1),
    image: c.image,
    cmd: [c.path, ...c.args],
    env: c.config.Env ?? [],
    tty: c.config.Tty ?? false,
    labels: c.config.Labels ?? {}
  })

  const appendOutput = (log: Array<LogLine>, output: Script["output"]) => {
    for (const { data, stream } of output ?? []) {
      const bytes = typeof data === "string" ? encoder.encode(data) : data
      // One log entry per line, as the json-file driver stores them.
      let from = 0
      for (let i = 0; i < bytes.length; i++) {
        if (bytes[i] === 10) {
          log.push({ stream, data: bytes.subarray(from, i + 1), time: new Date() })
          from = i + 1
        }
      }
      if (from < bytes.length) log.push({ stream, data: bytes.subarray(from), time: new Date() })
    }
  }

  const finish = (c: ContainerRecord, exitCode: number) => {
    c.state.status = "exited"
    c.state.exitCode = exitCode
    c.state.pid = 0
    c.state.finishedAt = new Date()
    for (const id of c.execIds) {
      const exec = execs.get(id)
      if (exec?.running) exec.running = false
    }
    c.execIds.length = 0
    emit("container", "die", c.id, containerAttributes(c, { exitCode: String(exitCode) }))
    if (c.hostConfig.AutoRemove === true) destroy(c)
  }

  const startContainer = (c: ContainerRecord) => {
    c.state.status = "running"
    c.state.pid = nextPid++
    c.state.startedAt = new Date()
    c.state.finishedAt = undefined
    c.state.exitCode = 0
    emit("container", "start", c.id, containerAttributes(c))
    const script = options.run?.(info(c))
    appendOutput(c.log, script?.output)
    if (script?.exit !== undefined) finish(c, script.exit)
    else changed()
  }

  /** SIGTERM, and SIGKILL after the timeout when the process ignores it (exit code 137). */
  const stopContainer = (c: ContainerRecord) => {
    const exitCode = options.run?.(info(c))?.stopExit ?? 137
    emit("container", "kill", c.id, containerAttributes(c, { signal: "15" }))
    if (exitCode === 137) emit("container", "kill", c.id, containerAttributes(c, { signal: "9" }))
    finish(c, exitCode)
    emit("container", "stop", c.id, containerAttributes(c))
  }

  const destroy = (c: ContainerRecord) => {
    containers.delete(c.id)
    emit("container", "destroy", c.id, containerAttributes(c))
  }

  const containerNetworks = (c: ContainerRecord) => ({ ...c.networks })

  const containerSummary = (c: ContainerRecord): Wire<typeof Schemas.ContainerSummary> => ({
    Id: c.id,
    Names: [c.name],
    Image: c.image,
    ImageID: c.imageId,
    Command: c.args.length === 0
      ? c.path
      : `${c.path} ${c.args.map((arg) => arg.includes(" ") ? `'${arg}'` : arg).join(" ")}`,
    Created: unixSeconds(c.created),
    Ports: [],
    Labels: c.config.Labels ?? {},
    State: c.state.status,
    Status: statusText(c),
    HostConfig: { NetworkMode: c.hostConfig.NetworkMode ?? "default" },
    NetworkSettings: { Networks: containerNetworks(c) },
    Mounts: c.mounts
  })

  const containerInspect = (c: ContainerRecord): Wire<typeof Schemas.ContainerInspectResponse> & {
    NetworkSettings: Record<string, unknown>
  } => ({
    Id: c.id,
    Created: rfc3339(c.created),
    Path: c.path,
    Args: c.args,
    State: {
      Status: c.state.status,
      Running: running(c),
      Paused: c.state.status === "paused",
      Restarting: false,
      OOMKilled: false,
      Dead: c.state.status === "dead",
      Pid: c.state.pid,
      ExitCode: c.state.exitCode,
      Error: "",
      StartedAt: rfc3339(c.state.startedAt),
      FinishedAt: rfc3339(c.state.finishedAt)
    },
    Image: c.imageId,
    ResolvConfPath: "",
    HostnamePath: "",
    HostsPath: "",
    LogPath: "",
    Name: c.name,
    RestartCount: c.restartCount,
    Driver: "vfs",
    Platform: "linux",
    MountLabel: "",
    ProcessLabel: "",
    AppArmorProfile: "",
    ExecIDs: c.execIds.length === 0 ? null : c.execIds,
    HostConfig: c.hostConfig,
    GraphDriver: { Data: null as unknown as Record<string, string>, Name: "vfs" },
    Mounts: c.mounts,
    Config: c.config,
    NetworkSettings: {
      Bridge: "",
      SandboxID: "",
      HairpinMode: false,
      LinkLocalIPv6Address: "",
      LinkLocalIPv6PrefixLen: 0,
      Ports: {},
      SandboxKey: "",
      SecondaryIPAddresses: null,
      SecondaryIPv6Addresses: null,
      EndpointID: "",
      Gateway: "",
      GlobalIPv6Address: "",
      GlobalIPv6PrefixLen: 0,
      IPAddress: "",
      IPPrefixLen: 0,
      IPv6Gateway: "",
      MacAddress: "",
      Networks: containerNetworks(c)
    }
  })

  const endpoint = (networkId: string): Wire<typeof Schemas.EndpointSettings> => ({
    IPAMConfig: null,
    Links: null,
    Aliases: null,
    NetworkID: networkId,
    EndpointID: "",
    Gateway: "",
    IPAddress: "",
    IPPrefixLen: 0,
    IPv6Gateway: "",
    GlobalIPv6Address: "",
    GlobalIPv6PrefixLen: 0,
    MacAddress: "",
    DriverOpts: null
  })

  const hostConfigDefaults = (given: Wire<typeof Schemas.HostConfig> | null | undefined) => ({
    Binds: null,
    ContainerIDFile: "",
    LogConfig: { Type: "json-file", Config: {} },
    NetworkMode: "default",
    PortBindings: {},
    RestartPolicy: { Name: "no", MaximumRetryCount: 0 },
    AutoRemove: false,
    VolumeDriver: "",
    VolumesFrom: null,
    CapAdd: null,
    CapDrop: null,
    CgroupnsMode: "host",
    Dns: [],
    DnsOptions: [],
    DnsSearch: [],
    ExtraHosts: null,
    GroupAdd: null,
    IpcMode: "private",
    Cgroup: "",
    Links: null,
    OomScoreAdj: 0,
    PidMode: "",
    Privileged: false,
    PublishAllPorts: false,
    ReadonlyRootfs: false,
    SecurityOpt: null,
    UTSMode: "",
    UsernsMode: "",
    ShmSize: 67108864,
    Runtime: "runc",
    ConsoleSize: [0, 0],
    Isolation: "",
    CpuShares: 0,
    Memory: 0,
    NanoCpus: 0,
    CgroupParent: "",
    BlkioWeight: 0,
    BlkioWeightDevice: [],
    BlkioDeviceReadBps: [],
    BlkioDeviceWriteBps: [],
    BlkioDeviceReadIOps: [],
    BlkioDeviceWriteIOps: [],
    CpuPeriod: 0,
    CpuQuota: 0,
    CpuRealtimePeriod: 0,
    CpuRealtimeRuntime: 0,
    CpusetCpus: "",
    CpusetMems: "",
    Devices: [],
    DeviceCgroupRules: null,
    DeviceRequests: null,
    KernelMemory: 0,
    KernelMemoryTCP: 0,
    MemoryReservation: 0,
    MemorySwap: 0,
    MemorySwappiness: null,
    OomKillDisable: false,
    PidsLimit: null,
    Ulimits: [],
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
    MaskedPaths: [
      "/proc/asound",
      "/proc/acpi",
      "/proc/kcore",
      "/proc/keys",
      "/proc/latency_stats",
      "/proc/timer_list",
      "/proc/timer_stats",
      "/proc/sched_debug",
      "/proc/scsi",
      "/sys/firmware"
    ],
    ReadonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
    ...Object.fromEntries(Object.entries(given ?? {}).filter(([, value]) => value !== undefined && value !== null))
  } as Wire<typeof Schemas.HostConfig>)

  /** The engine's refusal of a container name it does not allow. */
  const invalidName = (name: string) =>
    /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(name)
      ? undefined
      : fail(400, `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`)

  /** The engine's refusal of a name (`/name`) another container than `self` has. */
  const nameTaken = (fullName: string, self?: ContainerRecord) => {
    const other = [...containers.values()].find((c) => c.name === fullName && c !== self)
    return other === undefined ? undefined : fail(
      409,
      `Conflict. The container name "${fullName}" is already in use by container "${other.id}". ` +
        "You have to remove (or rename) that container to be able to reuse that name."
    )
  }

  const createContainer = (name: string | null, body: typeof Schemas.ContainerCreateBody.Type) => {
    const refused = name === null ? undefined : invalidName(name)
    if (refused !== undefined) return refused
    const imageName = body.Image ?? ""
    const image = findImage(imageName)
    if (image === undefined) return fail(404, `No such image: ${normalizeReference(imageName)}`)
    let finalName = name === null ? undefined : `/${name.replace(/^\//, "")}`
    const taken = finalName === undefined ? undefined : nameTaken(finalName)
    if (taken !== undefined) return taken
    while (finalName === undefined || nameTaken(finalName) !== undefined) {
      const pick = <A>(xs: ReadonlyArray<A>) => xs[Math.floor(Math.random() * xs.length)]!
      finalName = `/${pick(adjectives)}_${pick(scientists)}`
    }
    const hostConfig = hostConfigDefaults(body.HostConfig as Wire<typeof Schemas.HostConfig> | undefined)
    const networkMode = hostConfig.NetworkMode ?? "default"
    const networkName = networkMode === "default" ? "bridge" : networkMode
    const network = findNetwork(networkName)
    if (network === undefined && networkMode !== "default") return fail(404, `network ${networkName} not found`)
    const id = randomHex(32)
    const entrypoint = body.Entrypoint ?? image.definition.entrypoint ?? []
    const cmd = body.Cmd ?? (body.Entrypoint === undefined ? image.definition.cmd ?? [] : [])
    const command = [...entrypoint, ...cmd]
    if (command.length === 0) return fail(400, "No command specified")
    const mounts: Array<Wire<typeof Schemas.MountPoint>> = []
    for (const bind of hostConfig.Binds ?? []) {
      const [source = "", destination = "", mode = ""] = bind.split(":")
      if (source.startsWith("/")) {
        mounts.push({
          Type: "bind",
          Source: source,
          Destination: destination,
          Mode: mode,
          RW: mode !== "ro",
          Propagation: "rprivate"
        })
      } else {
        const volume = volumes.get(source) ?? createVolume({ Name: source })
        mounts.push({
          Type: "volume",
          Name: volume.name,
          Source: mountpoint(volume.name),
          Destination: destination,
          Driver: volume.driver,
          Mode: mode === "" ? "z" : mode,
          RW: mode !== "ro",
          Propagation: ""
        })
      }
    }
    const labels = { ...(image.definition.labels ?? {}), ...(body.Labels ?? {}) }
    const config: Wire<typeof Schemas.ContainerConfig> = {
      Hostname: body.Hostname === undefined || body.Hostname === "" ? id.slice(0, 12) : body.Hostname,
      Domainname: body.Domainname ?? "",
      User: body.User ?? "",
      AttachStdin: body.AttachStdin ?? false,
      AttachStdout: body.AttachStdout ?? false,
      AttachStderr: body.AttachStderr ?? false,
      Tty: body.Tty ?? false,
      OpenStdin: body.OpenStdin ?? false,
      StdinOnce: body.StdinOnce ?? false,
      Env: image.definition.env === undefined && body.Env === undefined
        ? null
        : [...(image.definition.env ?? []), ...(body.Env ?? [])],
      Cmd: cmd.length === 0 ? null : cmd,
      Image: imageName,
      Volumes: null,
      WorkingDir: body.WorkingDir ?? image.definition.workingDir ?? "",
      Entrypoint: entrypoint.length === 0 ? null : entrypoint,
      OnBuild: null,
      Labels: labels
    }
    const record: ContainerRecord = {
      id,
      name: finalName,
      created: new Date(),
      image: imageName,
      imageId: image.id,
      path: command[0]!,
      args: command.slice(1),
      config,
      hostConfig,
      mounts,
      networks: network === undefined ? {} : { [network.name]: endpoint(network.predefined ? "" : network.id) },
      state: { status: "created", pid: 0, exitCode: 0, startedAt: undefined, finishedAt: undefined },
      log: [],
      execIds: [],
      restartCount: 0
    }
    containers.set(id, record)
    emit("container", "create", id, containerAttributes(record))
    return record
  }

  const listContainers = (query: URLSearchParams) => {
    const filters = parseFilters(query.get("filters"))
    const all = truthy(query.get("all"))
    const limit = Number(query.get("limit") ?? -1)
    const matches = [...containers.values()].filter((c) =>
      (all || filters.status !== undefined || running(c)) &&
      (filters.status === undefined || filters.status.includes(c.state.status)) &&
      (filters.label === undefined || matchesLabels(c.config.Labels, filters.label)) &&
      (filters.name === undefined || filters.name.some((name) => new RegExp(name).test(c.name))) &&
      (filters.id === undefined || filters.id.some((id) => c.id.startsWith(id))) &&
      (filters.exited === undefined ||
        (c.state.status === "exited" && filters.exited.includes(String(c.state.exitCode)))) &&
      (filters.ancestor === undefined || filters.ancestor.some((name) => findImage(name)?.id === c.imageId))
    ).sort((a, b) => b.created.getTime() - a.created.getTime())
    return (limit > 0 ? matches.slice(0, limit) : matches).map(containerSummary)
  }

  const logStream = (c: ContainerRecord, query: URLSearchParams): Stream.Stream<Uint8Array> => {
    const stdout = truthy(query.get("stdout"))
    const stderr = truthy(query.get("stderr"))
    const since = Number(query.get("since") ?? 0)
    const untilSeconds = Number(query.get("until") ?? 0)
    const timestamps = truthy(query.get("timestamps"))
    const tail = query.get("tail")
    const tty = c.config.Tty ?? false
    const pick = (lines: ReadonlyArray<LogLine>) =>
      lines.filter((line) =>
        (line.stream === "stdout" ? stdout : stderr) &&
        line.time.getTime() / 1000 >= since &&
        (untilSeconds === 0 || line.time.getTime() / 1000 < untilSeconds)
      )
    const render = (line: LogLine) => {
      const data = timestamps ? concatBytes(encoder.encode(`${rfc3339(line.time)} `), line.data) : line.data
      return tty ? data : frame(line.stream, data)
    }
    // As the engine does: the tail counts the lines of both streams, then the streams are picked.
    const lines = tail === null || tail === "all" ? c.log : c.log.slice(Math.max(0, c.log.length - Number(tail)))
    const first = Stream.fromIterable(pick(lines).map(render))
    if (!truthy(query.get("follow"))) return first
    // Follow: what is written after the request, until the container stops or is removed.
    let seen = c.log.length
    const next = until(() => {
      if (c.log.length > seen) {
        const lines = c.log.slice(seen)
        seen = c.log.length
        return { lines, done: false }
      }
      return running(c) && containers.has(c.id) ? undefined : { lines: [], done: true }
    })
    const rest = Stream.repeatEffectOption(
      Effect.flatMap(next, ({ done, lines }) =>
        done && lines.length === 0
          ? Effect.fail(Option.none())
          : Effect.succeed(pick(lines).map(render)))
    ).pipe(Stream.flattenIterables)
    return Stream.concat(first, rest)
  }

  // Networks

  const createNetwork = (
    name: string,
    driver: string,
    labels: Readonly<Record<string, string>>,
    extra: { internal?: boolean; attachable?: boolean; options?: Readonly<Record<string, string>> } = {},
    predefined = false
  ) => {
    const record: NetworkRecord = {
      id: randomHex(32),
      name,
      driver,
      created: new Date(),
      labels,
      internal: extra.internal ?? false,
      attachable: extra.attachable ?? false,
      options: extra.options ?? {},
      predefined,
      subnet: driver === "bridge" ? nextSubnet++ : undefined
    }
    networks.set(record.id, record)
    return record
  }

  createNetwork("bridge", "bridge", {}, {}, true)
  createNetwork("host", "host", {}, {}, true)
  createNetwork("none", "null", {}, {}, true)

  const findNetwork = (name: string) => {
    const byId = networks.get(name)
    if (byId !== undefined) return byId
    for (const n of networks.values()) if (n.name === name) return n
    const matches = [...networks.values()].filter((n) => n.id.startsWith(name))
    return matches.length === 1 ? matches[0] : undefined
  }

  const networkJson = (n: NetworkRecord): Wire<typeof Schemas.NetworkInspect> => ({
    Name: n.name,
    Id: n.id,
    Created: rfc3339(n.created),
    Scope: "local",
    Driver: n.driver,
    EnableIPv6: false,
    IPAM: {
      Driver: "default",
      Options: null,
      Config: n.subnet === undefined ? [] : [{ Subnet: `172.${n.subnet}.0.0/16`, Gateway: `172.${n.subnet}.0.1` }]
    },
    Internal: n.internal,
    Attachable: n.attachable,
    Ingress: false,
    ConfigFrom: { Network: "" },
    ConfigOnly: false,
    Containers: {},
    Options: n.options,
    Labels: n.labels
  })

  // Volumes

  const mountpoint = (name: string) => `/var/lib/docker/volumes/${name}/_data`

  const createVolume = (body: typeof Schemas.VolumeCreateRequest.Type) => {
    const name = body.Name === undefined || body.Name === "" ? randomHex(32) : body.Name
    const existing = volumes.get(name)
    if (existing !== undefined) return existing
    const record: VolumeRecord = {
      name,
      driver: body.Driver ?? "local",
      created: new Date(),
      labels: body.Labels === undefined || Object.keys(body.Labels).length === 0 ? null : body.Labels,
      options: body.DriverOpts === undefined || Object.keys(body.DriverOpts).length === 0 ? null : body.DriverOpts
    }
    volumes.set(name, record)
    emit("volume", "create", name, { driver: record.driver })
    return record
  }

  const volumeJson = (v: VolumeRecord): Wire<typeof Schemas.Volume> => ({
    CreatedAt: v.created.toISOString().replace(/\.\d+Z$/, "Z"),
    Driver: v.driver,
    Labels: v.labels,
    Mountpoint: mountpoint(v.name),
    Name: v.name,
    Options: v.options,
    Scope: "local"
  })

  const volumeUsers = (name: string) =>
    [...containers.values()].filter((c) => c.mounts.some((m) => m.Type === "volume" && m.Name === name))

  // Exec

  const execInspect = (e: ExecRecord): Wire<typeof Schemas.ExecInspectResponse> => ({
    ID: e.id,
    Running: e.running,
    ExitCode: e.exitCode,
    ProcessConfig: {
      tty: e.tty,
      entrypoint: e.cmd[0] ?? "",
      arguments: e.cmd.slice(1),
      privileged: false
    },
    OpenStdin: e.attachStdin,
    OpenStderr: e.attachStderr,
    OpenStdout: e.attachStdout,
    CanRemove: false,
    ContainerID: e.containerId,
    DetachKeys: "",
    Pid: e.pid
  })

  const runExec = (e: ExecRecord, c: ContainerRecord): Uint8Array => {
    const script = options.exec?.(info(c), e.cmd)
    const parts: Array<Uint8Array> = []
    for (const { data, stream } of script?.output ?? []) {
      const bytes = typeof data === "string" ? encoder.encode(data) : data
      if (stream === "stdout" ? !e.attachStdout : !e.attachStderr) continue
      parts.push(e.tty ? bytes : frame(stream, bytes))
    }
    e.running = false
    e.exitCode = script?.exit ?? 0
    emit("container", "exec_die", c.id, containerAttributes(c, { execID: e.id, exitCode: String(e.exitCode) }))
    return DockerEngine.concat(parts)
  }

  // Routes

  const serverVersion = {
    Version: "20.10.24",
    ApiVersion: "1.41",
    MinAPIVersion: "1.12",
    GitCommit: "fake",
    GoVersion: "go1.19.8",
    Os: "linux",
    Arch: "amd64",
    KernelVersion: "",
    BuildTime: "2026-01-01T00:00:00.000000000+00:00",
    ...options.version
  }
  const version: Wire<typeof Schemas.SystemVersion> = {
    Platform: { Name: "" },
    Components: [{
      Name: "Engine",
      Version: serverVersion.Version,
      Details: {
        ApiVersion: serverVersion.ApiVersion,
        Arch: serverVersion.Arch,
        BuildTime: serverVersion.BuildTime,
        Experimental: "false",
        GitCommit: serverVersion.GitCommit,
        GoVersion: serverVersion.GoVersion,
        KernelVersion: serverVersion.KernelVersion,
        MinAPIVersion: serverVersion.MinAPIVersion,
        Os: serverVersion.Os
      }
    }],
    ...serverVersion
  }

  const pingHeaders = {
    "Api-Version": "1.41",
    "Docker-Experimental": "false",
    "Ostype": "linux",
    "Cache-Control": "no-cache, no-store, must-revalidate",
    "Pragma": "no-cache"
  }

  type Answer = MockTransport.Reply | EngineFailure | Effect.Effect<MockTransport.Reply | EngineFailure>

  const withBody = <A, I>(
    schema: Schema.Schema<A, I>,
    request: MockTransport.RecordedRequest,
    f: (body: A) => Answer
  ): Answer => Either.match(decodeBody(schema, request.text), { onLeft: (e) => e, onRight: f })

  const withContainer = (name: string, f: (c: ContainerRecord) => Answer): Answer => {
    const found = findContainer(name)
    return found instanceof EngineFailure ? found : f(found)
  }

  const notRunning = (c: ContainerRecord) => fail(409, `Container ${c.id} is not running`)

  const route = (request: MockTransport.RecordedRequest): Answer => {
    const path = request.path.replace(/^\/v\d+\.\d+/, "")
    const parts = path.split("/").slice(1).map(decodeURIComponent)
    const { method, query } = request
    const [group, a, b] = parts
    const at = (m: string, ...shape: Array<string | undefined>) =>
      method === m && parts.length === shape.length && shape.every((s, i) => s === undefined || s === parts[i])

    // System
    if (at("GET", "_ping") || at("HEAD", "_ping")) {
      return {
        status: 200,
        headers: { ...pingHeaders, "Content-Type": "text/plain; charset=utf-8" },
        body: method === "HEAD" ? "" : "OK"
      }
    }
    if (at("GET", "version")) return json(version)
    if (at("GET", "info")) {
      const list = [...containers.values()]
      return json({
        ID: "FAKE",
        Containers: list.length,
        ContainersRunning: list.filter((c) => c.state.status === "running").length,
        ContainersPaused: list.filter((c) => c.state.status === "paused").length,
        ContainersStopped: list.filter((c) => !running(c)).length,
        Images: images.size,
        Driver: "vfs",
        OperatingSystem: "effect-docker FakeEngine",
        OSType: "linux",
        Architecture: "x86_64",
        ServerVersion: version.Version,
        Name: "fake-engine",
        Labels: []
      })
    }
    if (at("GET", "events")) {
      const filters = parseFilters(query.get("filters"))
      const since = Number(query.get("since") ?? Number.NaN)
      const untilTime = Number(query.get("until") ?? Number.NaN)
      const accept = (event: Wire<typeof Schemas.EventMessage>) =>
        (filters.type === undefined || filters.type.includes(event.Type ?? "")) &&
        (filters.event === undefined || filters.event.includes(event.Action ?? "")) &&
        (filters.container === undefined ||
          (event.Type === "container" &&
            filters.container.some((name) =>
              event.Actor?.ID?.startsWith(name) || event.Actor?.Attributes?.name === name
            ))) &&
        (filters.label === undefined || matchesLabels(event.Actor?.Attributes, filters.label))
      const line = (event: Wire<typeof Schemas.EventMessage>) => encoder.encode(JSON.stringify(event) + "\n")
      const past = Number.isNaN(since) ? [] : events.filter((e) => (e.time ?? 0) >= since)
      let seen = events.length
      const pastLines = Stream.fromIterable(
        past.filter((e) => accept(e) && (Number.isNaN(untilTime) || (e.time ?? 0) <= untilTime)).map(line)
      )
      if (!Number.isNaN(untilTime) && untilTime * 1000 <= Date.now()) {
        return { status: 200, headers: { "Content-Type": "application/json" }, body: pastLines }
      }
      const fresh = Stream.repeatEffect(until(() => {
        if (events.length === seen) return undefined
        const fresh = events.slice(seen)
        seen = events.length
        return fresh
      })).pipe(Stream.flattenIterables, Stream.filter(accept), Stream.map(line))
      const live = Number.isNaN(untilTime)
        ? fresh
        : Stream.interruptWhen(fresh, wallClockSleep(untilTime * 1000 - Date.now()))
      return { status: 200, headers: { "Content-Type": "application/json" }, body: Stream.concat(pastLines, live) }
    }

    // Containers
    if (group === "containers") {
      if (at("GET", "containers", "json")) return json(listContainers(query))
      if (at("POST", "containers", "create")) {
        return withBody(Schemas.ContainerCreateBody, request, (body) => {
          const created = createContainer(query.get("name"), body)
          return created instanceof EngineFailure ? created : json({ Id: created.id, Warnings: [] }, 201)
        })
      }
      if (a === undefined) return fail(404, "page not found")
      if (at("GET", "containers", a, "json")) return withContainer(a, (c) => json(containerInspect(c)))
      if (at("POST", "containers", a, "start")) {
        return withContainer(a, (c) => {
          if (running(c)) return MockTransport.empty(304)
          startContainer(c)
          return MockTransport.empty()
        })
      }
      if (at("POST", "containers", a, "stop")) {
        return withContainer(a, (c) => {
          if (!running(c)) return MockTransport.empty(304)
          stopContainer(c)
          return MockTransport.empty()
        })
      }
      if (at("POST", "containers", a, "restart")) {
        return withContainer(a, (c) => {
          if (running(c)) stopContainer(c)
          startContainer(c)
          emit("container", "restart", c.id, containerAttributes(c))
          return MockTransport.empty()
        })
      }
      if (at("POST", "containers", a, "kill")) {
        return withContainer(a, (c) => {
          if (!running(c)) return fail(409, `Cannot kill container: ${a}: Container ${c.id} is not running`)
          const signal = query.get("signal") ?? "SIGKILL"
          const numbers: Record<string, number> = {
            SIGKILL: 9,
            KILL: 9,
            SIGTERM: 15,
            TERM: 15,
            SIGINT: 2,
            INT: 2,
            SIGHUP: 1,
            HUP: 1
          }
          const number = /^\d+$/.test(signal) ? Number(signal) : numbers[signal.toUpperCase()]
          if (number === undefined) return fail(400, `Invalid signal: ${signal}`)
          emit("container", "kill", c.id, containerAttributes(c, { signal: String(number) }))
          finish(c, 128 + number)
          return MockTransport.empty()
        })
      }
      if (at("POST", "containers", a, "pause") || at("POST", "containers", a, "unpause")) {
        return withContainer(a, (c) => {
          const pause = b === "pause"
          if (!running(c)) return notRunning(c)
          if (pause && c.state.status === "paused") return fail(409, `Container ${c.id} is already paused`)
          if (!pause && c.state.status !== "paused") return fail(409, `Container ${c.id} is not paused`)
          c.state.status = pause ? "paused" : "running"
          emit("container", pause ? "pause" : "unpause", c.id, containerAttributes(c))
          return MockTransport.empty()
        })
      }
      if (at("POST", "containers", a, "rename")) {
        return withContainer(a, (c) => {
          const name = query.get("name") ?? ""
          const refused = invalidName(name) ?? nameTaken(`/${name}`, c)
          if (refused !== undefined) return refused
          const oldName = c.name
          c.name = `/${name}`
          emit("container", "rename", c.id, containerAttributes(c, { oldName }))
          return MockTransport.empty()
        })
      }
      if (at("POST", "containers", a, "wait")) {
        return withContainer(a, (c) => {
          const condition = query.get("condition") ?? "not-running"
          if (!["not-running", "next-exit", "removed"].includes(condition)) {
            return fail(400, `invalid condition: "${condition}"`)
          }
          const exitsSeen = c.state.finishedAt
          const done = () => {
            if (condition === "removed") return containers.has(c.id) ? undefined : c
            if (condition === "next-exit") return c.state.finishedAt !== exitsSeen && !running(c) ? c : undefined
            return running(c) ? undefined : c
          }
          // As the engine does: headers at once (the docker CLI waits for them before it starts
          // the container), the body when the condition is met.
          return {
            status: 200,
            headers: { "Content-Type": "application/json" },
            body: Stream.fromEffect(
              Effect.map(
                until(done),
                (ended) => encoder.encode(JSON.stringify({ Error: null, StatusCode: ended.state.exitCode }) + "\n")
              )
            )
          }
        })
      }
      if (at("DELETE", "containers", a)) {
        return withContainer(a, (c) => {
          if (running(c) && !truthy(query.get("force"))) {
            return fail(
              409,
              `You cannot remove a running container ${c.id}. Stop the container before attempting removal or force remove`
            )
          }
          if (running(c)) {
            emit("container", "kill", c.id, containerAttributes(c, { signal: "9" }))
            finish(c, 137)
          }
          if (containers.has(c.id)) destroy(c)
          if (truthy(query.get("v"))) {
            for (const mount of c.mounts) {
              if (mount.Type === "volume" && typeof mount.Name === "string" && volumeUsers(mount.Name).length === 0) {
                volumes.delete(mount.Name)
                emit("volume", "destroy", mount.Name, { driver: "local" })
              }
            }
          }
          return MockTransport.empty()
        })
      }
      if (at("POST", "containers", a, "attach")) {
        // As the engine does: what the container writes from now on (and what it wrote, with
        // `logs`), until it stops; with `stream=0`, only what it wrote.
        return withContainer(a, (c) => {
          const replay = new URLSearchParams({
            stdout: query.get("stdout") ?? "",
            stderr: query.get("stderr") ?? "",
            tail: truthy(query.get("logs")) ? "all" : "0",
            follow: truthy(query.get("stream")) ? "1" : ""
          })
          const contentType = c.config.Tty
            ? "application/vnd.docker.raw-stream"
            : "application/vnd.docker.multiplexed-stream"
          return { status: 200, headers: { "Content-Type": contentType }, body: logStream(c, replay), hijack: true }
        })
      }
      if (at("GET", "containers", a, "logs")) {
        return withContainer(a, (c) => {
          if (!truthy(query.get("stdout")) && !truthy(query.get("stderr"))) {
            return fail(400, "Bad parameters: you must choose at least one stream")
          }
          return {
            status: 200,
            headers: {
              "Content-Type": c.config.Tty
                ? "application/vnd.docker.raw-stream"
                : "application/vnd.docker.multiplexed-stream"
            },
            body: logStream(c, query)
          }
        })
      }
      if (at("POST", "containers", a, "exec")) {
        return withContainer(a, (c) =>
          withBody(Schemas.ContainerExecBody, request, (body) => {
            if (c.state.status === "paused") {
              return fail(409, `Container ${c.id} is paused, unpause the container before exec`)
            }
            if (!running(c)) {
              return notRunning(c)
            }
            if (body.Cmd === undefined || body.Cmd.length === 0) return fail(400, "No exec command specified")
            const exec: ExecRecord = {
              id: randomHex(32),
              containerId: c.id,
              cmd: body.Cmd,
              tty: body.Tty ?? false,
              attachStdin: body.AttachStdin ?? false,
              attachStdout: body.AttachStdout ?? false,
              attachStderr: body.AttachStderr ?? false,
              running: false,
              exitCode: null,
              pid: 0
            }
            execs.set(exec.id, exec)
            c.execIds.push(exec.id)
            emit("container", `exec_create: ${exec.cmd.join(" ")}`, c.id, containerAttributes(c, { execID: exec.id }))
            return json({ Id: exec.id }, 201)
          }))
      }
      return fail(404, "page not found")
    }

    if (group === "exec" && a !== undefined) {
      const exec = execs.get(a)
      if (exec === undefined) return fail(404, `No such exec instance: ${a}`)
      if (at("GET", "exec", a, "json")) return json(execInspect(exec))
      if (at("POST", "exec", a, "resize")) return MockTransport.empty(201)
      if (at("POST", "exec", a, "start")) {
        return withBody(ExecStartBody, request, (body) => {
          const c = containers.get(exec.containerId)
          if (c === undefined || !running(c)) return fail(409, `Container ${exec.containerId} is not running`)
          if (exec.running || exec.exitCode !== null) return fail(409, `Error: Exec command ${exec.id} has already run`)
          exec.running = true
          exec.pid = nextPid++
          emit("container", `exec_start: ${exec.cmd.join(" ")}`, c.id, containerAttributes(c, { execID: exec.id }))
          const output = runExec(exec, c)
          if (body.Detach === true) return MockTransport.empty(200)
          const contentType = exec.tty
            ? "application/vnd.docker.raw-stream"
            : "application/vnd.docker.multiplexed-stream"
          return { status: 200, headers: { "Content-Type": contentType }, body: output, hijack: true }
        })
      }
      return fail(404, "page not found")
    }

    // Images
    if (group === "images") {
      if (at("GET", "images", "json")) {
        const filters = parseFilters(query.get("filters"))
        const references = filters.reference?.map(referencePattern)
        const list = [...images.values()].filter((image) =>
          (filters.label === undefined || matchesLabels(image.definition.labels, filters.label)) &&
          (filters.dangling === undefined || filters.dangling.includes(String(image.repoTags.length === 0)))
        ).sort((x, y) => (y.definition.created ?? 0) - (x.definition.created ?? 0))
        const summaries = list.map(imageSummary)
        if (references === undefined) return json(summaries)
        // As the engine does, a reference filter keeps only the tags that match it.
        return json(summaries.flatMap((summary) => {
          const tags = (summary.RepoTags ?? []).filter((tag) => references.some((pattern) => pattern.test(tag)))
          return tags.length === 0 ? [] : [{ ...summary, RepoTags: tags }]
        }))
      }
      if (at("POST", "images", "create")) {
        const fromImage = query.get("fromImage")
        if (fromImage === null) {
          return fail(400, "fromSrc and fromImage are not supported by the fake engine; give fromImage")
        }
        const tag = query.get("tag") ?? "latest"
        const reference = tag.startsWith("sha256:") ? `${fromImage}@${tag}` : `${fromImage}:${tag}`
        const wanted = normalizeReference(reference)
        const offered = (options.registry ?? []).find((image) => normalizeReference(image.reference) === wanted)
        if (offered === undefined) {
          return fail(404, `manifest for ${wanted} not found: manifest unknown: manifest unknown`)
        }
        const present = findImage(wanted)
        const record = addImage(offered)
        const layer = record.id.slice(7, 19)
        const progress = present?.id === record.id
          ? [
            { status: `Pulling from ${parseReference(wanted).repository}`, id: tag },
            { status: `Digest: ${record.id}` },
            { status: `Status: Image is up to date for ${wanted}` }
          ]
          : [
            { status: `Pulling from ${parseReference(wanted).repository}`, id: tag },
            { status: "Pulling fs layer", progressDetail: {}, id: layer },
            {
              status: "Downloading",
              progressDetail: { current: offered.size ?? 0, total: offered.size ?? 0 },
              id: layer
            },
            { status: "Download complete", progressDetail: {}, id: layer },
            {
              status: "Extracting",
              progressDetail: { current: offered.size ?? 0, total: offered.size ?? 0 },
              id: layer
            },
            { status: "Pull complete", progressDetail: {}, id: layer },
            { status: `Digest: ${record.id}` },
            { status: `Status: Downloaded newer image for ${wanted}` }
          ]
        emit("image", "pull", wanted, { name: parseReference(wanted).repository })
        return MockTransport.jsonLines(progress)
      }
      const name = parts.slice(1, parts.length - (method === "DELETE" ? 0 : 1)).join("/")
      if (method === "GET" && parts.at(-1) === "json") {
        const image = findImage(name)
        return image === undefined
          ? fail(404, `no such image: ${name}: No such image: ${name}`)
          : json(imageInspect(image))
      }
      if (method === "POST" && parts.at(-1) === "tag") {
        const image = findImage(name)
        if (image === undefined) return fail(404, `No such image: ${name}`)
        const repo = query.get("repo")
        if (repo === null || repo === "") return fail(400, "repository name must have at least one component")
        const tag = normalizeReference(`${repo}:${query.get("tag") || "latest"}`)
        for (const other of images.values()) removeTag(other, tag)
        image.repoTags.push(tag)
        emit("image", "tag", image.id, { name: tag })
        return MockTransport.empty(201)
      }
      if (method === "DELETE") {
        const image = findImage(name)
        if (image === undefined) return fail(404, `No such image: ${name}`)
        const force = truthy(query.get("force"))
        const tag = normalizeReference(name)
        const byTag = image.repoTags.includes(tag)
        if (byTag && image.repoTags.length > 1) {
          removeTag(image, tag)
          emit("image", "untag", image.id, { name: tag })
          return json([{ Untagged: tag }])
        }
        const user = [...containers.values()].find((c) => c.imageId === image.id)
        if (user !== undefined && !force) {
          return byTag
            ? fail(
              409,
              `conflict: unable to remove repository reference "${name}" (must force) - container ${
                user.id.slice(0, 12)
              } is using its referenced image ${image.id.slice(7, 19)}`
            )
            : fail(
              409,
              `conflict: unable to delete ${
                image.id.slice(7, 19)
              } (must be forced) - image is being used by stopped container ${user.id.slice(0, 12)}`
            )
        }
        if (!byTag && image.repoTags.length > 1 && !force) {
          return fail(
            409,
            `conflict: unable to delete ${
              image.id.slice(7, 19)
            } (must be forced) - image is referenced in multiple repositories`
          )
        }
        const untagged = image.repoTags.splice(0).map((t) => ({ Untagged: t }))
        images.delete(image.id)
        for (const t of untagged) emit("image", "untag", image.id, { name: t.Untagged })
        emit("image", "delete", image.id, { name: image.id })
        return json([...untagged, { Deleted: image.id }])
      }
      return fail(404, "page not found")
    }

    // Networks
    if (group === "networks") {
      if (at("GET", "networks")) {
        const filters = parseFilters(query.get("filters"))
        const list = [...networks.values()].filter((n) =>
          (filters.name === undefined || filters.name.some((name) => n.name.includes(name))) &&
          (filters.id === undefined || filters.id.some((id) => n.id.startsWith(id))) &&
          (filters.driver === undefined || filters.driver.includes(n.driver)) &&
          (filters.label === undefined || matchesLabels(n.labels, filters.label)) &&
          (filters.type === undefined || filters.type.includes(n.predefined ? "builtin" : "custom"))
        )
        return json(list.map(networkJson))
      }
      if (at("POST", "networks", "create")) {
        return withBody(Schemas.NetworkCreateBody, request, (body) => {
          // API 1.41 checks names only when asked (the docker CLI asks), and warns otherwise.
          const namesake = [...networks.values()].find((n) => n.name === body.Name)
          if (namesake !== undefined && body.CheckDuplicate === true) {
            return fail(409, `network with name ${body.Name} already exists`)
          }
          const driver = body.Driver ?? "bridge"
          if (!["bridge", "null", "host", "overlay", "macvlan", "ipvlan"].includes(driver)) {
            return fail(404, `plugin "${driver}" not found`)
          }
          const network = createNetwork(body.Name, driver, body.Labels ?? {}, {
            ...(body.Internal !== undefined ? { internal: body.Internal } : {}),
            ...(body.Attachable !== undefined ? { attachable: body.Attachable } : {}),
            ...(body.Options !== undefined ? { options: body.Options } : {})
          })
          emit("network", "create", network.id, { name: network.name, type: network.driver })
          const warning = namesake === undefined
            ? ""
            : `Network with name ${body.Name} (id : ${namesake.id}) already exists`
          return json({ Id: network.id, Warning: warning }, 201)
        })
      }
      if (a === undefined) return fail(404, "page not found")
      const network = findNetwork(a)
      if (network === undefined) return fail(404, `network ${a} not found`)
      if (at("GET", "networks", a)) return json(networkJson(network))
      if (at("DELETE", "networks", a)) {
        if (network.predefined) return fail(403, `${network.name} is a pre-defined network and cannot be removed`)
        const users = [...containers.values()].filter((c) => c.networks[network.name] !== undefined && running(c))
        if (users.length > 0) {
          return fail(
            403,
            `error while removing network: network ${network.name} id ${network.id} has active endpoints`
          )
        }
        networks.delete(network.id)
        emit("network", "destroy", network.id, { name: network.name, type: network.driver })
        return MockTransport.empty()
      }
      if (at("POST", "networks", a, "connect") || at("POST", "networks", a, "disconnect")) {
        const connect = b === "connect"
        return withBody(
          connect ? Schemas.NetworkConnectRequest : Schemas.NetworkDisconnectRequest,
          request,
          (body) =>
            withContainer(body.Container ?? "", (c) => {
              if (connect) {
                if (c.networks[network.name] !== undefined) {
                  return fail(403, `endpoint with name ${c.name.slice(1)} already exists in network ${network.name}`)
                }
                c.networks[network.name] = endpoint(network.id)
              } else {
                if (c.networks[network.name] === undefined) {
                  return fail(403, `container ${c.id} is not connected to network ${network.name}`)
                }
                delete c.networks[network.name]
              }
              emit("network", connect ? "connect" : "disconnect", network.id, {
                container: c.id,
                name: network.name,
                type: network.driver
              })
              return MockTransport.empty(200)
            })
        )
      }
      return fail(404, "page not found")
    }

    // Volumes
    if (group === "volumes") {
      if (at("GET", "volumes")) {
        const filters = parseFilters(query.get("filters"))
        const list = [...volumes.values()].filter((v) =>
          (filters.name === undefined || filters.name.some((name) => v.name.includes(name))) &&
          (filters.driver === undefined || filters.driver.includes(v.driver)) &&
          (filters.label === undefined || matchesLabels(v.labels, filters.label)) &&
          (filters.dangling === undefined || filters.dangling.includes(String(volumeUsers(v.name).length === 0)))
        )
        return json({ Volumes: list.map(volumeJson), Warnings: null })
      }
      if (at("POST", "volumes", "create")) {
        return withBody(Schemas.VolumeCreateRequest, request, (body) => json(volumeJson(createVolume(body)), 201))
      }
      if (a === undefined) return fail(404, "page not found")
      const volume = volumes.get(a)
      if (volume === undefined) return fail(404, `get ${a}: no such volume`)
      if (at("GET", "volumes", a)) return json(volumeJson(volume))
      if (at("DELETE", "volumes", a)) {
        const users = volumeUsers(a)
        if (users.length > 0 && !truthy(query.get("force"))) {
          return fail(409, `remove ${a}: volume is in use - [${users.map((c) => c.id).join(", ")}]`)
        }
        volumes.delete(a)
        emit("volume", "destroy", a, { driver: volume.driver })
        return MockTransport.empty()
      }
      return fail(404, "page not found")
    }

    return fail(404, "page not found")
  }

  const toReply = (answer: MockTransport.Reply | EngineFailure): MockTransport.Reply =>
    answer instanceof EngineFailure ? MockTransport.error(answer.status, answer.message) : answer

  return {
    handle: (request) => {
      const answer = route(request)
      return Effect.isEffect(answer) ? Effect.map(answer, toReply) : toReply(answer)
    }
  }
}

const concatBytes = (a: Uint8Array, b: Uint8Array) => DockerEngine.concat([a, b])

/**
 * The fake engine as a `DockerTransport` layer (in the same process, no socket), with
 * {@link FakeEngineService} and `MockTransport` (the requests it received).
 *
 * @since 0.1.0
 */
export const layer = (
  options: Options = {}
): Layer.Layer<DockerTransport | MockTransport.MockTransport | FakeEngineService> => {
  const engine = make(options)
  return Layer.merge(MockTransport.layer(engine.handle), Layer.succeed(FakeEngineService, engine))
}

/**
 * The `Docker` service on a fake engine.
 *
 * @since 0.1.0
 */
export const layerDocker = (
  options: Options = {}
): Layer.Layer<
  Docker.Docker | DockerEngine.DockerEngine | DockerTransport | MockTransport.MockTransport | FakeEngineService,
  DockerConfigError | DockerVersionError
> => Docker.layerOn(layer(options))
