/**
 * `ssh://` hosts against the test setup's sshd, whose sessions reach the private engine: one SSH
 * connection per layer, reused by every request; streams and exec with stdin through it; and a
 * typed error for a wrong key, an unknown or changed host key, and a closed port.
 */
import { Docker } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { execFileSync, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { engineApi, env, tempDir, testLabel } from "./helpers.js"

const sshDir = () => env("EFFECT_DOCKER_TEST_SSH_DIR")
const key = (name = "id_ed25519") => Redacted.make(Fs.readFileSync(Path.join(sshDir(), name), "utf8"))
const knownHostsFile = () => Path.join(sshDir(), "known_hosts")
const sshLayer = (ssh: NodeDocker.Options["ssh"], host = env("EFFECT_DOCKER_TEST_SSH")) =>
  NodeDocker.layer({ host, ssh: { configFile: false, ...ssh } })

/** The SSH sessions the server has open now (one sshd child per connection). */
const sshConnections = () => {
  const pid = Fs.readFileSync(Path.join(Path.dirname(sshDir()), "sshd.pid"), "utf8").trim()
  try {
    return execFileSync("pgrep", ["-P", pid]).toString().trim().split("\n").filter((line) => line !== "").length
  } catch {
    return 0
  }
}

describe("ssh:// hosts", () => {
  it.scoped("ping, list, run, logs and exec with stdin over one SSH connection", () =>
    Effect.gen(function*() {
      const before = sshConnections()
      // The layer (and its one SSH connection) lives as long as this test's scope.
      const context = yield* Layer.build(sshLayer({ privateKey: key(), knownHostsFile: knownHostsFile() }))
      const docker = Context.get(context, Docker.Docker)
      expect(yield* docker.system.ping()).toBe("OK")
      expect(yield* docker.engine.apiVersion).toBe(engineApi())
      yield* Effect.forEach(Array.from({ length: 20 }), () => docker.containers.list({ all: true }), {
        concurrency: 4
      })
      const output = yield* docker.containers.run({
        image: "busybox",
        cmd: ["sh", "-c", "echo over ssh; echo err >&2"],
        labels: testLabel,
        remove: true
      })
      expect(output).toBe("over ssh\n")
      const sleeper = yield* Effect.acquireRelease(
        docker.containers.run({ image: "busybox", cmd: ["sleep", "300"], labels: testLabel, detach: true }),
        (container) => Effect.ignore(docker.containers.remove(container.Id, { force: true }))
      )
      const exec = yield* docker.exec.run(sleeper.Id, { cmd: ["tr", "a-z", "A-Z"], stdin: "hijacked over ssh\n" })
      expect(exec).toEqual({ exitCode: 0, stdout: "HIJACKED OVER SSH\n", stderr: "" })
      const frames = yield* Stream.runCollect(docker.containers.logStream(sleeper.Id))
      expect(frames.length).toBe(0)
      // Every request above went through one SSH connection.
      expect(sshConnections() - before).toBe(1)
    }), { timeout: 60_000 })

  it.scoped("takes HostName, User, Port and IdentityFile from an ssh config file", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir("ssh-config-")
      const target = new URL(env("EFFECT_DOCKER_TEST_SSH").replace("ssh://", "http://"))
      const configFile = Path.join(dir, "config")
      Fs.writeFileSync(
        configFile,
        [
          "Host other",
          "  Port 1",
          "Host engine-*",
          `  HostName ${target.hostname}`,
          `  Port ${target.port}`,
          `  User ${target.username}`,
          `  IdentityFile ${Path.join(sshDir(), "id_ed25519")}`,
          ""
        ].join("\n")
      )
      const ping = yield* Effect.provide(
        Effect.flatMap(Docker.Docker, (docker) => docker.system.ping()),
        NodeDocker.layer({ host: "ssh://engine-test", ssh: { configFile, knownHostsFile: knownHostsFile() } })
      )
      expect(ping).toBe("OK")
    }))

  it.scoped("uses the SSH agent at SSH_AUTH_SOCK when no key is given", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir("ssh-agent-")
      const socket = Path.join(dir, "agent.sock")
      const agent = yield* Effect.acquireRelease(
        Effect.sync(() => spawn("ssh-agent", ["-D", "-a", socket], { stdio: "ignore" })),
        (agent) => Effect.sync(() => agent.kill())
      )
      yield* Effect.promise(() =>
        new Promise<void>((resolve) => {
          const poll = () => Fs.existsSync(socket) ? resolve() : setTimeout(poll, 20)
          poll()
        })
      )
      execFileSync("ssh-add", [Path.join(sshDir(), "id_ed25519")], {
        env: { ...process.env, SSH_AUTH_SOCK: socket },
        stdio: "ignore"
      })
      const previous = process.env.SSH_AUTH_SOCK
      yield* Effect.acquireRelease(
        Effect.sync(() => {
          process.env.SSH_AUTH_SOCK = socket
        }),
        () =>
          Effect.sync(() => {
            if (previous === undefined) delete process.env.SSH_AUTH_SOCK
            else process.env.SSH_AUTH_SOCK = previous
          })
      )
      expect(agent.pid).toBeGreaterThan(0)
      const ping = yield* Effect.provide(
        Effect.flatMap(Docker.Docker, (docker) => docker.system.ping()),
        sshLayer({ knownHostsFile: knownHostsFile() })
      )
      expect(ping).toBe("OK")
    }))

  it.scoped("refuses a key the server does not know, with a typed error", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Effect.provide(Docker.Docker, sshLayer({ privateKey: key("wrong_key"), knownHostsFile: knownHostsFile() }))
      )
      expect(error).toMatchObject({ _tag: "DockerConnectionError", reason: "SshAuthentication" })
    }))

  it.scoped("refuses an unknown host key unless accepted explicitly, and a changed one always", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir("known-hosts-")
      const empty = Path.join(dir, "empty")
      Fs.writeFileSync(empty, "")
      const unknown = yield* Effect.flip(
        Effect.provide(Docker.Docker, sshLayer({ privateKey: key(), knownHostsFile: empty }))
      )
      expect(unknown).toMatchObject({
        _tag: "DockerConnectionError",
        reason: "SshHostKey",
        message: expect.stringContaining("is not in")
      })
      const accepted = yield* Effect.provide(
        Effect.flatMap(Docker.Docker, (docker) => docker.system.ping()),
        sshLayer({ privateKey: key(), knownHostsFile: empty, acceptUnknownHostKey: true })
      )
      expect(accepted).toBe("OK")
      // The same host listed with another ed25519 key: the key changed.
      const changed = Path.join(dir, "changed")
      const port = new URL(env("EFFECT_DOCKER_TEST_SSH").replace("ssh://", "http://")).port
      const other = Fs.readFileSync(Path.join(sshDir(), "wrong_key.pub"), "utf8").split(" ").slice(0, 2).join(" ")
      Fs.writeFileSync(changed, `[127.0.0.1]:${port} ${other}\n`)
      const error = yield* Effect.flip(Effect.provide(
        Docker.Docker,
        sshLayer({ privateKey: key(), knownHostsFile: changed, acceptUnknownHostKey: true })
      ))
      expect(error).toMatchObject({ reason: "SshHostKey", message: expect.stringContaining("CHANGED") })
    }))

  it.scoped("fails with ConnectionRefused on a closed port", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.provide(
        Docker.Docker,
        sshLayer({ privateKey: key(), knownHostsFile: knownHostsFile() }, "ssh://root@127.0.0.1:1")
      ))
      expect(error).toMatchObject({ _tag: "DockerConnectionError", reason: "ConnectionRefused" })
    }))
})
