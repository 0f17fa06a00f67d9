import { Docker, EnginePath } from "@effect-docker/client"
import { afterAll, expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import {
  engineApi,
  engineHas,
  env,
  eventually,
  scopedContainer,
  sleep,
  sweep,
  testLabel,
  transports
} from "./helpers.js"

const engine = transports()[0].layer
const label = { ...testLabel, suite: "api" }

/** Removes what a test made, found by its label, whatever the test's outcome. */
const sweepAll = Effect.gen(function*() {
  const docker = yield* Docker.Docker
  yield* sweep
  const networks = yield* docker.networks.list({ filters: { label: ["effect-docker.test"] } })
  yield* Effect.forEach(networks, (n) => Effect.ignore(docker.networks.remove(n.Id!)))
  const volumes = yield* docker.volumes.list({ filters: { label: ["effect-docker.test"] } })
  yield* Effect.forEach(volumes.Volumes ?? [], (v) => Effect.ignore(docker.volumes.remove(v.Name, { force: true })))
  yield* Effect.ignore(docker.swarm.leave({ force: true }))
})

layer(engine, { timeout: "120 seconds" })("the typed API against the real engine", (it) => {
  afterAll(() => Effect.runPromise(Effect.provide(sweepAll, engine)))

  it.effect("system: info, version, ping, ping HEAD, df, auth against the local registry", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      expect((yield* docker.system.info()).OSType).toBe("linux")
      expect((yield* docker.system.version()).ApiVersion).toBe(engineApi())
      expect(yield* docker.system.ping()).toBe("OK")
      expect(yield* docker.system.pingHead()).toBe("")
      const df = yield* docker.system.df()
      expect(df.Images?.length).toBeGreaterThan(0)
      const auth = yield* docker.system.auth({
        username: "tester",
        password: Redacted.make("secret"),
        serverAddress: env("EFFECT_DOCKER_TEST_REGISTRY")
      })
      expect(auth.Status).toBe("Login Succeeded")
      // An operation newer than the engine fails before anything is sent.
      const newer = yield* Effect.flip(docker.images.attestations("busybox"))
      expect(newer).toMatchObject({ _tag: "DockerVersionError", version: engineApi(), required: "1.55" })
      const newerOption = yield* Effect.flip(docker.images.list({ identity: true }))
      expect(newerOption).toMatchObject({ _tag: "DockerVersionError", version: engineApi(), required: "1.54" })
      // An option of API 1.42: refused before sending on 1.41, sent (to a container that is not there) on 1.51.
      const stopSignal = yield* Effect.flip(docker.containers.stop("x", { signal: "SIGINT" }))
      expect(stopSignal).toMatchObject(
        engineHas("1.42")
          ? { _tag: "NotFound", resource: "container" }
          : { _tag: "DockerVersionError", required: "1.42" }
      )
    }))

  it.scoped("containers: top, changes, rename, pause, unpause, update, resize, kill, prune", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const container = yield* scopedContainer({
        image: "busybox",
        cmd: ["sh", "-c", "touch /tmp/made; sleep 60"],
        tty: true,
        labels: label
      })
      const id = container.Id
      const top = yield* docker.containers.top(id, { psArgs: "-o pid,comm" })
      expect(top.Titles).toEqual(["PID", "COMMAND"])
      // Give the container's first command time to write.
      yield* sleep(300)
      const changes = yield* docker.containers.changes(id)
      expect(changes.some((c) => c.Path === "/tmp" || c.Path === "/tmp/made")).toBe(true)
      const name = `effect-docker-renamed-${id.slice(0, 8)}`
      yield* docker.containers.rename(id, { name })
      expect((yield* docker.containers.inspect(name)).Id).toBe(id)
      yield* docker.containers.pause(id)
      expect((yield* docker.containers.inspect(id)).State?.Status).toBe("paused")
      yield* docker.containers.unpause(id)
      const updated = yield* docker.containers.update(id, {
        RestartPolicy: { Name: "on-failure", MaximumRetryCount: 2 }
      })
      expect(updated.Warnings ?? []).toEqual([])
      expect((yield* docker.containers.inspect(id)).HostConfig?.RestartPolicy?.Name).toBe("on-failure")
      yield* docker.containers.resize(id, { h: 40, w: 100 })
      yield* docker.containers.kill(id, { signal: "SIGKILL" })
      yield* docker.containers.wait(id)
      const pruned = yield* docker.containers.prune({ filters: { label: ["suite=api"] } })
      expect(pruned.ContainersDeleted).toContain(id)
    }))

  it.scoped("exec: create, inspect, resize a running TTY session", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const container = yield* scopedContainer({ image: "busybox", cmd: ["sleep", "60"], labels: label })
      const exec = yield* docker.exec.create(container.Id, { Cmd: ["true"], AttachStdout: true })
      const inspected = yield* docker.exec.inspect(exec.Id)
      expect(inspected).toMatchObject({ ID: exec.Id, Running: false, ContainerID: container.Id })
      // A detached TTY session keeps running; the engine accepts a resize of it.
      const tty = yield* docker.exec.create(container.Id, { Cmd: ["sleep", "5"], Tty: true })
      yield* docker.engine.request({
        method: "POST",
        path: EnginePath.make`/exec/${tty.Id}/start`,
        json: { Detach: true, Tty: true }
      })
      yield* docker.exec.resize(tty.Id, { h: 30, w: 90 })
      expect((yield* docker.exec.inspect(tty.Id)).Running).toBe(true)
      const missing = yield* Effect.flip(docker.exec.inspect("no-such-exec"))
      expect(missing).toMatchObject({ _tag: "NotFound", resource: "exec" })
    }))

  it.scoped("images: tag, history, commit, remove, prune, search errors typed, distribution inspect", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      yield* docker.images.tag("busybox", { repo: "effect-docker-test/tagged", tag: "v1" })
      const tagged = yield* docker.images.inspect("effect-docker-test/tagged:v1")
      expect(tagged.RepoTags).toContain("effect-docker-test/tagged:v1")
      const history = yield* docker.images.history("effect-docker-test/tagged:v1")
      expect(history.length).toBeGreaterThan(0)
      expect(history[0]!.Id).toBe(tagged.Id)
      const container = yield* scopedContainer({ image: "busybox", cmd: ["sh", "-c", "echo x > /made"], labels: label })
      yield* docker.containers.wait(container.Id)
      const committed = yield* docker.images.commit(
        { Labels: { ...label } },
        { container: container.Id, repo: "effect-docker-test/committed", tag: "v1" }
      )
      expect((yield* docker.images.inspect(committed.Id)).Config?.Labels?.suite).toBe("api")
      const removed = yield* docker.images.remove("effect-docker-test/committed:v1")
      expect(removed.some((r) => r.Deleted === committed.Id)).toBe(true)
      yield* docker.images.remove("effect-docker-test/tagged:v1")
      const pruned = yield* docker.images.prune({ filters: { label: ["suite=api"] } })
      expect(pruned.ImagesDeleted ?? []).toEqual([])
      const unknown = yield* Effect.flip(docker.images.history("effect-docker-no-such-image"))
      expect(unknown).toMatchObject({ _tag: "NotFound", resource: "image" })
      // The local v2 registry has no search endpoint: the engine's failure is typed.
      const search = yield* Effect.flip(docker.images.search({ term: `${env("EFFECT_DOCKER_TEST_REGISTRY")}/busybox` }))
      expect(["ServerError", "UnexpectedStatus"]).toContain(search._tag)
      const distribution = yield* docker.distribution.inspect(env("EFFECT_DOCKER_TEST_IMAGE"))
      expect(distribution.Descriptor.mediaType).toContain("manifest")
      expect(distribution.Descriptor.digest).toMatch(/^sha256:/)
    }))

  it.scoped("networks: create, inspect, list, connect, disconnect, remove, prune", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const created = yield* docker.networks.create({ Name: "effect-docker-test-net", Labels: label })
      const id = created.Id
      expect((yield* docker.networks.inspect(id)).Name).toBe("effect-docker-test-net")
      const listed = yield* docker.networks.list({ filters: { label: ["suite=api"] } })
      expect(listed.map((n) => n.Id)).toEqual([id])
      const container = yield* scopedContainer({ image: "busybox", cmd: ["sleep", "60"], labels: label })
      yield* docker.networks.connect(id, { Container: container.Id })
      expect(Object.keys((yield* docker.networks.inspect(id)).Containers ?? {})).toEqual([container.Id])
      yield* docker.networks.disconnect(id, { Container: container.Id, Force: true })
      expect(Object.keys((yield* docker.networks.inspect(id)).Containers ?? {})).toEqual([])
      yield* docker.networks.remove(id)
      const gone = yield* Effect.flip(docker.networks.inspect(id))
      expect(gone).toMatchObject({ _tag: "NotFound", resource: "network" })
      yield* docker.networks.create({ Name: "effect-docker-test-unused", Labels: label })
      const pruned = yield* docker.networks.prune({ filters: { label: ["suite=api"] } })
      expect(pruned.NetworksDeleted).toEqual(["effect-docker-test-unused"])
    }))

  it.effect("volumes: create, inspect, list, remove, prune; update is newer than 1.41", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const volume = yield* docker.volumes.create({ Name: "effect-docker-test-vol", Labels: label })
      expect(volume).toMatchObject({ Name: "effect-docker-test-vol", Driver: "local" })
      expect((yield* docker.volumes.inspect(volume.Name)).Labels).toMatchObject(label)
      const listed = yield* docker.volumes.list({ filters: { label: ["suite=api"] } })
      expect(listed.Volumes?.map((v) => v.Name)).toEqual([volume.Name])
      yield* docker.volumes.remove(volume.Name)
      const gone = yield* Effect.flip(docker.volumes.inspect(volume.Name))
      expect(gone).toMatchObject({ _tag: "NotFound", resource: "volume" })
      yield* docker.volumes.create({ Name: "effect-docker-test-prune", Labels: label })
      // Since API 1.42 the engine prunes only anonymous volumes unless asked for all; `all` asks
      // for all on every engine (1.41 prunes all anyway, and knows no such filter).
      const anonymous = yield* docker.volumes.create({ Labels: label })
      const first = yield* docker.volumes.prune({ filters: { label: ["suite=api"] } })
      expect([...first.VolumesDeleted ?? []].sort()).toEqual(
        engineHas("1.42") ? [anonymous.Name] : [anonymous.Name, "effect-docker-test-prune"].sort()
      )
      const all = yield* docker.volumes.prune({ all: true, filters: { label: ["suite=api"] } })
      expect(all.VolumesDeleted ?? []).toEqual(engineHas("1.42") ? ["effect-docker-test-prune"] : [])
      expect((yield* docker.volumes.list({ filters: { label: ["suite=api"] } })).Volumes).toEqual([])
      // Volume update (API 1.42) is for cluster volumes: the engine has it, and refuses it off a swarm.
      const update = yield* Effect.flip(docker.volumes.update("x", { Spec: {} }, { version: 1 }))
      expect(update._tag).toBe(engineHas("1.42") ? "ServiceUnavailable" : "DockerVersionError")
    }))

  it.effect("plugins and build cache: list, unknown plugin, prune", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      expect(yield* docker.plugins.list()).toEqual([])
      const unknown = yield* Effect.flip(docker.plugins.inspect("effect-docker/no-such-plugin"))
      expect(unknown).toMatchObject({ _tag: "NotFound", resource: "plugin" })
      const pruned = yield* docker.build.prune()
      expect(pruned.SpaceReclaimed).toBeGreaterThanOrEqual(0)
    }))

  it.effect("swarm: init, inspect, unlock key, update, nodes, services, tasks, secrets, configs, leave", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const notInSwarm = yield* Effect.flip(docker.nodes.list())
      expect(notInSwarm._tag).toBe("ServiceUnavailable")
      const nodeId = yield* docker.swarm.init({ ListenAddr: "127.0.0.1:23770", AdvertiseAddr: "127.0.0.1" })
      expect(nodeId.length).toBeGreaterThan(10)
      const swarm = yield* docker.swarm.inspect()
      expect(swarm.JoinTokens?.Worker).toMatch(/^SWMTKN-/)
      expect((yield* docker.swarm.unlockKey()).UnlockKey).toBe("")
      yield* docker.swarm.update({ ...swarm.Spec, Labels: label }, { version: swarm.Version!.Index! })
      expect((yield* docker.swarm.inspect()).Spec?.Labels).toMatchObject(label)

      const [node] = yield* docker.nodes.list()
      expect(node!.ID).toBe(nodeId)
      const inspected = yield* docker.nodes.inspect(nodeId)
      yield* docker.nodes.update(nodeId, { ...inspected.Spec, Labels: label }, { version: inspected.Version!.Index! })
      expect((yield* docker.nodes.inspect(nodeId)).Spec?.Labels).toMatchObject(label)

      const service = yield* docker.services.create({
        Name: "effect-docker-test-svc",
        Labels: label,
        TaskTemplate: {
          ContainerSpec: { Image: "busybox", Command: ["sh", "-c", "echo service-out; echo service-err >&2; sleep 60"] }
        },
        Mode: { Replicated: { Replicas: 1 } }
      })
      const serviceId = service.ID!
      const spec = yield* docker.services.inspect(serviceId)
      expect(spec.Spec?.Name).toBe("effect-docker-test-svc")
      expect((yield* docker.services.list({ filters: { label: ["suite=api"] } })).map((s) => s.ID)).toEqual([serviceId])
      const update = yield* docker.services.update(
        serviceId,
        { ...spec.Spec, Mode: { Replicated: { Replicas: 2 } } },
        { version: spec.Version!.Index! }
      )
      expect(update.Warnings ?? []).toBeInstanceOf(Array)
      // Roll the update back: the engine restores the previous spec (one replica).
      const updated = yield* docker.services.inspect(serviceId)
      expect(updated.Spec?.Mode?.Replicated?.Replicas).toBe(2)
      yield* docker.services.update(serviceId, updated.Spec!, {
        version: updated.Version!.Index!,
        rollback: "previous"
      })
      expect((yield* docker.services.inspect(serviceId)).Spec?.Mode?.Replicated?.Replicas).toBe(1)
      const tasks = yield* docker.tasks.list({ filters: { service: [serviceId] } })
      expect(tasks.length).toBeGreaterThan(0)
      expect((yield* docker.tasks.inspect(tasks[0]!.ID!)).ServiceID).toBe(serviceId)
      // Service and task logs, demultiplexed, once the first task's container has written.
      const serviceLogs = yield* eventually(
        docker.services.logs(serviceId),
        (logs) => logs.stdout.includes("service-out")
      )
      expect(serviceLogs.stderr).toContain("service-err")
      const running =
        (yield* docker.tasks.list({ filters: { service: [serviceId], "desired-state": ["running"] } }))[0]!
      const taskLogs = yield* eventually(docker.tasks.logs(running.ID!), (logs) => logs.stdout !== "")
      expect(taskLogs.stdout).toBe("service-out\n")
      expect(taskLogs.stderr).toBe("service-err\n")
      yield* docker.services.remove(serviceId)
      expect((yield* Effect.flip(docker.services.inspect(serviceId)))._tag).toBe("NotFound")

      const secret = yield* docker.secrets.create({ Name: "effect-docker-secret", Labels: label, Data: btoa("s3cret") })
      const secretInfo = yield* docker.secrets.inspect(secret.Id)
      expect(secretInfo.Spec?.Name).toBe("effect-docker-secret")
      expect(secretInfo.Spec?.Data).toBeUndefined()
      yield* docker.secrets.update(secret.Id, { ...secretInfo.Spec, Labels: { ...label, updated: "yes" } }, {
        version: secretInfo.Version!.Index!
      })
      expect((yield* docker.secrets.list({ filters: { label: ["updated=yes"] } })).map((s) => s.ID)).toEqual([
        secret.Id
      ])
      yield* docker.secrets.remove(secret.Id)

      const config = yield* docker.configs.create({ Name: "effect-docker-config", Labels: label, Data: btoa("a=1") })
      const configInfo = yield* docker.configs.inspect(config.Id)
      expect(atob(configInfo.Spec?.Data ?? "")).toBe("a=1")
      yield* docker.configs.update(config.Id, { ...configInfo.Spec, Labels: { ...label, updated: "yes" } }, {
        version: configInfo.Version!.Index!
      })
      expect((yield* docker.configs.list({ filters: { label: ["updated=yes"] } })).map((c) => c.ID)).toEqual([
        config.Id
      ])
      yield* docker.configs.remove(config.Id)

      // What a single-node swarm refuses still comes back typed. The engine answers with statuses
      // the specification does not list for these operations (409, 400): UnexpectedStatus keeps
      // the error channel to what the operation's type says, with the engine's status and message.
      const unlock = yield* Effect.flip(docker.swarm.unlock({ UnlockKey: "SWMKEY-1-wrong" }))
      const removeSelf = yield* Effect.flip(docker.nodes.remove(nodeId))
      expect(unlock).toMatchObject({ _tag: "UnexpectedStatus", status: 409, message: "swarm is not locked" })
      expect(removeSelf).toMatchObject({ _tag: "UnexpectedStatus", status: 400 })
      expect(removeSelf.message).toMatch(/must be demoted/)

      yield* docker.swarm.leave({ force: true })
      expect((yield* Effect.flip(docker.swarm.inspect()))._tag).toBe("ServiceUnavailable")
    }))
})
