/**
 * Docker host strings as the docker CLI, the Go SDK and docker-py accept them:
 * `unix:///path`, `tcp://host:port`, `http://host:port`, `https://host:port`, `ssh://user@host:port`.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import { DockerConfigError } from "./DockerError.js"

/**
 * The socket the engine listens on when nothing else is configured.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultHost = "unix:///var/run/docker.sock"

/**
 * A parsed engine address.
 *
 * @since 0.1.0
 * @category models
 */
export type DockerHost =
  | { readonly _tag: "Unix"; readonly socketPath: string; readonly raw: string }
  | {
    readonly _tag: "Tcp"
    readonly hostname: string
    readonly port: number
    /** `https://`, or `tcp://` with TLS asked for by the caller. */
    readonly tls: boolean
    readonly raw: string
  }
  | {
    readonly _tag: "Ssh"
    readonly user: string | undefined
    readonly hostname: string
    readonly port: number
    readonly raw: string
  }

const invalid = (raw: string, why: string) =>
  Either.left(new DockerConfigError({ message: `Invalid Docker host ${JSON.stringify(raw)}: ${why}` }))

/**
 * Parses a host string. `tls` upgrades a `tcp://` address to TLS (as `DOCKER_TLS_VERIFY` does);
 * `https://` always means TLS and `http://` never does.
 *
 * @example
 * ```ts
 * import { DockerHost } from "@effect-docker/client"
 *
 * DockerHost.parse("tcp://127.0.0.1:2375") // Right({ _tag: "Tcp", hostname: "127.0.0.1", port: 2375, tls: false, ... })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const parse = (
  raw: string,
  options?: { readonly tls?: boolean }
): Either.Either<DockerHost, DockerConfigError> => {
  const input = raw.trim()
  if (input === "") return invalid(raw, "it is empty")
  // A bare absolute path is a socket path, as docker-py accepts it.
  if (input.startsWith("/")) return Either.right({ _tag: "Unix", socketPath: input, raw: input })
  const scheme = /^([a-z]+):\/\//.exec(input)?.[1]
  if (scheme === undefined) {
    return invalid(raw, "expected unix://, tcp://, http://, https:// or ssh://")
  }
  if (scheme === "unix") {
    const socketPath = input.slice("unix://".length)
    if (!socketPath.startsWith("/")) return invalid(raw, "a unix socket path must be absolute")
    return Either.right({ _tag: "Unix", socketPath, raw: input })
  }
  if (scheme !== "tcp" && scheme !== "http" && scheme !== "https" && scheme !== "ssh") {
    return invalid(raw, `unsupported scheme ${scheme}://`)
  }
  let url: URL
  try {
    // URL parses only special schemes' hosts strictly; http:// is one, so reuse it for all.
    url = new URL(`http://${input.slice(scheme.length + 3)}`)
  } catch {
    return invalid(raw, "the address is malformed")
  }
  if (url.hostname === "") return invalid(raw, "no host name")
  if (url.pathname !== "/" || url.search !== "" || url.hash !== "") {
    return invalid(raw, "a path, query or fragment is not supported")
  }
  // Read the port from the input: URL drops one that equals its scheme's default (http's 80).
  const explicitPort = /:(\d*)$/.exec(input.replace(/\/$/, ""))?.[1]
  if (explicitPort === "" || Number(explicitPort) === 0) return invalid(raw, "the port is empty or 0")
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1")
  if (scheme === "ssh") {
    return Either.right({
      _tag: "Ssh",
      user: url.username === "" ? undefined : decodeURIComponent(url.username),
      hostname,
      port: explicitPort === undefined ? 22 : Number(explicitPort),
      raw: input
    })
  }
  if (url.username !== "" || url.password !== "") return invalid(raw, "credentials in a tcp address are not supported")
  const tls = scheme === "https" || (scheme === "tcp" && options?.tls === true)
  // The Docker CLI's defaults: 2376 with TLS, 2375 without.
  const port = explicitPort !== undefined ? Number(explicitPort) : scheme === "https" ? 443 : tls ? 2376 : 2375
  return Either.right({ _tag: "Tcp", hostname, port, tls, raw: input })
}
