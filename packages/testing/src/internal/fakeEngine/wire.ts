/**
 * The fake engine's records and the engine's wire conventions (ids, times, filters, errors) that
 * every route shares.
 */
import * as DockerEngine from "@effect-docker/client/DockerEngine"
import { parseReference } from "@effect-docker/client/Images"
import type * as Schemas from "@effect-docker/client/Schemas"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as FakeEngine from "../../FakeEngine.js"
import * as MockTransport from "../../MockTransport.js"

/**
 * A value as the engine sends it: the generated schema's encoded side, nulls and all. The
 * schemas follow the newest API; fields that API 1.41 still sends and later versions dropped
 * are added where they are used.
 */
export type Wire<S extends Schema.Schema.Any> = Schema.Schema.Encoded<S>

/** The body of `POST /exec/{id}/start`, which the generator leaves to the hand-written exec session. */
export const ExecStartBody = Schema.Struct({
  Detach: Schema.optional(Schema.Boolean),
  Tty: Schema.optional(Schema.Boolean),
  ConsoleSize: Schema.optional(Schema.NullOr(Schema.Array(Schema.Number)))
})

/** Container configuration fields of API 1.41 that the newest image config no longer has. */
export interface LegacyConfig {
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

export interface LogLine {
  readonly stream: "stdout" | "stderr"
  readonly data: Uint8Array
  readonly time: Date
}

export interface ContainerState {
  status: "created" | "running" | "paused" | "exited" | "dead"
  pid: number
  exitCode: number
  startedAt: Date | undefined
  finishedAt: Date | undefined
}

export interface ContainerRecord {
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

export interface ImageRecord {
  readonly id: string
  readonly repoTags: Array<string>
  readonly definition: FakeEngine.ImageDefinition
}

export interface ExecRecord {
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

export interface NetworkRecord {
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

export interface VolumeRecord {
  readonly name: string
  readonly driver: string
  readonly created: Date
  readonly labels: Readonly<Record<string, string>> | null
  readonly options: Readonly<Record<string, string>> | null
}

export const encoder = new TextEncoder()

export const randomHex = (bytes: number) =>
  Array.from(globalThis.crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("")

/** A stable id for a definition without one: the same reference gives the same id. */
export const idFor = (reference: string) => {
  let h1 = 0x811c9dc5
  let out = ""
  for (let round = 0; round < 8; round++) {
    for (const ch of `${round}:${reference}`) h1 = Math.imul(h1 ^ ch.charCodeAt(0), 0x01000193) >>> 0
    out += h1.toString(16).padStart(8, "0")
  }
  return `sha256:${out}`
}

export const zeroTime = "0001-01-01T00:00:00Z"
export const rfc3339 = (date: Date | undefined) =>
  date === undefined ? zeroTime : date.toISOString().replace(/\.(\d+)Z$/, ".$1000000Z")
export const unixSeconds = (date: Date) => Math.floor(date.getTime() / 1000)

/** Go's `units.HumanDuration`, which the engine's status strings use. */
export const humanDuration = (millis: number) => {
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

export const adjectives = ["brave", "calm", "eager", "fervent", "gifted", "happy", "jolly", "keen", "lucid", "quirky"]
export const scientists = ["curie", "darwin", "euler", "hopper", "lovelace", "noether", "pasteur", "ritchie", "turing"]

/** The engine's answer to a request it cannot serve. */
export class EngineFailure {
  constructor(readonly status: number, readonly message: string) {}
}

export const fail = (status: number, message: string) => new EngineFailure(status, message)

export const json = (body: unknown, status = 200) => MockTransport.json(body, status)

export const frame = (stream: "stdout" | "stderr", data: Uint8Array) => MockTransport.multiplexed([{ stream, data }])

/** Parses the engine's `filters` query parameter: `{"label":["a=b"]}` or the older `{"label":{"a=b":true}}`. */
export const parseFilters = (raw: string | null): Record<string, ReadonlyArray<string>> => {
  if (raw === null || raw === "") return {}
  const parsed = JSON.parse(raw) as Record<string, ReadonlyArray<string> | Record<string, boolean>>
  return Object.fromEntries(
    Object.entries(parsed).map(([key, value]) => [key, Array.isArray(value) ? value : Object.keys(value)])
  )
}

export const matchesLabels = (
  labels: Readonly<Record<string, string>> | null | undefined,
  wanted: ReadonlyArray<string>
) =>
  wanted.every((filter) => {
    const eq = filter.indexOf("=")
    if (eq === -1) return labels?.[filter] !== undefined
    return labels?.[filter.slice(0, eq)] === filter.slice(eq + 1)
  })

/**
 * Waits on the wall clock: the engine keeps real time (an events stream with `until` ends then),
 * whatever clock the test gives its own fibers.
 */
export const wallClockSleep = (millis: number) =>
  Effect.async<void>((resume) => {
    const timer = setTimeout(() => resume(Effect.void), Math.max(0, millis))
    return Effect.sync(() => clearTimeout(timer))
  })

/** A `reference` filter as the engine reads it: a glob on `repository[:tag]`, any tag when none is given. */
export const referencePattern = (pattern: string) => {
  const glob = (text: string) =>
    text.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]")
  const { repository, tag } = parseReference(pattern)
  return new RegExp(`^${glob(repository)}:${tag === undefined ? ".*" : glob(tag)}$`)
}

export const truthy = (value: string | null) => value === "1" || value === "true" || value === "True"

/** Decodes a request body with the generated schema, or fails with the engine's 400. */
export const decodeBody = <A, I>(schema: Schema.Schema<A, I>, text: string): Either.Either<A, EngineFailure> => {
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

/** Bytes of two arrays, one after the other. */
export const concatBytes = (a: Uint8Array, b: Uint8Array) => DockerEngine.concat([a, b])
