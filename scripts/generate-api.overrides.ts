import type { ResourceKind } from "../packages/client/src/DockerError.js"

/**
 * The generator's small, documented tables: what the specification cannot say by itself.
 */

/** Where each operation lives on the `Docker` service: `[group, method]`. */
export const groupOf: Record<string, readonly [string, string]> = {
  ContainerList: ["containers", "list"],
  ContainerCreate: ["containers", "create"],
  ContainerInspect: ["containers", "inspect"],
  ContainerTop: ["containers", "top"],
  ContainerLogs: ["containers", "logs"],
  ContainerChanges: ["containers", "changes"],
  ContainerExport: ["containers", "export"],
  ContainerStats: ["containers", "stats"],
  ContainerResize: ["containers", "resize"],
  ContainerStart: ["containers", "start"],
  ContainerStop: ["containers", "stop"],
  ContainerRestart: ["containers", "restart"],
  ContainerKill: ["containers", "kill"],
  ContainerUpdate: ["containers", "update"],
  ContainerRename: ["containers", "rename"],
  ContainerPause: ["containers", "pause"],
  ContainerUnpause: ["containers", "unpause"],
  ContainerAttach: ["containers", "attach"],
  ContainerAttachWebsocket: ["containers", "attachWebsocket"],
  ContainerWait: ["containers", "wait"],
  ContainerDelete: ["containers", "remove"],
  ContainerArchiveInfo: ["containers", "archiveInfo"],
  ContainerArchive: ["containers", "getArchive"],
  PutContainerArchive: ["containers", "putArchive"],
  ContainerPrune: ["containers", "prune"],
  ContainerExec: ["exec", "create"],
  ExecStart: ["exec", "session"],
  ExecResize: ["exec", "resize"],
  ExecInspect: ["exec", "inspect"],
  ImageList: ["images", "list"],
  ImageBuild: ["images", "build"],
  BuildPrune: ["build", "prune"],
  ImageCreate: ["images", "pull"],
  ImageInspect: ["images", "inspect"],
  ImageAttestations: ["images", "attestations"],
  ImageHistory: ["images", "history"],
  ImagePush: ["images", "push"],
  ImageTag: ["images", "tag"],
  ImageDelete: ["images", "remove"],
  ImageSearch: ["images", "search"],
  ImagePrune: ["images", "prune"],
  ImageCommit: ["images", "commit"],
  ImageGet: ["images", "get"],
  ImageGetAll: ["images", "get"],
  ImageLoad: ["images", "load"],
  SystemAuth: ["system", "auth"],
  SystemInfo: ["system", "info"],
  SystemVersion: ["system", "version"],
  SystemPing: ["system", "ping"],
  SystemPingHead: ["system", "pingHead"],
  SystemEvents: ["system", "events"],
  SystemDataUsage: ["system", "df"],
  VolumeList: ["volumes", "list"],
  VolumeCreate: ["volumes", "create"],
  VolumeInspect: ["volumes", "inspect"],
  VolumeUpdate: ["volumes", "update"],
  VolumeDelete: ["volumes", "remove"],
  VolumePrune: ["volumes", "prune"],
  NetworkList: ["networks", "list"],
  NetworkInspect: ["networks", "inspect"],
  NetworkDelete: ["networks", "remove"],
  NetworkCreate: ["networks", "create"],
  NetworkConnect: ["networks", "connect"],
  NetworkDisconnect: ["networks", "disconnect"],
  NetworkPrune: ["networks", "prune"],
  PluginList: ["plugins", "list"],
  GetPluginPrivileges: ["plugins", "privileges"],
  PluginPull: ["plugins", "pull"],
  PluginInspect: ["plugins", "inspect"],
  PluginDelete: ["plugins", "remove"],
  PluginEnable: ["plugins", "enable"],
  PluginDisable: ["plugins", "disable"],
  PluginUpgrade: ["plugins", "upgrade"],
  PluginCreate: ["plugins", "create"],
  PluginPush: ["plugins", "push"],
  PluginSet: ["plugins", "set"],
  NodeList: ["nodes", "list"],
  NodeInspect: ["nodes", "inspect"],
  NodeDelete: ["nodes", "remove"],
  NodeUpdate: ["nodes", "update"],
  SwarmInspect: ["swarm", "inspect"],
  SwarmInit: ["swarm", "init"],
  SwarmJoin: ["swarm", "join"],
  SwarmLeave: ["swarm", "leave"],
  SwarmUpdate: ["swarm", "update"],
  SwarmUnlockkey: ["swarm", "unlockKey"],
  SwarmUnlock: ["swarm", "unlock"],
  ServiceList: ["services", "list"],
  ServiceCreate: ["services", "create"],
  ServiceInspect: ["services", "inspect"],
  ServiceDelete: ["services", "remove"],
  ServiceUpdate: ["services", "update"],
  ServiceLogs: ["services", "logs"],
  TaskList: ["tasks", "list"],
  TaskInspect: ["tasks", "inspect"],
  TaskLogs: ["tasks", "logs"],
  SecretList: ["secrets", "list"],
  SecretCreate: ["secrets", "create"],
  SecretInspect: ["secrets", "inspect"],
  SecretDelete: ["secrets", "remove"],
  SecretUpdate: ["secrets", "update"],
  ConfigList: ["configs", "list"],
  ConfigCreate: ["configs", "create"],
  ConfigInspect: ["configs", "inspect"],
  ConfigDelete: ["configs", "remove"],
  ConfigUpdate: ["configs", "update"],
  DistributionInspect: ["distribution", "inspect"],
  Session: ["session", "start"]
}

/**
 * Operations whose answer (or request) is a stream: logs, attach, events, stats, archives, image
 * transfers and progress streams, exec start, session. They are written by hand on the engine's
 * streams (Multiplexed, Progress, hijacked connections), not generated as buffered calls.
 */
export const streamingOperations: ReadonlySet<string> = new Set([
  "ContainerLogs",
  "ContainerExport",
  "ContainerStats",
  "ContainerAttach",
  "ContainerAttachWebsocket",
  "ContainerArchiveInfo",
  "ContainerArchive",
  "PutContainerArchive",
  "ImageBuild",
  "ImageCreate",
  "ImagePush",
  "ImageGet",
  "ImageGetAll",
  "ImageLoad",
  "SystemEvents",
  "ExecStart",
  "ServiceLogs",
  "TaskLogs",
  "Session",
  "PluginPull",
  "PluginUpgrade",
  "PluginCreate",
  "PluginPush"
])

/** Option names where the wire name says little (`t`, `v`): `Operation.param` → option name. */
export const optionRenames: Record<string, string> = {
  "ContainerStop.t": "timeout",
  "ContainerRestart.t": "timeout",
  "ContainerDelete.v": "volumes",
  "ContainerTop.ps_args": "psArgs",
  "ImageCommit.container": "container",
  // The build's parameters are one lowercase word each on the wire.
  "ImageBuild.t": "tags",
  "ImageBuild.q": "quiet",
  "ImageBuild.extrahosts": "extraHosts",
  "ImageBuild.nocache": "noCache",
  "ImageBuild.cachefrom": "cacheFrom",
  "ImageBuild.rm": "removeIntermediate",
  "ImageBuild.forcerm": "forceRm",
  "ImageBuild.memswap": "memorySwap",
  "ImageBuild.cpushares": "cpuShares",
  "ImageBuild.cpusetcpus": "cpusetCpus",
  "ImageBuild.cpuperiod": "cpuPeriod",
  "ImageBuild.cpuquota": "cpuQuota",
  "ImageBuild.buildargs": "buildArgs",
  "ImageBuild.shmsize": "shmSize",
  "ImageBuild.networkmode": "networkMode"
}

/**
 * Option types other than the specification's, by `Operation.param`: lists the engine reads as
 * repeated parameters, values it reads as JSON (see {@link jsonParams}), numeric signals, and
 * booleans the specification calls strings.
 */
export const optionTypes: Record<string, string> = {
  "ImageBuild.t": "ReadonlyArray<string>",
  "ImageBuild.extrahosts": "ReadonlyArray<string>",
  "ImageBuild.cachefrom": "ReadonlyArray<string>",
  "ImageBuild.buildargs": "Readonly<Record<string, string>>",
  "ImageBuild.labels": "Readonly<Record<string, string>>",
  "ImageBuild.pull": "boolean",
  "PutContainerArchive.noOverwriteDirNonDir": "boolean",
  "PutContainerArchive.copyUIDGID": "boolean",
  "ContainerLogs.tail": "number | \"all\"",
  "ServiceLogs.tail": "number | \"all\"",
  "TaskLogs.tail": "number | \"all\"",
  "SystemEvents.since": "number | string",
  "SystemEvents.until": "number | string",
  "ContainerKill.signal": "string | number",
  "ContainerStop.signal": "string | number",
  "ContainerRestart.signal": "string | number"
}

/**
 * Parameters the engine reads as JSON-encoded OCI platforms: given as `Operation.Platform`
 * (`linux/arm64` or an object), sent encoded by `Operation.platform`.
 */
export const platformParams: ReadonlySet<string> = new Set([
  "ImageInspect.platform",
  "ImageHistory.platform",
  "ImagePush.platform",
  "ImageDelete.platforms",
  "ImageGet.platform",
  "ImageGetAll.platform",
  "ImageLoad.platform"
])

/**
 * Parameters that a public function sets from what it is (`statsStream` streams, `stats` does
 * not) or from a positional argument under another name, with the reason, for the coverage
 * report's "options complete".
 */
export const setByFunction: Record<string, string> = {
  "ContainerStats.stream": "stats sends false, statsStream true",
  "ContainerLogs.follow": "logs does not follow, logStream takes follow",
  "ServiceLogs.follow": "logs does not follow, logStream takes follow",
  "TaskLogs.follow": "logs does not follow, logStream takes follow",
  "ImageCreate.fromImage": "pull's image argument",
  "ImageCreate.fromSrc": "import sends its body (-)",
  "ImageBuild.version": "build's builder option: buildKitStream sends 2, buildStream 1",
  "ContainerAttachWebsocket.stream": "attachWebsocket streams: its output is live"
}

/** Other functions of an operation's group that send it too, with options of their own. */
export const alsoSentBy: Record<string, ReadonlyArray<string>> = {
  ContainerLogs: ["logStream"],
  ContainerStats: ["statsStream"],
  ImageCreate: ["pullStream", "import"],
  ImagePush: ["pushStream"],
  ImageBuild: ["buildStream", "buildKitStream"],
  ImageGet: ["save"],
  ServiceLogs: ["logStream"],
  TaskLogs: ["logStream"]
}

/** Parameters the engine reads as JSON: given as values, sent JSON-encoded. */
export const jsonParams: ReadonlySet<string> = new Set([
  "ImageBuild.cachefrom",
  "ImageBuild.buildargs",
  "ImageBuild.labels"
])

/** Parameters set by the hand-written code around a request, not by its caller. */
export const hiddenParams: ReadonlySet<string> = new Set([
  "ImageBuild.Content-type",
  // Registry transfers send the credentials of the image's registry (Progress.transfer).
  "ImageCreate.X-Registry-Auth",
  "ImagePush.X-Registry-Auth",
  "PluginPull.X-Registry-Auth",
  "PluginUpgrade.X-Registry-Auth"
])

/** What a 404 of each group means when the engine's message does not say (see DockerEngine). */
export const groupResource: Record<string, ResourceKind> = {
  containers: "container",
  images: "image",
  networks: "network",
  volumes: "volume",
  exec: "exec",
  nodes: "node",
  services: "service",
  tasks: "task",
  secrets: "secret",
  configs: "config",
  plugins: "plugin",
  swarm: "swarm",
  distribution: "image"
}

/**
 * Request timeouts (milliseconds, as code over the operation's `options`) for operations whose
 * answer takes as long as the engine's own wait: `0` waits as long as it takes.
 */
export const requestTimeouts: Record<string, string> = {
  ContainerWait: "0"
}

/**
 * How long the engine waits before it answers (milliseconds, as code over `options`), added to
 * the layer's request timeout: a stop waits up to `t` inside the engine, 10 seconds by default.
 */
export const engineWaits: Record<string, string> = {
  ContainerStop: "Operation.graceMillis(options.timeout, 10_000)",
  ContainerRestart: "Operation.graceMillis(options.timeout, 10_000)"
}

/**
 * The operations whose body has fields newer than API 1.41: the function of
 * `packages/client/src/internal/bodyVersions.ts` that lists them, with the version each needs.
 */
export const bodyVersions: Record<string, string> = {
  ContainerCreate: "containerCreate"
}

/**
 * Parameters in whole seconds that are options of Effect's `Duration.DurationInput` (`"10
 * seconds"`, like every duration option of the client), sent rounded up to whole seconds; the
 * value is the option's documentation.
 */
const durationNote = "a duration such as `\"10 seconds\"` (a number is milliseconds), rounded up to the whole " +
  "seconds the engine takes"
const stopGrace = `How long to wait before killing the container: ${durationNote}; infinite waits as long as it ` +
  "takes. Default: the container's `StopTimeout`, else 10 seconds."
export const durationSeconds: Record<string, string> = {
  "ContainerStop.t": stopGrace,
  "ContainerRestart.t": stopGrace,
  "PluginEnable.timeout": `How long the engine waits for the plugin to start: ${durationNote}.`
}

/**
 * Fields whose presence differs from the specification's `required` lists, by `Definition.Field`:
 * ids that every engine sends although the specification leaves them optional. (Required lists
 * and maps that engines send as `null` need no entry: they decode to empty ones.)
 */
export const fieldPresence: Record<string, "required" | "optional"> = {
  "ContainerSummary.Id": "required",
  "ContainerInspectResponse.Id": "required",
  "ImageInspect.Id": "required",
  "Network.Id": "required",
  "Node.ID": "required",
  "Service.ID": "required",
  "Task.ID": "required",
  "Secret.ID": "required",
  "Config.ID": "required",
  "ExecInspectResponse.ID": "required"
}

/**
 * Field types the specification gets wrong, by `Definition.Field`: a volume's `Status` is what its
 * driver reports, any JSON value per key (the Go SDK's `map[string]interface{}`); the
 * specification says objects, and a plugin driver reporting `{"label": "x"}` failed to decode.
 * A task's network attachment holds the swarm's network object (the Go SDK's `swarm.Network`:
 * `ID`, `Spec`, `DriverState`), not an engine's `Network` (`Id`, `Name`), which the specification
 * names: every task on an overlay network failed to decode.
 */
export const fieldTypes: Record<string, string> = {
  "Volume.Status": "Schema.Record({ key: Schema.String, value: Schema.Unknown })",
  "NetworkAttachment.Network": `Schema.Struct({
    ID: Schema.String,
    Version: optional(ObjectVersion),
    CreatedAt: optional(Schema.String),
    UpdatedAt: optional(Schema.String),
    Spec: optional(Schema.Struct({
      Name: optional(Schema.String),
      Labels: optional(Schema.Record({ key: Schema.String, value: Schema.String })),
      DriverConfiguration: optional(Driver),
      IPv6Enabled: optional(Schema.Boolean),
      Internal: optional(Schema.Boolean),
      Attachable: optional(Schema.Boolean),
      Ingress: optional(Schema.Boolean),
      Scope: optional(Schema.String)
    })),
    DriverState: optional(Driver),
    IPAMOptions: optional(Schema.Struct({
      Driver: optional(Driver),
      Configs: optional(Schema.Array(Schema.Struct({
        Subnet: optional(Schema.String),
        Range: optional(Schema.String),
        Gateway: optional(Schema.String)
      })))
    }))
  })`
}

/** Fields real engines send that the newest specification dropped, by definition. */
export const extraFields: Record<string, Record<string, string>> = {
  // Engines before 1.52 repeat errorDetail.message in a top-level `error` of progress lines;
  // image loads (and builds) report in `stream` ("Loaded image: busybox:latest").
  // Builds report the new image's id in `aux`.
  CreateImageInfo: {
    error: "optional(Schema.String)",
    stream: "optional(Schema.String)",
    aux: "optional(Schema.Struct({ ID: optional(Schema.String) }))"
  },
  PushImageInfo: { error: "optional(Schema.String)" },
  // Engines before 1.44 create a second network of the same name unless asked to check
  // (the docker CLI and docker-py ask); later engines always refuse a duplicate.
  NetworkCreateBody: { CheckDuplicate: "optional(Schema.Boolean)" },
  // Engines before 1.52 answer `GET /system/df` with these (deprecated in 1.52, gone later).
  SystemDataUsageResponse: {
    LayersSize: "optional(Schema.Number)",
    Images: "optional(Schema.Array(ImageSummary))",
    Containers: "optional(Schema.Array(ContainerSummary))",
    Volumes: "optional(Schema.Array(Volume))",
    BuildCache: "optional(Schema.Array(BuildCache))"
  }
}

const idFromID = `Schema.Union(
  IDResponse,
  Schema.transform(Schema.Struct({ ID: Schema.String }), IDResponse, {
    strict: true,
    decode: ({ ID }) => ({ Id: ID }),
    encode: ({ Id }) => ({ ID: Id })
  })
)`

/**
 * Response schemas replaced by operation. The specification says secrets and configs answer
 * creation with `{"Id": ...}`; engines (20.10 and later) send `{"ID": ...}`: accept both as `Id`.
 */
export const responseOverrides: Record<string, { name: string; expr: string; description: string }> = {
  SecretCreate: { name: "SecretCreateResponse", expr: idFromID, description: "The id of a created secret." },
  ConfigCreate: { name: "ConfigCreateResponse", expr: idFromID, description: "The id of a created config." }
}

/**
 * Operations the specification says answer with a body, whose engines answer with none: the
 * engine's plugin removal writes `200` and nothing else.
 */
export const voidResponses: ReadonlySet<string> = new Set(["PluginDelete"])

/**
 * Versions the CHANGELOG states in words the generator cannot match to the operation, by
 * `Operation in parameter`.
 */
export const sinceOverrides: Record<string, string> = {
  // "`POST /images/{name}/load` and `GET /images/{name}/get` now support a `platform` parameter"
  // (v1.48); `GET /images/get` got it with them.
  "ImageGetAll query parameter platform": "1.48"
}

/**
 * Parameters the engine reads that the specification does not list, by operation: moby's
 * container logs route reads `details` as the service and task logs routes do.
 */
export const extraParams: Record<
  string,
  ReadonlyArray<{ readonly name: string; readonly in: "query"; readonly type: string; readonly description: string }>
> = {
  ContainerLogs: [{
    name: "details",
    in: "query",
    type: "boolean",
    description: "Show extra details provided to logs (the attributes the log driver adds, `docker logs --details`)."
  }]
}
