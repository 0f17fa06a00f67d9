/**
 * A container record as the engine shows it: in lists, in inspect, and to the test's scripts.
 */
import type * as Schemas from "@effect-docker/client/Schemas"
import type * as FakeEngine from "../../FakeEngine.js"
import { type ContainerRecord, humanDuration, rfc3339, unixSeconds, type Wire } from "./wire.js"

export const running = (c: ContainerRecord) => c.state.status === "running" || c.state.status === "paused"

export const statusText = (c: ContainerRecord) => {
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

export const info = (c: ContainerRecord): FakeEngine.ProcessInfo => ({
  containerId: c.id,
  name: c.name.slice(1),
  image: c.image,
  cmd: [c.path, ...c.args],
  env: c.config.Env ?? [],
  tty: c.config.Tty ?? false,
  labels: c.config.Labels ?? {}
})

const containerNetworks = (c: ContainerRecord) => ({ ...c.networks })

/**
 * A host port for a binding that names none, as the engine picks one from its ephemeral range:
 * made from the container's id and the port, so that it stays the same while the container runs.
 */
const ephemeralPort = (id: string, key: string) => {
  let hash = 0
  for (const char of id + key) hash = (hash * 31 + char.charCodeAt(0)) >>> 0
  return 32768 + (hash % 28232)
}

/** The published ports of a running container, from its port bindings; none once it stops. */
const publishedPorts = (
  c: ContainerRecord
): Record<string, ReadonlyArray<{ readonly HostIp: string; readonly HostPort: string }>> => {
  if (!running(c)) return {}
  const bindings = (c.hostConfig.PortBindings ?? {}) as Record<
    string,
    ReadonlyArray<{ readonly HostIp?: string; readonly HostPort?: string }> | null
  >
  return Object.fromEntries(
    Object.entries(bindings).map(([key, list]) => [
      key,
      (list ?? []).map((binding) => ({
        HostIp: binding.HostIp || "0.0.0.0",
        HostPort: binding.HostPort || String(ephemeralPort(c.id, key))
      }))
    ])
  )
}

export const containerSummary = (c: ContainerRecord): Wire<typeof Schemas.ContainerSummary> => ({
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

export const containerInspect = (c: ContainerRecord): Wire<typeof Schemas.ContainerInspectResponse> & {
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
    Ports: publishedPorts(c),
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

/**
 * A new container's host configuration as the engine records it: its defaults, then what was given.
 * Docker 28 names the default network by its name and has no kernel memory limits (gone in API 1.42).
 */
export const hostConfigDefaults = (
  given: Wire<typeof Schemas.HostConfig> | null | undefined,
  apiVersion: FakeEngine.ApiVersion
) => ({
  Binds: null,
  ContainerIDFile: "",
  LogConfig: { Type: "json-file", Config: {} },
  NetworkMode: apiVersion === "1.41" ? "default" : "bridge",
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
  ...(apiVersion === "1.41" ? { KernelMemory: 0, KernelMemoryTCP: 0 } : {}),
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
  ...Object.fromEntries(
    Object.entries(given ?? {}).filter(([key, value]) =>
      value !== undefined && value !== null && !(apiVersion !== "1.41" && key === "NetworkMode" && value === "default")
    )
  )
} as Wire<typeof Schemas.HostConfig>)
