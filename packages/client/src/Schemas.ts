/**
 * Schemas of the Engine objects that the first operations send and receive.
 *
 * Decoding is tolerant in the ways real engines need: a field may be absent or `null` (engines
 * send `null` for empty lists and maps), and fields the schema does not know are dropped rather
 * than failing. Nested objects that no operation here shapes stay open records.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/** An optional field that may also arrive as `null`. */
const opt = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { nullable: true })

const StringList = Schema.Array(Schema.String)
const StringMap = Schema.Record({ key: Schema.String, value: Schema.String })
const OpenObject = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/**
 * A port of a container in a list.
 *
 * @since 0.1.0
 */
export const Port = Schema.Struct({
  IP: opt(Schema.String),
  PrivatePort: Schema.Number,
  PublicPort: opt(Schema.Number),
  Type: Schema.String
})

/**
 * A mount of a container.
 *
 * @since 0.1.0
 */
export const MountPoint = Schema.Struct({
  Type: opt(Schema.String),
  Name: opt(Schema.String),
  Source: opt(Schema.String),
  Destination: opt(Schema.String),
  Driver: opt(Schema.String),
  Mode: opt(Schema.String),
  RW: opt(Schema.Boolean),
  Propagation: opt(Schema.String)
})

/**
 * A container as `GET /containers/json` lists it.
 *
 * @since 0.1.0
 */
export const ContainerSummary = Schema.Struct({
  Id: Schema.String,
  Names: opt(StringList),
  Image: opt(Schema.String),
  ImageID: opt(Schema.String),
  Command: opt(Schema.String),
  Created: opt(Schema.Number),
  Ports: opt(Schema.Array(Port)),
  SizeRw: opt(Schema.Number),
  SizeRootFs: opt(Schema.Number),
  Labels: opt(StringMap),
  State: opt(Schema.String),
  Status: opt(Schema.String),
  HostConfig: opt(OpenObject),
  NetworkSettings: opt(OpenObject),
  Mounts: opt(Schema.Array(MountPoint))
})

/**
 * @since 0.1.0
 */
export type ContainerSummary = typeof ContainerSummary.Type

/**
 * @since 0.1.0
 */
export const ContainerSummaryList = Schema.Array(ContainerSummary)

/**
 * A container's state in its inspect data.
 *
 * @since 0.1.0
 */
export const ContainerState = Schema.Struct({
  Status: opt(Schema.String),
  Running: opt(Schema.Boolean),
  Paused: opt(Schema.Boolean),
  Restarting: opt(Schema.Boolean),
  OOMKilled: opt(Schema.Boolean),
  Dead: opt(Schema.Boolean),
  Pid: opt(Schema.Number),
  ExitCode: opt(Schema.Number),
  Error: opt(Schema.String),
  StartedAt: opt(Schema.String),
  FinishedAt: opt(Schema.String),
  Health: opt(OpenObject)
})

/**
 * The configuration of a container that does not depend on the host.
 *
 * @since 0.1.0
 */
export const ContainerConfig = Schema.Struct({
  Hostname: opt(Schema.String),
  Domainname: opt(Schema.String),
  User: opt(Schema.String),
  AttachStdin: opt(Schema.Boolean),
  AttachStdout: opt(Schema.Boolean),
  AttachStderr: opt(Schema.Boolean),
  ExposedPorts: opt(OpenObject),
  Tty: opt(Schema.Boolean),
  OpenStdin: opt(Schema.Boolean),
  StdinOnce: opt(Schema.Boolean),
  Env: opt(StringList),
  Cmd: opt(StringList),
  Healthcheck: opt(OpenObject),
  ArgsEscaped: opt(Schema.Boolean),
  Image: opt(Schema.String),
  Volumes: opt(OpenObject),
  WorkingDir: opt(Schema.String),
  Entrypoint: opt(StringList),
  NetworkDisabled: opt(Schema.Boolean),
  MacAddress: opt(Schema.String),
  OnBuild: opt(StringList),
  Labels: opt(StringMap),
  StopSignal: opt(Schema.String),
  StopTimeout: opt(Schema.Number),
  Shell: opt(StringList)
})

/**
 * @since 0.1.0
 */
export type ContainerConfig = typeof ContainerConfig.Type

/**
 * The body of `POST /containers/create`: the container's config, its `HostConfig` and its
 * `NetworkingConfig`, with the Engine's own field names.
 *
 * @since 0.1.0
 */
export interface ContainerCreateBody extends Partial<ContainerConfig> {
  readonly HostConfig?: Readonly<Record<string, unknown>>
  readonly NetworkingConfig?: Readonly<Record<string, unknown>>
}

/**
 * A container's inspect data (`GET /containers/{id}/json`).
 *
 * @since 0.1.0
 */
export const ContainerInspect = Schema.Struct({
  Id: Schema.String,
  Created: opt(Schema.String),
  Path: opt(Schema.String),
  Args: opt(StringList),
  State: opt(ContainerState),
  Image: opt(Schema.String),
  ResolvConfPath: opt(Schema.String),
  HostnamePath: opt(Schema.String),
  HostsPath: opt(Schema.String),
  LogPath: opt(Schema.String),
  Name: opt(Schema.String),
  RestartCount: opt(Schema.Number),
  Driver: opt(Schema.String),
  Platform: opt(Schema.String),
  MountLabel: opt(Schema.String),
  ProcessLabel: opt(Schema.String),
  AppArmorProfile: opt(Schema.String),
  ExecIDs: opt(StringList),
  HostConfig: opt(OpenObject),
  GraphDriver: opt(OpenObject),
  SizeRw: opt(Schema.Number),
  SizeRootFs: opt(Schema.Number),
  Mounts: opt(Schema.Array(MountPoint)),
  Config: opt(ContainerConfig),
  NetworkSettings: opt(OpenObject)
})

/**
 * @since 0.1.0
 */
export type ContainerInspect = typeof ContainerInspect.Type

/**
 * The answer of `POST /containers/create`.
 *
 * @since 0.1.0
 */
export const ContainerCreateResponse = Schema.Struct({
  Id: Schema.String,
  Warnings: opt(StringList)
})

/**
 * @since 0.1.0
 */
export type ContainerCreateResponse = typeof ContainerCreateResponse.Type

/**
 * The answer of `POST /containers/{id}/wait`.
 *
 * @since 0.1.0
 */
export const ContainerWaitResponse = Schema.Struct({
  StatusCode: Schema.Number,
  Error: opt(Schema.Struct({ Message: opt(Schema.String) }))
})

/**
 * @since 0.1.0
 */
export type ContainerWaitResponse = typeof ContainerWaitResponse.Type

/**
 * An image as `GET /images/json` lists it.
 *
 * @since 0.1.0
 */
export const ImageSummary = Schema.Struct({
  Id: Schema.String,
  ParentId: opt(Schema.String),
  RepoTags: opt(StringList),
  RepoDigests: opt(StringList),
  Created: opt(Schema.Number),
  Size: opt(Schema.Number),
  SharedSize: opt(Schema.Number),
  VirtualSize: opt(Schema.Number),
  Labels: opt(StringMap),
  Containers: opt(Schema.Number)
})

/**
 * @since 0.1.0
 */
export type ImageSummary = typeof ImageSummary.Type

/**
 * @since 0.1.0
 */
export const ImageSummaryList = Schema.Array(ImageSummary)

/**
 * An image's inspect data (`GET /images/{name}/json`).
 *
 * @since 0.1.0
 */
export const ImageInspect = Schema.Struct({
  Id: Schema.String,
  RepoTags: opt(StringList),
  RepoDigests: opt(StringList),
  Parent: opt(Schema.String),
  Comment: opt(Schema.String),
  Created: opt(Schema.String),
  Container: opt(Schema.String),
  DockerVersion: opt(Schema.String),
  Author: opt(Schema.String),
  Config: opt(ContainerConfig),
  Architecture: opt(Schema.String),
  Variant: opt(Schema.String),
  Os: opt(Schema.String),
  OsVersion: opt(Schema.String),
  Size: opt(Schema.Number),
  VirtualSize: opt(Schema.Number),
  GraphDriver: opt(OpenObject),
  RootFS: opt(OpenObject),
  Metadata: opt(OpenObject)
})

/**
 * @since 0.1.0
 */
export type ImageInspect = typeof ImageInspect.Type

/**
 * One entry of `DELETE /images/{name}`'s answer.
 *
 * @since 0.1.0
 */
export const ImageDeleteResponseItem = Schema.Struct({
  Untagged: opt(Schema.String),
  Deleted: opt(Schema.String)
})

/**
 * @since 0.1.0
 */
export type ImageDeleteResponseItem = typeof ImageDeleteResponseItem.Type

/**
 * @since 0.1.0
 */
export const ImageDeleteResponse = Schema.Array(ImageDeleteResponseItem)

/**
 * A component of the engine's version report.
 *
 * @since 0.1.0
 */
export const ComponentVersion = Schema.Struct({
  Name: Schema.String,
  Version: Schema.String,
  Details: opt(OpenObject)
})

/**
 * The answer of `GET /version`.
 *
 * @since 0.1.0
 */
export const SystemVersion = Schema.Struct({
  Platform: opt(Schema.Struct({ Name: Schema.String })),
  Components: opt(Schema.Array(ComponentVersion)),
  Version: Schema.String,
  ApiVersion: Schema.String,
  MinAPIVersion: opt(Schema.String),
  GitCommit: opt(Schema.String),
  GoVersion: opt(Schema.String),
  Os: opt(Schema.String),
  Arch: opt(Schema.String),
  KernelVersion: opt(Schema.String),
  Experimental: opt(Schema.Boolean),
  BuildTime: opt(Schema.String)
})

/**
 * @since 0.1.0
 */
export type SystemVersion = typeof SystemVersion.Type

/**
 * The answer of `GET /info` (its most used fields; the rest stay out of the way).
 *
 * @since 0.1.0
 */
export const SystemInfo = Schema.Struct({
  ID: opt(Schema.String),
  Containers: opt(Schema.Number),
  ContainersRunning: opt(Schema.Number),
  ContainersPaused: opt(Schema.Number),
  ContainersStopped: opt(Schema.Number),
  Images: opt(Schema.Number),
  Driver: opt(Schema.String),
  DockerRootDir: opt(Schema.String),
  MemoryLimit: opt(Schema.Boolean),
  SwapLimit: opt(Schema.Boolean),
  NCPU: opt(Schema.Number),
  MemTotal: opt(Schema.Number),
  Name: opt(Schema.String),
  Labels: opt(StringList),
  ServerVersion: opt(Schema.String),
  OperatingSystem: opt(Schema.String),
  OSType: opt(Schema.String),
  Architecture: opt(Schema.String),
  KernelVersion: opt(Schema.String),
  CgroupDriver: opt(Schema.String),
  CgroupVersion: opt(Schema.String),
  DefaultRuntime: opt(Schema.String),
  Swarm: opt(OpenObject),
  Warnings: opt(StringList)
})

/**
 * @since 0.1.0
 */
export type SystemInfo = typeof SystemInfo.Type

/**
 * One line of a pull's progress stream.
 *
 * @since 0.1.0
 */
export const ProgressEvent = Schema.Struct({
  id: opt(Schema.String),
  status: opt(Schema.String),
  progress: opt(Schema.String),
  progressDetail: opt(Schema.Struct({ current: opt(Schema.Number), total: opt(Schema.Number) })),
  error: opt(Schema.String),
  errorDetail: opt(Schema.Struct({ code: opt(Schema.Number), message: opt(Schema.String) }))
})

/**
 * @since 0.1.0
 */
export type ProgressEvent = typeof ProgressEvent.Type
