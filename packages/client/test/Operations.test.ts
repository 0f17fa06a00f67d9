/**
 * One test per generated operation: what it sends (method, path, query, headers, body) is written
 * out here by hand from the Engine API reference, not read from the generator, and the answer
 * is decoded with the operation's schema.
 */
import { Docker } from "@effect-docker/client"
import { MockTransport } from "@effect-docker/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Fs from "node:fs"

type DockerService = Docker.Docker["Type"]

interface Case {
  /** The call, on a `Docker` service over the mock. */
  readonly call: (docker: DockerService) => Effect.Effect<unknown, unknown>
  /** `METHOD /path` as sent, without the version prefix. */
  readonly sends: string
  readonly query?: Record<string, string | ReadonlyArray<string>>
  readonly headers?: Record<string, string>
  readonly body?: unknown
  /** The engine's answer (JSON); an empty 204 when absent. */
  readonly answer?: unknown
  /** What the call returns, when it is worth checking beyond "it decoded". */
  readonly returns?: unknown
}

const filters = { label: ["a=b"] }
const filtersQuery = JSON.stringify(filters)
const id = "abc123"
const auth = Redacted.make("eyJ1c2VybmFtZSI6InUifQ==")

/** A plugin as an engine describes it: every field the specification requires. */
const plugin = {
  Name: "p",
  Enabled: true,
  Settings: { Args: [], Devices: [], Env: ["DEBUG=0"], Mounts: [] },
  Config: {
    Description: "a plugin",
    Documentation: "https://docs.example",
    Interface: { Types: ["docker.volumedriver/1.0"], Socket: "p.sock" },
    Entrypoint: ["/p"],
    WorkDir: "",
    Network: { Type: "host" },
    Linux: { Capabilities: null, AllowAllDevices: false, Devices: null },
    PidHost: false,
    PropagatedMount: "",
    IpcHost: false,
    Mounts: [],
    Env: [],
    Args: { Name: "args", Description: "", Settable: null, Value: null }
  }
}

const cases: Record<string, Case> = {
  BuildPrune: {
    call: (d) => d.build.prune({ all: true, filters }),
    sends: "POST /build/prune",
    query: { all: "true", filters: filtersQuery },
    answer: { CachesDeleted: null, SpaceReclaimed: 0 },
    returns: { SpaceReclaimed: 0 }
  },
  ConfigCreate: {
    call: (d) => d.configs.create({ Name: "c", Data: "YQ==" }),
    sends: "POST /configs/create",
    body: { Name: "c", Data: "YQ==" },
    answer: { ID: "cfg" },
    returns: { Id: "cfg" }
  },
  ConfigDelete: { call: (d) => d.configs.remove("cfg"), sends: "DELETE /configs/cfg" },
  ConfigInspect: {
    call: (d) => d.configs.inspect("cfg"),
    sends: "GET /configs/cfg",
    answer: { ID: "cfg", Version: { Index: 3 }, Spec: { Name: "c" } },
    returns: { ID: "cfg", Version: { Index: 3 }, Spec: { Name: "c" } }
  },
  ConfigList: {
    call: (d) => d.configs.list({ filters }),
    sends: "GET /configs",
    query: { filters: filtersQuery },
    answer: []
  },
  ConfigUpdate: {
    call: (d) => d.configs.update("cfg", { Name: "c", Labels: { x: "1" } }, { version: 3 }),
    sends: "POST /configs/cfg/update",
    query: { version: "3" },
    body: { Name: "c", Labels: { x: "1" } }
  },
  ContainerChanges: {
    call: (d) => d.containers.changes(id),
    sends: `GET /containers/${id}/changes`,
    answer: [{ Path: "/tmp", Kind: 0 }],
    returns: [{ Path: "/tmp", Kind: 0 }]
  },
  ContainerCreate: {
    call: (d) =>
      d.containers.create({ Image: "busybox", Cmd: ["true"], HostConfig: { AutoRemove: true } }, { name: "n" }),
    sends: "POST /containers/create",
    query: { name: "n" },
    body: { Image: "busybox", Cmd: ["true"], HostConfig: { AutoRemove: true } },
    answer: { Id: id, Warnings: null },
    returns: { Id: id, Warnings: [] }
  },
  ContainerDelete: {
    call: (d) => d.containers.remove(id, { force: true, volumes: true, link: false }),
    sends: `DELETE /containers/${id}`,
    query: { force: "true", v: "true", link: "false" }
  },
  ContainerExec: {
    call: (d) => d.exec.create(id, { Cmd: ["ls"], AttachStdout: true }),
    sends: `POST /containers/${id}/exec`,
    body: { Cmd: ["ls"], AttachStdout: true },
    answer: { Id: "exec1" },
    returns: { Id: "exec1" }
  },
  ContainerInspect: {
    call: (d) => d.containers.inspect(id, { size: true }),
    sends: `GET /containers/${id}/json`,
    query: { size: "true" },
    answer: { Id: id, State: { Status: "running", Running: true }, Mounts: null },
    returns: { Id: id, State: { Status: "running", Running: true } }
  },
  ContainerKill: {
    call: (d) => d.containers.kill(id, { signal: "SIGHUP" }),
    sends: `POST /containers/${id}/kill`,
    query: { signal: "SIGHUP" }
  },
  ContainerList: {
    call: (d) => d.containers.list({ all: true, limit: 3, size: false, filters }),
    sends: "GET /containers/json",
    query: { all: "true", limit: "3", size: "false", filters: filtersQuery },
    answer: [{ Id: id, Names: ["/n"], Labels: null }],
    returns: [{ Id: id, Names: ["/n"] }]
  },
  ContainerPause: { call: (d) => d.containers.pause(id), sends: `POST /containers/${id}/pause` },
  ContainerPrune: {
    call: (d) => d.containers.prune({ filters }),
    sends: "POST /containers/prune",
    query: { filters: filtersQuery },
    answer: { ContainersDeleted: null, SpaceReclaimed: 0 }
  },
  ContainerRename: {
    call: (d) => d.containers.rename(id, { name: "new" }),
    sends: `POST /containers/${id}/rename`,
    query: { name: "new" }
  },
  ContainerResize: {
    call: (d) => d.containers.resize(id, { h: 24, w: 80 }),
    sends: `POST /containers/${id}/resize`,
    query: { h: "24", w: "80" }
  },
  ContainerRestart: {
    call: (d) => d.containers.restart(id, { timeout: "5 seconds", signal: "SIGTERM" }),
    sends: `POST /containers/${id}/restart`,
    query: { signal: "SIGTERM", t: "5" }
  },
  ContainerStart: {
    call: (d) => d.containers.start(id, { detachKeys: "ctrl-x" }),
    sends: `POST /containers/${id}/start`,
    query: { detachKeys: "ctrl-x" }
  },
  ContainerStop: {
    call: (d) => d.containers.stop(id, { timeout: "2 seconds" }),
    sends: `POST /containers/${id}/stop`,
    query: { t: "2" }
  },
  ContainerTop: {
    call: (d) => d.containers.top(id, { psArgs: "aux" }),
    sends: `GET /containers/${id}/top`,
    query: { ps_args: "aux" },
    answer: { Titles: ["PID"], Processes: [["1"]] },
    returns: { Titles: ["PID"], Processes: [["1"]] }
  },
  ContainerUnpause: { call: (d) => d.containers.unpause(id), sends: `POST /containers/${id}/unpause` },
  ContainerUpdate: {
    call: (d) => d.containers.update(id, { Memory: 1024, RestartPolicy: { Name: "always" } }),
    sends: `POST /containers/${id}/update`,
    body: { Memory: 1024, RestartPolicy: { Name: "always" } },
    answer: { Warnings: [] }
  },
  ContainerWait: {
    call: (d) => d.containers.wait(id, { condition: "next-exit" }),
    sends: `POST /containers/${id}/wait`,
    query: { condition: "next-exit" },
    answer: { StatusCode: 3, Error: null },
    returns: { StatusCode: 3 }
  },
  DistributionInspect: {
    call: (d) => d.distribution.inspect("127.0.0.1:5000/app:1"),
    sends: "GET /distribution/127.0.0.1%3A5000%2Fapp%3A1/json",
    answer: { Descriptor: { mediaType: "m", digest: "sha256:1", size: 1 }, Platforms: null }
  },
  ExecInspect: {
    call: (d) => d.exec.inspect("exec1"),
    sends: "GET /exec/exec1/json",
    answer: { ID: "exec1", Running: false, ExitCode: 0 },
    returns: { ID: "exec1", Running: false, ExitCode: 0 }
  },
  ExecResize: {
    call: (d) => d.exec.resize("exec1", { h: 10, w: 20 }),
    sends: "POST /exec/exec1/resize",
    query: { h: "10", w: "20" }
  },
  GetPluginPrivileges: {
    call: (d) => d.plugins.privileges({ remote: "vieux/sshfs" }),
    sends: "GET /plugins/privileges",
    query: { remote: "vieux/sshfs" },
    answer: [{ Name: "network", Value: ["host"] }]
  },
  ImageAttestations: {
    call: (d) => d.images.attestations("app", { statement: true }),
    sends: "GET /images/app/attestations",
    query: { statement: "true" },
    answer: []
  },
  ImageCommit: {
    call: (d) => d.images.commit({ Cmd: ["sh"] }, { container: id, repo: "r", tag: "t", pause: false }),
    sends: "POST /commit",
    query: { container: id, repo: "r", tag: "t", pause: "false" },
    body: { Cmd: ["sh"] },
    answer: { Id: "sha256:2" },
    returns: { Id: "sha256:2" }
  },
  ImageDelete: {
    call: (d) => d.images.remove("app:1", { force: true, noprune: true, platforms: ["linux/arm64/v8", "linux/amd64"] }),
    sends: "DELETE /images/app%3A1",
    query: {
      force: "true",
      noprune: "true",
      platforms: [
        "{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}",
        "{\"os\":\"linux\",\"architecture\":\"amd64\"}"
      ]
    },
    answer: [{ Untagged: "app:1" }],
    returns: [{ Untagged: "app:1" }]
  },
  ImageHistory: {
    call: (d) => d.images.history("app", { platform: { os: "linux", architecture: "arm", variant: "v7" } }),
    sends: "GET /images/app/history",
    query: { platform: "{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v7\"}" },
    answer: [{ Id: "sha256:1", Created: 1, CreatedBy: "x", Tags: null, Size: 0, Comment: "" }],
    returns: [{ Id: "sha256:1", Created: 1, CreatedBy: "x", Tags: [], Size: 0, Comment: "" }]
  },
  ImageInspect: {
    call: (d) => d.images.inspect("app"),
    sends: "GET /images/app/json",
    answer: { Id: "sha256:1", RepoTags: ["app:latest"] },
    returns: { Id: "sha256:1", RepoTags: ["app:latest"] }
  },
  ImageList: {
    call: (d) => d.images.list({ all: true, digests: true, filters }),
    sends: "GET /images/json",
    query: { all: "true", filters: filtersQuery, digests: "true" },
    answer: [{
      Id: "sha256:1",
      ParentId: "",
      RepoTags: null,
      RepoDigests: null,
      Created: 1,
      Size: 2,
      SharedSize: -1,
      Labels: null,
      Containers: -1
    }],
    returns: [{
      Id: "sha256:1",
      ParentId: "",
      RepoTags: [],
      RepoDigests: [],
      Created: 1,
      Size: 2,
      SharedSize: -1,
      Labels: {},
      Containers: -1
    }]
  },
  ImagePrune: {
    call: (d) => d.images.prune({ filters }),
    sends: "POST /images/prune",
    query: { filters: filtersQuery },
    answer: { ImagesDeleted: null, SpaceReclaimed: 0 }
  },
  ImageSearch: {
    call: (d) => d.images.search({ term: "busybox", limit: 5 }),
    sends: "GET /images/search",
    query: { term: "busybox", limit: "5" },
    answer: [{ name: "busybox", star_count: 1, is_official: true }]
  },
  ImageTag: {
    call: (d) => d.images.tag("app", { repo: "r/app", tag: "v2" }),
    sends: "POST /images/app/tag",
    query: { repo: "r/app", tag: "v2" }
  },
  NetworkConnect: {
    call: (d) => d.networks.connect("net", { Container: id, EndpointConfig: { Aliases: ["a"] } }),
    sends: "POST /networks/net/connect",
    body: { Container: id, EndpointConfig: { Aliases: ["a"] } }
  },
  NetworkCreate: {
    call: (d) => d.networks.create({ Name: "net", Driver: "bridge", Internal: true }),
    sends: "POST /networks/create",
    body: { Name: "net", Driver: "bridge", Internal: true },
    answer: { Id: "n1", Warning: "" },
    returns: { Id: "n1", Warning: "" }
  },
  NetworkDelete: { call: (d) => d.networks.remove("net"), sends: "DELETE /networks/net" },
  NetworkDisconnect: {
    call: (d) => d.networks.disconnect("net", { Container: id, Force: true }),
    sends: "POST /networks/net/disconnect",
    body: { Container: id, Force: true }
  },
  NetworkInspect: {
    call: (d) => d.networks.inspect("net", { verbose: true, scope: "local" }),
    sends: "GET /networks/net",
    query: { verbose: "true", scope: "local" },
    answer: { Id: "n1", Name: "net", Containers: {} },
    returns: { Id: "n1", Name: "net", Containers: {} }
  },
  NetworkList: {
    call: (d) => d.networks.list({ filters }),
    sends: "GET /networks",
    query: { filters: filtersQuery },
    answer: []
  },
  NetworkPrune: {
    call: (d) => d.networks.prune(),
    sends: "POST /networks/prune",
    answer: { NetworksDeleted: ["n"] },
    returns: { NetworksDeleted: ["n"] }
  },
  NodeDelete: {
    call: (d) => d.nodes.remove("node1", { force: true }),
    sends: "DELETE /nodes/node1",
    query: { force: "true" }
  },
  NodeInspect: {
    call: (d) => d.nodes.inspect("node1"),
    sends: "GET /nodes/node1",
    answer: { ID: "node1", Version: { Index: 1 } },
    returns: { ID: "node1", Version: { Index: 1 } }
  },
  NodeList: {
    call: (d) => d.nodes.list({ filters }),
    sends: "GET /nodes",
    query: { filters: filtersQuery },
    answer: []
  },
  NodeUpdate: {
    call: (d) => d.nodes.update("node1", { Availability: "drain", Role: "worker" }, { version: 7 }),
    sends: "POST /nodes/node1/update",
    query: { version: "7" },
    body: { Availability: "drain", Role: "worker" }
  },
  PluginDelete: {
    call: (d) => d.plugins.remove("p", { force: true }),
    sends: "DELETE /plugins/p",
    query: { force: "true" }
  },
  PluginDisable: {
    call: (d) => d.plugins.disable("p", { force: true }),
    sends: "POST /plugins/p/disable",
    query: { force: "true" }
  },
  PluginEnable: {
    call: (d) => d.plugins.enable("p", { timeout: "5 seconds" }),
    sends: "POST /plugins/p/enable",
    query: { timeout: "5" }
  },
  PluginInspect: {
    call: (d) => d.plugins.inspect("p"),
    sends: "GET /plugins/p/json",
    answer: plugin,
    returns: { Name: "p", Settings: { Env: ["DEBUG=0"] } }
  },
  PluginList: {
    call: (d) => d.plugins.list({ filters }),
    sends: "GET /plugins",
    query: { filters: filtersQuery },
    answer: []
  },
  PluginSet: { call: (d) => d.plugins.set("p", ["DEBUG=1"]), sends: "POST /plugins/p/set", body: ["DEBUG=1"] },
  SecretCreate: {
    call: (d) => d.secrets.create({ Name: "s", Data: "YQ==" }),
    sends: "POST /secrets/create",
    body: { Name: "s", Data: "YQ==" },
    answer: { Id: "sec" },
    returns: { Id: "sec" }
  },
  SecretDelete: { call: (d) => d.secrets.remove("sec"), sends: "DELETE /secrets/sec" },
  SecretInspect: {
    call: (d) => d.secrets.inspect("sec"),
    sends: "GET /secrets/sec",
    answer: { ID: "sec", Spec: { Name: "s" } },
    returns: { ID: "sec", Spec: { Name: "s" } }
  },
  SecretList: {
    call: (d) => d.secrets.list({ filters }),
    sends: "GET /secrets",
    query: { filters: filtersQuery },
    answer: []
  },
  SecretUpdate: {
    call: (d) => d.secrets.update("sec", { Name: "s", Labels: {} }, { version: 2 }),
    sends: "POST /secrets/sec/update",
    query: { version: "2" },
    body: { Name: "s", Labels: {} }
  },
  ServiceCreate: {
    call: (d) => d.services.create({ Name: "svc" }, { registryAuth: auth }),
    sends: "POST /services/create",
    headers: { "x-registry-auth": Redacted.value(auth) },
    body: { Name: "svc" },
    answer: { ID: "svc1", Warnings: null },
    returns: { ID: "svc1" }
  },
  ServiceDelete: { call: (d) => d.services.remove("svc1"), sends: "DELETE /services/svc1" },
  ServiceInspect: {
    call: (d) => d.services.inspect("svc1", { insertDefaults: true }),
    sends: "GET /services/svc1",
    query: { insertDefaults: "true" },
    answer: { ID: "svc1", Spec: { Name: "svc" } },
    returns: { ID: "svc1", Spec: { Name: "svc" } }
  },
  ServiceList: {
    call: (d) => d.services.list({ filters, status: true }),
    sends: "GET /services",
    query: { filters: filtersQuery, status: "true" },
    answer: []
  },
  ServiceUpdate: {
    call: (d) => d.services.update("svc1", { Name: "svc" }, { version: 4, rollback: "previous", registryAuth: auth }),
    sends: "POST /services/svc1/update",
    query: { version: "4", rollback: "previous" },
    headers: { "x-registry-auth": Redacted.value(auth) },
    body: { Name: "svc" },
    answer: { Warnings: ["w"] },
    returns: { Warnings: ["w"] }
  },
  SwarmInit: {
    call: (d) => d.swarm.init({ ListenAddr: "0.0.0.0:2377", ForceNewCluster: false }),
    sends: "POST /swarm/init",
    body: { ListenAddr: "0.0.0.0:2377", ForceNewCluster: false },
    answer: "node1",
    returns: "node1"
  },
  SwarmInspect: {
    call: (d) => d.swarm.inspect(),
    sends: "GET /swarm",
    answer: { ID: "sw", JoinTokens: { Worker: "w" } }
  },
  SwarmJoin: {
    call: (d) => d.swarm.join({ ListenAddr: "0.0.0.0:2377", RemoteAddrs: ["10.0.0.1:2377"], JoinToken: "t" }),
    sends: "POST /swarm/join",
    body: { ListenAddr: "0.0.0.0:2377", RemoteAddrs: ["10.0.0.1:2377"], JoinToken: "t" }
  },
  SwarmLeave: { call: (d) => d.swarm.leave({ force: true }), sends: "POST /swarm/leave", query: { force: "true" } },
  SwarmUnlock: {
    call: (d) => d.swarm.unlock({ UnlockKey: "k" }),
    sends: "POST /swarm/unlock",
    body: { UnlockKey: "k" }
  },
  SwarmUnlockkey: {
    call: (d) => d.swarm.unlockKey(),
    sends: "GET /swarm/unlockkey",
    answer: { UnlockKey: "k" },
    returns: { UnlockKey: "k" }
  },
  SwarmUpdate: {
    call: (d) => d.swarm.update({ Name: "default" }, { version: 9, rotateWorkerToken: true }),
    sends: "POST /swarm/update",
    query: { version: "9", rotateWorkerToken: "true" },
    body: { Name: "default" }
  },
  SystemAuth: {
    call: (d) => d.system.auth({ username: "u", password: Redacted.make("p"), serverAddress: "r" }),
    sends: "POST /auth",
    body: { username: "u", password: "p", serveraddress: "r" },
    answer: { Status: "Login Succeeded" },
    returns: { Status: "Login Succeeded" }
  },
  SystemDataUsage: {
    call: (d) => d.system.df({ type: ["image", "volume"] }),
    sends: "GET /system/df",
    query: { type: ["image", "volume"] },
    answer: { LayersSize: 5, Images: [], Containers: null },
    returns: { LayersSize: 5, Images: [] }
  },
  SystemInfo: {
    call: (d) => d.system.info(),
    sends: "GET /info",
    answer: { ID: "x", Containers: 1 },
    returns: { ID: "x", Containers: 1 }
  },
  SystemPing: { call: (d) => d.system.ping(), sends: "GET /_ping", answer: "OK", returns: "OK" },
  SystemPingHead: { call: (d) => d.system.pingHead(), sends: "HEAD /_ping", returns: "" },
  SystemVersion: {
    call: (d) => d.system.version(),
    sends: "GET /version",
    answer: { Version: "20.10", ApiVersion: "1.41" },
    returns: { Version: "20.10", ApiVersion: "1.41" }
  },
  TaskInspect: {
    call: (d) => d.tasks.inspect("t1"),
    sends: "GET /tasks/t1",
    answer: { ID: "t1" },
    returns: { ID: "t1" }
  },
  TaskList: {
    call: (d) => d.tasks.list({ filters }),
    sends: "GET /tasks",
    query: { filters: filtersQuery },
    answer: []
  },
  VolumeCreate: {
    call: (d) => d.volumes.create({ Name: "v", Labels: { a: "b" } }),
    sends: "POST /volumes/create",
    body: { Name: "v", Labels: { a: "b" } },
    answer: { Name: "v", Driver: "local", Mountpoint: "/m", Labels: null, Scope: "local", Options: null },
    returns: { Name: "v", Driver: "local", Mountpoint: "/m", Labels: {}, Scope: "local", Options: {} }
  },
  VolumeDelete: {
    call: (d) => d.volumes.remove("v", { force: true }),
    sends: "DELETE /volumes/v",
    query: { force: "true" }
  },
  VolumeInspect: {
    call: (d) => d.volumes.inspect("v"),
    sends: "GET /volumes/v",
    answer: { Name: "v", Driver: "local", Mountpoint: "/m", Labels: {}, Scope: "local", Options: {} }
  },
  VolumeList: {
    call: (d) => d.volumes.list({ filters }),
    sends: "GET /volumes",
    query: { filters: filtersQuery },
    answer: { Volumes: null, Warnings: null }
  },
  VolumePrune: {
    call: (d) => d.volumes.prune({ filters }),
    sends: "POST /volumes/prune",
    query: { filters: filtersQuery },
    answer: { VolumesDeleted: ["v"], SpaceReclaimed: 1 }
  },
  VolumeUpdate: {
    call: (d) => d.volumes.update("v", { Spec: { Group: "g" } }, { version: 1 }),
    sends: "PUT /volumes/v",
    query: { version: "1" },
    body: { Spec: { Group: "g" } }
  }
}

const answerFor = (c: Case): MockTransport.Reply =>
  c.answer === undefined
    ? MockTransport.empty(c.sends.startsWith("HEAD") ? 200 : 204)
    : typeof c.answer === "string" && c.sends.endsWith("/_ping")
    ? MockTransport.text(c.answer)
    : MockTransport.json(c.answer, 200)

describe("every generated operation", () => {
  for (const [operation, c] of Object.entries(cases)) {
    it.effect(`${operation}: sends ${c.sends} and decodes the answer`, () =>
      Effect.gen(function*() {
        const docker = yield* Docker.Docker
        const result = yield* c.call(docker)
        const [sent, ...more] = yield* MockTransport.requests
        expect(more).toEqual([])
        const [method, path] = c.sends.split(" ")
        expect(sent!.method).toBe(method)
        expect(sent!.path).toBe(`/v1.55${path}`)
        const query: Record<string, string | Array<string>> = {}
        for (const key of new Set(sent!.query.keys())) {
          const values = sent!.query.getAll(key)
          query[key] = values.length > 1 ? values : values[0]!
        }
        expect(query).toEqual(c.query ?? {})
        for (const [name, value] of Object.entries(c.headers ?? {})) expect(sent!.headers[name]).toBe(value)
        if (c.body === undefined) expect(sent!.text).toBe("")
        else {
          expect(sent!.headers["content-type"]).toBe("application/json")
          expect(JSON.parse(sent!.text)).toEqual(c.body)
        }
        if (c.returns !== undefined) expect(result).toMatchObject(c.returns as object)
      }).pipe(Effect.provide(MockTransport.layerDocker(() => answerFor(c), { apiVersion: "1.55" }))))
  }

  it.effect("covers every generated operation", () =>
    Effect.gen(function*() {
      const manifest = JSON.parse(Fs.readFileSync(new URL("../src/generated/operations.json", import.meta.url), "utf8"))
      const generated = (manifest.operations as Array<{ id: string; generated: boolean }>).filter((op) => op.generated)
        .map((op) => op.id)
      expect(Object.keys(cases).sort()).toEqual(generated.sort())
    }))
})
