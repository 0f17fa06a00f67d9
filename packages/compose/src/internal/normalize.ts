/**
 * From a decoded Compose file to the project's services, networks and volumes in one shape: lists
 * and maps made one, ports and mounts parsed, paths made absolute, `extends` applied, profiles
 * chosen. A value that cannot be read throws {@link Invalid} with its path in the file.
 */
import * as Path from "node:path"
import type * as ComposeProject from "../ComposeProject.js"
import type * as ComposeSpec from "../ComposeSpec.js"
import type { Path as ValuePath } from "./interpolate.js"

/** A value of the file that cannot be used: where, and why. */
export class Invalid {
  constructor(readonly path: ValuePath, readonly message: string) {}
}

const toList = (value: string | ReadonlyArray<string> | undefined): ReadonlyArray<string> =>
  value === undefined ? [] : typeof value === "string" ? [value] : value

/** `KEY=value` lines or a map, as a map of strings (a bare `KEY` line has no value). */
const toDict = (
  value: ReadonlyArray<string> | Readonly<Record<string, string | number | boolean | null>> | undefined
): Record<string, string | undefined> => {
  if (value === undefined) return {}
  if (Array.isArray(value)) {
    return Object.fromEntries((value as ReadonlyArray<string>).map((line) => {
      const at = line.indexOf("=")
      return at < 0 ? [line, undefined] : [line.slice(0, at), line.slice(at + 1)]
    }))
  }
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, item === null ? undefined : String(item)])
  )
}

/** A port as written: `[ip:][published:]target[/protocol]`, a number, or the long form. */
export const parsePort = (
  port: typeof ComposeSpec.Port.Type,
  path: ValuePath
): ReadonlyArray<ComposeProject.PortBinding> => {
  if (typeof port === "number") return [{ target: port, published: undefined, hostIp: undefined, protocol: "tcp" }]
  if (typeof port === "object") {
    return [{
      target: port.target,
      published: port.published === undefined ? undefined : String(port.published),
      hostIp: port.host_ip,
      protocol: port.protocol ?? "tcp"
    }]
  }
  const match = /^(?:(?:(\[[^\]]+\]|[0-9.]+):)?([0-9]+(?:-[0-9]+)?)?:)?([0-9]+(?:-[0-9]+)?)(?:\/(tcp|udp))?$/.exec(port)
  if (match === null) {
    throw new Invalid(path, `the port ${JSON.stringify(port)} is not [host_ip:][published:]target[/protocol]`)
  }
  const [, hostIp, published, target, protocol] = match
  const range = (text: string) => {
    const [from, to = from] = text.split("-").map(Number)
    if (to! < from!) throw new Invalid(path, `the port range ${text} ends before it starts`)
    return Array.from({ length: to! - from! + 1 }, (_, index) => from! + index)
  }
  const targets = range(target!)
  const publishedPorts = published === undefined ? undefined : range(published)
  if (publishedPorts !== undefined && publishedPorts.length !== targets.length && publishedPorts.length !== 1) {
    throw new Invalid(path, `the port ${JSON.stringify(port)} maps ranges of different lengths`)
  }
  return targets.map((target, index) => ({
    target,
    published: publishedPorts === undefined ? undefined : String(publishedPorts[index] ?? publishedPorts[0]),
    hostIp: hostIp?.replace(/^\[|\]$/g, ""),
    protocol: (protocol ?? "tcp") as "tcp" | "udp"
  }))
}

/** A mount as written: `[source:]target[:ro|rw]` (a path source is a bind), or the long form. */
export const parseVolume = (
  volume: typeof ComposeSpec.ServiceVolume.Type,
  workingDir: string,
  path: ValuePath
): ComposeProject.Mount => {
  const bindSource = (source: string) =>
    Path.resolve(workingDir, source.startsWith("~") ? source.replace(/^~/, process.env.HOME ?? "~") : source)
  if (typeof volume === "object") {
    return {
      type: volume.type,
      source: volume.type === "bind" && volume.source !== undefined ? bindSource(volume.source) : volume.source,
      target: volume.target,
      readOnly: volume.read_only === true
    }
  }
  const parts = volume.split(":")
  if (parts.length > 3 || parts.some((part) => part === "")) {
    throw new Invalid(path, `the volume ${JSON.stringify(volume)} is not [source:]target[:mode]`)
  }
  if (parts.length === 1) return { type: "volume", source: undefined, target: parts[0]!, readOnly: false }
  const [source, target, mode] = parts as [string, string, string | undefined]
  if (mode !== undefined && !/^(ro|rw|z|Z)(,(ro|rw|z|Z))*$/.test(mode)) {
    throw new Invalid(path, `the volume ${JSON.stringify(volume)} has an unknown mode ${JSON.stringify(mode)}`)
  }
  const isPath = source.startsWith(".") || source.startsWith("/") || source.startsWith("~")
  return {
    type: isPath ? "bind" : "volume",
    source: isPath ? bindSource(source) : source,
    target,
    readOnly: mode?.split(",").includes("ro") ?? false
  }
}

/**
 * A Go duration as compose writes them (`1m30s`, `500ms`, `2h`) in milliseconds.
 */
export const parseDuration = (text: string, path: ValuePath): number => {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
  let total = 0
  let rest = text.trim()
  if (rest === "0") return 0
  while (rest !== "") {
    const match = /^([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/.exec(rest)
    if (match === null) throw new Invalid(path, `the duration ${JSON.stringify(text)} is not like 1m30s or 500ms`)
    total += Number(match[1]) * units[match[2]!]!
    rest = rest.slice(match[0].length)
  }
  return total
}

/** Applies `extends` within the file: the base's keys under the service's own, maps merged. */
export const resolveExtends = (
  services: Readonly<Record<string, ComposeSpec.Service>>
): Record<string, ComposeSpec.Service> => {
  const resolved: Record<string, ComposeSpec.Service> = {}
  const resolve = (name: string, seen: ReadonlyArray<string>): ComposeSpec.Service => {
    if (resolved[name] !== undefined) return resolved[name]
    const service = services[name]!
    if (service.extends === undefined) return (resolved[name] = service)
    const base = typeof service.extends === "string" ? service.extends : service.extends.service
    if (services[base] === undefined) {
      throw new Invalid(
        ["services", name, "extends"],
        `extends the service ${JSON.stringify(base)}, which the file does not have`
      )
    }
    if (seen.includes(base)) {
      throw new Invalid(["services", name, "extends"], `extends in a cycle: ${[...seen, name, base].join(" -> ")}`)
    }
    const parent = resolve(base, [...seen, name])
    const { extends: _, ...own } = service
    const merged: Record<string, unknown> = { ...parent }
    for (const [key, value] of Object.entries(own)) {
      const inherited = merged[key]
      merged[key] = isMap(inherited) && isMap(value) ? { ...inherited, ...value } : value
    }
    return (resolved[name] = merged as ComposeSpec.Service)
  }
  for (const name of Object.keys(services)) resolve(name, [])
  return resolved
}

const isMap = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value)

/** Services in an order where each comes after those it depends on; a cycle is refused. */
export const startOrder = (services: ReadonlyArray<ComposeProject.ProjectService>): ReadonlyArray<string> => {
  const byName = new Map(services.map((service) => [service.name, service]))
  const order: Array<string> = []
  const state = new Map<string, "visiting" | "done">()
  const visit = (name: string, chain: ReadonlyArray<string>) => {
    if (state.get(name) === "done") return
    if (state.get(name) === "visiting") {
      throw new Invalid(
        ["services", chain[0]!, "depends_on"],
        `depends_on has a cycle: ${[...chain, name].join(" -> ")}`
      )
    }
    state.set(name, "visiting")
    for (const dependency of Object.keys(byName.get(name)!.dependsOn)) {
      if (!byName.has(dependency)) continue
      visit(dependency, [...chain, name])
    }
    state.set(name, "done")
    order.push(name)
  }
  for (const service of services) visit(service.name, [])
  return order
}

export { toDict, toList }
