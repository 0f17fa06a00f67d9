/**
 * Containers: creation from an image and a body, the lifecycle with its events, lists and logs.
 */
import type * as Schemas from "@effect-docker/client/Schemas"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as FakeEngine from "../../FakeEngine.js"
import { containerSummary, hostConfigDefaults, info, running } from "./containerModel.js"
import { findImage, normalizeReference } from "./images.js"
import { endpoint, findNetwork } from "./networks.js"
import type { Answer } from "./route.js"
import { apiVersionOf, containerAttributes, type EngineState } from "./state.js"
import { createVolume, mountpoint } from "./volumes.js"
import {
  adjectives,
  concatBytes,
  type ContainerRecord,
  encoder,
  EngineFailure,
  fail,
  frame,
  type LogLine,
  matchesLabels,
  parseFilters,
  randomHex,
  rfc3339,
  scientists,
  truthy,
  type Wire
} from "./wire.js"

export const findContainer = (engine: EngineState, name: string): ContainerRecord | EngineFailure => {
  const byId = engine.containers.get(name)
  if (byId !== undefined) return byId
  const wanted = name.startsWith("/") ? name : `/${name}`
  for (const c of engine.containers.values()) if (c.name === wanted) return c
  if (/^[0-9a-f]+$/.test(name)) {
    const matches = [...engine.containers.values()].filter((c) => c.id.startsWith(name))
    if (matches.length === 1) return matches[0]!
    if (matches.length > 1) return fail(404, `No such container: ${name}`)
  }
  return fail(404, `No such container: ${name}`)
}

const appendOutput = (log: Array<LogLine>, output: FakeEngine.Script["output"]) => {
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

export const finish = (engine: EngineState, c: ContainerRecord, exitCode: number) => {
  c.state.status = "exited"
  c.state.exitCode = exitCode
  c.state.pid = 0
  c.state.finishedAt = new Date()
  for (const id of c.execIds) {
    const exec = engine.execs.get(id)
    if (exec?.running) exec.running = false
  }
  c.execIds.length = 0
  engine.emit("container", "die", c.id, containerAttributes(c, { exitCode: String(exitCode) }))
  if (c.hostConfig.AutoRemove === true) destroy(engine, c)
}

export const startContainer = (engine: EngineState, c: ContainerRecord) => {
  c.state.status = "running"
  c.state.pid = engine.nextPid++
  c.state.startedAt = new Date()
  c.state.finishedAt = undefined
  c.state.exitCode = 0
  engine.emit("container", "start", c.id, containerAttributes(c))
  const script = engine.options.run?.(info(c))
  appendOutput(c.log, script?.output)
  if (script?.exit !== undefined) finish(engine, c, script.exit)
  else engine.changed()
}

/** SIGTERM, and SIGKILL after the timeout when the process ignores it (exit code 137). */
export const stopContainer = (engine: EngineState, c: ContainerRecord) => {
  const exitCode = engine.options.run?.(info(c))?.stopExit ?? 137
  engine.emit("container", "kill", c.id, containerAttributes(c, { signal: "15" }))
  if (exitCode === 137) engine.emit("container", "kill", c.id, containerAttributes(c, { signal: "9" }))
  // Docker 28 announces the stop before the exit it waited for; Docker 20.10 after.
  if (apiVersionOf(engine.options) === "1.51") engine.emit("container", "stop", c.id, containerAttributes(c))
  finish(engine, c, exitCode)
  if (apiVersionOf(engine.options) === "1.41") engine.emit("container", "stop", c.id, containerAttributes(c))
}

export const destroy = (engine: EngineState, c: ContainerRecord) => {
  engine.containers.delete(c.id)
  engine.emit("container", "destroy", c.id, containerAttributes(c))
}

/** The engine's refusal of a container name it does not allow. */
export const invalidName = (name: string) =>
  /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(name)
    ? undefined
    : fail(400, `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`)

/** The engine's refusal of a name (`/name`) another container than `self` has. */
export const nameTaken = (engine: EngineState, fullName: string, self?: ContainerRecord) => {
  const other = [...engine.containers.values()].find((c) => c.name === fullName && c !== self)
  return other === undefined ? undefined : fail(
    409,
    `Conflict. The container name "${fullName}" is already in use by container "${other.id}". ` +
      "You have to remove (or rename) that container to be able to reuse that name."
  )
}

export const createContainer = (
  engine: EngineState,
  name: string | null,
  body: typeof Schemas.ContainerCreateBody.Type
) => {
  const refused = name === null ? undefined : invalidName(name)
  if (refused !== undefined) return refused
  const imageName = body.Image ?? ""
  const image = findImage(engine, imageName)
  if (image === undefined) return fail(404, `No such image: ${normalizeReference(imageName)}`)
  let finalName = name === null ? undefined : `/${name.replace(/^\//, "")}`
  const taken = finalName === undefined ? undefined : nameTaken(engine, finalName)
  if (taken !== undefined) return taken
  while (finalName === undefined || nameTaken(engine, finalName) !== undefined) {
    const pick = <A>(xs: ReadonlyArray<A>) => xs[Math.floor(Math.random() * xs.length)]!
    finalName = `/${pick(adjectives)}_${pick(scientists)}`
  }
  const hostConfig = hostConfigDefaults(
    body.HostConfig as Wire<typeof Schemas.HostConfig> | undefined,
    apiVersionOf(engine.options)
  )
  const networkMode = hostConfig.NetworkMode ?? "default"
  const networkName = networkMode === "default" ? "bridge" : networkMode
  const network = findNetwork(engine, networkName)
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
      const volume = engine.volumes.get(source) ?? createVolume(engine, { Name: source })
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
  engine.containers.set(id, record)
  engine.emit("container", "create", id, containerAttributes(record))
  return record
}

export const listContainers = (engine: EngineState, query: URLSearchParams) => {
  const filters = parseFilters(query.get("filters"))
  const all = truthy(query.get("all"))
  const limit = Number(query.get("limit") ?? -1)
  const matches = [...engine.containers.values()].filter((c) =>
    (all || filters.status !== undefined || running(c)) &&
    (filters.status === undefined || filters.status.includes(c.state.status)) &&
    (filters.label === undefined || matchesLabels(c.config.Labels, filters.label)) &&
    (filters.name === undefined || filters.name.some((name) => new RegExp(name).test(c.name))) &&
    (filters.id === undefined || filters.id.some((id) => c.id.startsWith(id))) &&
    (filters.exited === undefined ||
      (c.state.status === "exited" && filters.exited.includes(String(c.state.exitCode)))) &&
    (filters.ancestor === undefined || filters.ancestor.some((name) => findImage(engine, name)?.id === c.imageId))
  ).sort((a, b) => b.created.getTime() - a.created.getTime())
  return (limit > 0 ? matches.slice(0, limit) : matches).map(containerSummary)
}

export const logStream = (
  engine: EngineState,
  c: ContainerRecord,
  query: URLSearchParams
): Stream.Stream<Uint8Array> => {
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
  const next = engine.until(() => {
    if (c.log.length > seen) {
      const lines = c.log.slice(seen)
      seen = c.log.length
      return { lines, done: false }
    }
    return running(c) && engine.containers.has(c.id) ? undefined : { lines: [], done: true }
  })
  const rest = Stream.repeatEffectOption(
    Effect.flatMap(next, ({ done, lines }) =>
      done && lines.length === 0
        ? Effect.fail(Option.none())
        : Effect.succeed(pick(lines).map(render)))
  ).pipe(Stream.flattenIterables)
  return Stream.concat(first, rest)
}

/** Answers `f` of the container a path names, or the engine's 404. */
export const withContainer = (engine: EngineState, name: string, f: (c: ContainerRecord) => Answer): Answer => {
  const found = findContainer(engine, name)
  return found instanceof EngineFailure ? found : f(found)
}
