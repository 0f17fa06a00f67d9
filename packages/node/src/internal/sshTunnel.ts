/**
 * A tunnel to an engine over SSH, as the docker CLI makes one for `ssh://` hosts: one SSH
 * connection for the layer's lifetime, and for each connection the transport opens, a channel
 * running `docker system dial-stdio` on the remote host. The transport reaches the tunnel through
 * a private Unix socket, so buffered requests, streams and hijacked connections (attach, exec)
 * all work as on a local engine, and keep-alive connections keep their channels.
 *
 * Host keys are checked against `known_hosts`: an unknown host is refused unless the caller
 * explicitly accepts it, a changed key always. The identity is the given key, else the SSH agent
 * (`SSH_AUTH_SOCK`) and `~/.ssh/id_*`; `~/.ssh/config` supplies `HostName`, `User`, `Port` and
 * `IdentityFile`.
 *
 * @since 0.1.0
 */
import { DockerConfigError, DockerConnectionError, DockerTimeoutError } from "@effect-docker/client/DockerError"
import type * as DockerHost from "@effect-docker/client/DockerHost"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as Crypto from "node:crypto"
import * as Net from "node:net"
import * as Os from "node:os"
import type { ConnectConfig } from "ssh2"
import { readIfExists } from "./files.js"

/**
 * @since 0.1.0
 */
export interface SshOptions {
  /** A private key (PEM or OpenSSH format), instead of the agent and `~/.ssh/id_*`. */
  readonly privateKey?: Redacted.Redacted<string | Uint8Array> | undefined
  readonly passphrase?: Redacted.Redacted<string> | undefined
  /** Default `~/.ssh/known_hosts`. */
  readonly knownHostsFile?: string | undefined
  /** Connect to a host whose key is not in `known_hosts`. Off unless set here; a changed key is refused regardless. */
  readonly acceptUnknownHostKey?: boolean | undefined
  /** Default `~/.ssh/config`; `false` reads none. */
  readonly configFile?: string | false | undefined
  /** The command on the remote host that connects stdin and stdout to its engine. */
  readonly dialCommand?: string | undefined
}

interface SshConfigEntry {
  readonly hostName?: string
  readonly user?: string
  readonly port?: number
  readonly identityFile?: string
}

const home = () => Os.homedir()

/** An OpenSSH pattern list (`*`, `?`, `!negation`, comma or space separated) against a host. */
const matchesPatterns = (patterns: ReadonlyArray<string>, host: string) => {
  let matched = false
  for (const pattern of patterns) {
    const negated = pattern.startsWith("!")
    const glob = (negated ? pattern.slice(1) : pattern).toLowerCase()
    const regex = new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`)
    if (regex.test(host.toLowerCase())) {
      if (negated) return false
      matched = true
    }
  }
  return matched
}

/** The first value of each keyword from the `Host` blocks that match, as OpenSSH reads its config. */
const parseSshConfig = (text: string, host: string, path: Path.Path): SshConfigEntry => {
  const expandHome = (file: string) => file.startsWith("~/") ? path.join(home(), file.slice(2)) : file
  const found: { hostName?: string; user?: string; port?: number; identityFile?: string } = {}
  let active = true
  for (const raw of text.split("\n")) {
    const line = raw.trim()
    if (line === "" || line.startsWith("#")) continue
    const match = /^(\S+)\s*=?\s*(.*)$/.exec(line)
    if (match === null) continue
    const keyword = match[1]!.toLowerCase()
    const value = match[2]!.replace(/^"(.*)"$/, "$1")
    if (keyword === "host") {
      active = matchesPatterns(value.split(/[\s,]+/), host)
      continue
    }
    if (keyword === "match") {
      active = false // Match blocks need more than this client reads; their settings are not applied.
      continue
    }
    if (!active) continue
    if (keyword === "hostname") found.hostName ??= value
    else if (keyword === "user") found.user ??= value
    else if (keyword === "port") found.port ??= Number(value)
    else if (keyword === "identityfile") found.identityFile ??= expandHome(value)
  }
  return found
}

/** What `known_hosts` says about a host: the keys it lists, and whether one of them is revoked. */
const knownKeys = (knownHosts: string, host: string, port: number) => {
  const name = port === 22 ? host : `[${host}]:${port}`
  const keys: Array<{ readonly type: string; readonly key: string; readonly revoked: boolean }> = []
  for (const raw of knownHosts.split("\n")) {
    const line = raw.trim()
    if (line === "" || line.startsWith("#")) continue
    const fields = line.split(/\s+/)
    const marker = fields[0]!.startsWith("@") ? fields.shift()! : undefined
    if (marker === "@cert-authority") continue
    const [hosts = "", type = "", key = ""] = fields
    const matches = hosts.startsWith("|1|")
      ? (() => {
        // A hashed entry: |1|base64(salt)|base64(HMAC-SHA1(salt, name)).
        const [, , salt = "", hash = ""] = hosts.split("|")
        return Crypto.createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64") === hash
      })()
      : matchesPatterns(hosts.split(","), name)
    if (matches) keys.push({ type, key, revoked: marker === "@revoked" })
  }
  return keys
}

/** The type name inside an SSH public key blob (its first length-prefixed string). */
const keyType = (blob: Buffer) => blob.subarray(4, 4 + blob.readUInt32BE(0)).toString("latin1")

/** A file's text, or `undefined` when there is none (or it cannot be read: then SSH goes without it). */
const readOptional = (fs: FileSystem.FileSystem, file: string) =>
  Effect.orElseSucceed(readIfExists(fs, file, (fs) => fs.readFileString(file)), () => undefined)

const defaultIdentity = (fs: FileSystem.FileSystem, path: Path.Path) =>
  Effect.findFirst(
    ["id_ed25519", "id_ecdsa", "id_rsa"].map((name) => path.join(home(), ".ssh", name)),
    (file) => Effect.orElseSucceed(fs.exists(file), () => false)
  ).pipe(Effect.map(Option.getOrUndefined))

/**
 * Opens the SSH connection and a private Unix socket that tunnels each connection made to it to
 * the remote engine. Both close with the scope.
 *
 * @since 0.1.0
 */
export const open = (
  host: DockerHost.DockerHost & { readonly _tag: "Ssh" },
  options: SshOptions = {},
  connectTimeoutMillis = 10_000
): Effect.Effect<
  { readonly socketPath: string },
  DockerConnectionError | DockerTimeoutError | DockerConfigError,
  Scope.Scope | FileSystem.FileSystem | Path.Path
> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const configFile = options.configFile === false
      ? undefined
      : options.configFile ?? path.join(home(), ".ssh", "config")
    const configText = configFile === undefined ? undefined : yield* readOptional(fs, configFile)
    const config = configText === undefined ? {} : parseSshConfig(configText, host.hostname, path)
    const hostname = config.hostName ?? host.hostname
    // The address's own port and user win over the config's, as with `ssh -p` and `user@`.
    const port = host.raw.match(/:\d+\/?$/) !== null ? host.port : config.port ?? host.port
    const username = host.user ?? config.user ?? Os.userInfo().username
    const fail = (reason: DockerConnectionError["reason"], message: string, cause?: unknown) =>
      new DockerConnectionError({ reason, host: host.raw, message, cause })

    const identityFile = config.identityFile ?? (yield* defaultIdentity(fs, path))
    const privateKey = options.privateKey !== undefined
      ? Redacted.value(options.privateKey)
      : identityFile !== undefined
      ? Buffer.from(
        yield* Effect.mapError(
          fs.readFile(identityFile),
          (cause) => new DockerConfigError({ message: `cannot read the SSH identity ${identityFile}`, cause })
        )
      )
      : undefined
    // An empty SSH_AUTH_SOCK names no agent.
    const agent = process.env.SSH_AUTH_SOCK || undefined
    if (privateKey === undefined && agent === undefined) {
      return yield* new DockerConfigError({
        message: `no SSH identity for ${host.raw}: give a privateKey, run an SSH agent, or create ~/.ssh/id_ed25519`
      })
    }

    const knownHostsFile = options.knownHostsFile ?? path.join(home(), ".ssh", "known_hosts")
    const knownHosts = (yield* readOptional(fs, knownHostsFile)) ?? ""
    let hostKeyProblem: string | undefined
    // Loaded here, so that programs without ssh:// hosts never load ssh2 and its crypto.
    const { Client } = yield* Effect.tryPromise({
      try: () => import("ssh2"),
      catch: (cause) =>
        new DockerConfigError({
          message: `${host.raw}: ssh:// hosts need the ssh2 package, an optional peer dependency: npm install ssh2`,
          cause
        })
    })
    const client = new Client()
    const connectConfig: ConnectConfig = {
      host: hostname,
      port,
      username,
      readyTimeout: connectTimeoutMillis,
      keepaliveInterval: 15_000,
      ...(privateKey !== undefined
        ? { privateKey: typeof privateKey === "string" ? privateKey : Buffer.from(privateKey) }
        : {}),
      ...(options.passphrase !== undefined ? { passphrase: Redacted.value(options.passphrase) } : {}),
      ...(agent !== undefined ? { agent } : {}),
      hostVerifier: (key: Buffer) => {
        const known = knownKeys(knownHosts, hostname, port)
        const offered = key.toString("base64")
        const same = known.find((entry) => entry.key === offered)
        if (same !== undefined && !same.revoked) return true
        if (same?.revoked) {
          hostKeyProblem = `the host key of ${hostname}:${port} is revoked in ${knownHostsFile}`
        } else if (known.some((entry) => entry.type === keyType(key))) {
          hostKeyProblem = `the host key of ${hostname}:${port} has CHANGED from the one in ${knownHostsFile}: ` +
            "someone may be intercepting the connection; if the change is expected, update known_hosts"
        } else if (options.acceptUnknownHostKey === true) {
          return true
        } else {
          hostKeyProblem = `the host key of ${hostname}:${port} is not in ${knownHostsFile}; add it ` +
            "(ssh-keyscan) or accept unknown host keys explicitly"
        }
        return false
      }
    }

    yield* Effect.acquireRelease(
      Effect.async<void, DockerConnectionError | DockerTimeoutError>((resume) => {
        client.once("ready", () => resume(Effect.void))
        client.once("error", (error: Error & { level?: string; code?: string }) => {
          if (hostKeyProblem !== undefined) return resume(Effect.fail(fail("SshHostKey", hostKeyProblem, error)))
          if (error.level === "client-authentication") {
            return resume(
              Effect.fail(fail("SshAuthentication", `${username}@${hostname}:${port} refused the SSH identity`, error))
            )
          }
          if (error.level === "client-timeout") {
            return resume(Effect.fail(
              new DockerTimeoutError({
                phase: "connect",
                host: host.raw,
                timeoutMillis: connectTimeoutMillis,
                message: `SSH to ${hostname}:${port} did not get ready in time`
              })
            ))
          }
          const reason = error.code === "ECONNREFUSED"
            ? "ConnectionRefused"
            : error.code === "ENOTFOUND" || error.code === "EAI_AGAIN"
            ? "HostNotFound"
            : "Unknown"
          resume(Effect.fail(fail(reason, `SSH to ${hostname}:${port} failed: ${error.message}`, error)))
        })
        client.connect(connectConfig)
        return Effect.sync(() => client.end())
      }),
      () => Effect.sync(() => client.end())
    )

    // The tunnel's socket lives in a directory only this user can enter.
    const dir = yield* Effect.mapError(
      fs.makeTempDirectoryScoped({ prefix: "effect-docker-ssh-" }),
      (cause) => new DockerConfigError({ message: "cannot create the SSH tunnel's socket folder", cause })
    )
    const socketPath = path.join(dir, "docker.sock")
    const dial = options.dialCommand ?? "docker system dial-stdio"
    // Half-open both ways: a hijacked exec half-closes its side (stdin EOF) and reads on.
    const server = Net.createServer({ allowHalfOpen: true }, (local) => {
      client.exec(dial, (error, channel) => {
        if (error !== undefined) return local.destroy(error)
        // The pipes pass each side's end on as the other's EOF.
        local.pipe(channel)
        channel.pipe(local)
        local.once("error", () => channel.close())
        channel.once("close", () => local.end())
        local.once("close", () => channel.close())
      })
    })
    const sockets = new Set<Net.Socket>()
    server.on("connection", (socket) => {
      sockets.add(socket)
      socket.once("close", () => sockets.delete(socket))
    })
    yield* Effect.acquireRelease(
      Effect.async<void, DockerConfigError>((resume) => {
        server.once("error", (cause) =>
          resume(Effect.fail(new DockerConfigError({ message: `cannot open the SSH tunnel's socket`, cause }))))
        server.listen(socketPath, () =>
          resume(Effect.void))
      }),
      () =>
        Effect.async<void>((resume) => {
          for (const socket of sockets) socket.destroy()
          server.close(() => resume(Effect.void))
        })
    )
    return { socketPath }
  })
