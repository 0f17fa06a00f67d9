import { Docker, DockerHost } from "@effect-docker/client"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fs from "node:fs"

/**
 * The IPv4 default gateway in `/proc/net/route` content (little-endian hex): where a process in
 * a container reaches the machine it runs on.
 */
export const defaultGateway = (routes: string): string | undefined => {
  for (const line of routes.split("\n").slice(1)) {
    // Iface Destination Gateway Flags ...: "eth0 00000000 010011AC 0003 ..."
    const [, destination, gateway] = line.trim().split(/\s+/)
    if (destination !== "00000000" || gateway === undefined || !/^[0-9A-Fa-f]{8}$/.test(gateway)) continue
    return gateway.match(/../g)!.map((byte) => Number.parseInt(byte, 16)).reverse().join(".")
  }
  return undefined
}

/** What the host is chosen from. */
export interface Facts {
  readonly engineHost: string
  /** This process runs in a container (`/.dockerenv`). */
  readonly inContainer: boolean
  /** The gateway of the engine's `bridge` network, if it has one. */
  readonly bridgeGateway: string | undefined
  /** This process's default gateway. */
  readonly routeGateway: string | undefined
}

/**
 * Where this process reaches the ports an engine publishes, as testcontainers chooses it: the
 * engine's own host name for `tcp://` and `ssh://` engines; for a local socket, `localhost`,
 * unless this process runs in a container: then the gateway of the engine's bridge (an address of
 * the engine's machine, which the engine publishes on, whether this container is its sibling or
 * shares its network), else this container's default gateway.
 */
export const choose = (facts: Facts): string => {
  const parsed = DockerHost.parse(facts.engineHost)
  if (Either.isRight(parsed) && parsed.right._tag !== "Unix") return parsed.right.hostname
  if (!facts.inContainer) return "localhost"
  return facts.bridgeGateway ?? facts.routeGateway ?? "localhost"
}

const readRoutes = () => {
  try {
    return defaultGateway(Fs.readFileSync("/proc/net/route", "utf8"))
  } catch {
    return undefined
  }
}

/** {@link choose} with the facts of this process and its engine. */
export const resolve: Effect.Effect<string, never, Docker.Docker> = Effect.gen(function*() {
  const docker = yield* Docker.Docker
  const engineHost = docker.engine.host
  const inContainer = Fs.existsSync("/.dockerenv")
  const local = Either.match(DockerHost.parse(engineHost), { onLeft: () => true, onRight: (h) => h._tag === "Unix" })
  const bridgeGateway = inContainer && local
    ? yield* docker.networks.inspect("bridge").pipe(
      Effect.map((network) => network.IPAM?.Config?.find((config) => config.Gateway)?.Gateway ?? undefined),
      Effect.orElseSucceed(() => undefined)
    )
    : undefined
  return choose({ engineHost, inContainer, bridgeGateway, routeGateway: inContainer ? readRoutes() : undefined })
})
