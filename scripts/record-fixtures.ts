/**
 * Records real answers of each test engine (scripts/test-engine.sh) into
 * packages/client/test/fixtures/<engine>/<Operation>.json, with the engine's version and the schema
 * the client decodes the answer with; packages/client/test/Fixtures.test.ts decodes each with the
 * generated schema and with the fast decoder, which must agree. Every operation that answers
 * with a JSON body is recorded, writes and swarm operations included, and the line streams
 * (events, stats, pull, push and build progress) as their lines. The objects it makes carry a
 * label and are removed afterwards, and the engine leaves the swarm it made.
 *
 * Not recorded, because these engines cannot answer them here: `ImageSearch` (Docker Hub, no
 * internet), `ImageAttestations` (API 1.55), `GetPluginPrivileges` and `PluginInspect` (a plugin
 * in a registry: test/plugins.test.ts makes one and decodes both).
 *
 *   pnpm fixtures:record
 */
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Http from "node:http"
import * as Path from "node:path"
import * as TarStream from "tar-stream"
import { readEngineEnv } from "../test/support/engineEnv.js"

const root = Path.resolve(import.meta.dirname, "..")
const script = Path.join(root, "scripts/test-engine.sh")
const operations = Fs.readFileSync(Path.join(root, "packages/client/src/generated/Operations.ts"), "utf8")
/** The schema each generated operation decodes its answer with, read from the generated code. */
const schemaOf = new Map(
  operations.split("\nexport const ").flatMap((code) => {
    const match = /^(\w+) =[^]*?engine\.json\(Schemas\.(\w+)/.exec(code)
    return match ? [[match[1]!, match[2]!] as const] : []
  })
)

interface Call {
  readonly method: string
  readonly path: string
  readonly body?: unknown
  readonly headers?: Record<string, string>
}

const call = ({ body, headers = {}, method, path }: Call, socket: string) =>
  new Promise<{ status: number; text: string }>((resolve, reject) => {
    const raw = body instanceof Uint8Array
    const request = Http.request(
      {
        socketPath: socket,
        method,
        path,
        headers: body === undefined
          ? headers
          : { "content-type": raw ? "application/x-tar" : "application/json", ...headers }
      },
      (response) => {
        const chunks: Array<Buffer> = []
        response.on("data", (chunk: Buffer) => chunks.push(chunk))
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }))
      }
    )
    request.on("error", reject)
    request.end(body === undefined ? undefined : raw ? body : JSON.stringify(body))
  })

/** A tar holding one Dockerfile: the build context of the recorded build. */
const dockerfileTar = (dockerfile: string) =>
  new Promise<Uint8Array>((resolve, reject) => {
    const pack = TarStream.pack()
    const chunks: Array<Buffer> = []
    pack.on("data", (chunk: unknown) => chunks.push(chunk as Buffer))
    pack.on("end", () => resolve(Buffer.concat(chunks)))
    pack.on("error", reject)
    pack.entry({ name: "Dockerfile" }, dockerfile)
    pack.finalize()
  })

const registryAuth = (auth: object) => Buffer.from(JSON.stringify(auth)).toString("base64url")

execFileSync("bash", [script, "start"], { stdio: ["ignore", "ignore", "inherit"] })
for (const [engine, swarmPort] of [["classic", 23780], ["modern", 23781]] as const) {
  const env = readEngineEnv(execFileSync("bash", [script, "env", engine], { encoding: "utf8" }).trim())
  const socket = env.EFFECT_DOCKER_TEST_SOCKET!
  const api = env.EFFECT_DOCKER_TEST_API_VERSION!
  const dir = Path.join(root, "packages/client/test/fixtures", engine)
  const v = (path: string) => `/v${api}${path}`
  const labels = { "effect-docker.fixtures": "record" }
  const labelled = encodeURIComponent(JSON.stringify({ label: ["effect-docker.fixtures=record"] }))
  const recorded = new Set<string>()

  const ok = async (request: Call) => {
    const answer = await call({ ...request, path: v(request.path) }, socket)
    if (answer.status >= 300) throw new Error(`${request.method} ${request.path}: ${answer.status} ${answer.text}`)
    return answer.text
  }
  const write = (operation: string, schema: string, request: Call, fields: object) => {
    const fixture = {
      operation,
      schema,
      engine: env.EFFECT_DOCKER_TEST_ENGINE_VERSION,
      api,
      method: request.method,
      path: request.path,
      ...fields
    }
    Fs.writeFileSync(Path.join(dir, `${operation}.json`), JSON.stringify(fixture, null, 2) + "\n")
    recorded.add(operation)
  }
  /** Sends a request and records its JSON answer under the operation's generated schema. */
  const record = async (operation: string, request: Call, named?: string) => {
    const schema = named ?? schemaOf.get(operation)
    if (schema === undefined) throw new Error(`${operation}: no generated operation decodes with a schema`)
    const body = JSON.parse(await ok(request))
    write(operation, schema, request, { body })
    return body
  }
  /** Sends a request whose answer is JSON lines and records every line. */
  const recordLines = async (operation: string, schema: string, request: Call) => {
    const lines = (await ok(request)).split("\n").map((line) => line.replace(/^\x1e/, "")).filter((line) =>
      line.trim() !== ""
    ).map((line) => JSON.parse(line))
    if (lines.length === 0) throw new Error(`${operation}: the engine sent no lines`)
    write(operation, schema, request, { lines })
    return lines
  }

  Fs.rmSync(dir, { recursive: true, force: true })
  Fs.mkdirSync(dir, { recursive: true })
  const since = Math.floor(Date.now() / 1000) - 1
  const image = `${env.EFFECT_DOCKER_TEST_REGISTRY}/effect-docker/fixtures:${engine}`
  const network = `fixtures-${engine}`
  const volume = `fixtures-${engine}`
  const { Id: container } = await record("ContainerCreate", {
    method: "POST",
    path: "/containers/create",
    body: {
      Image: "busybox",
      Cmd: ["sh", "-c", "echo hi > /tmp/made; sleep 60"],
      Labels: labels,
      Healthcheck: { Test: ["CMD", "true"], Interval: 1_000_000_000 }
    }
  })
  try {
    await record("SystemVersion", { method: "GET", path: "/version" })
    await record("SystemInfo", { method: "GET", path: "/info" })
    await record("SystemAuth", {
      method: "POST",
      path: "/auth",
      body: {
        username: env.EFFECT_DOCKER_TEST_AUTH_USER,
        password: env.EFFECT_DOCKER_TEST_AUTH_PASSWORD,
        serveraddress: env.EFFECT_DOCKER_TEST_AUTH_REGISTRY
      }
    })

    await ok({ method: "POST", path: `/containers/${container}/start` })
    await new Promise((resolve) => setTimeout(resolve, 1500))
    await record("ContainerInspect", { method: "GET", path: `/containers/${container}/json` })
    await record("ContainerList", { method: "GET", path: "/containers/json?all=true" })
    await record("ContainerTop", { method: "GET", path: `/containers/${container}/top` })
    await record("ContainerChanges", { method: "GET", path: `/containers/${container}/changes` })
    await record(
      "ContainerStats",
      { method: "GET", path: `/containers/${container}/stats?stream=false&one-shot=true` },
      "ContainerStatsResponse"
    )
    await record("ContainerUpdate", {
      method: "POST",
      path: `/containers/${container}/update`,
      body: { CpuShares: 512 }
    })
    const { Id: exec } = await record("ContainerExec", {
      method: "POST",
      path: `/containers/${container}/exec`,
      body: { Cmd: ["true"] }
    })
    await record("ExecInspect", { method: "GET", path: `/exec/${exec}/json` })

    const { Id: once } = JSON.parse(
      await ok({
        method: "POST",
        path: "/containers/create",
        body: { Image: "busybox", Cmd: ["true"], Labels: labels }
      })
    )
    await ok({ method: "POST", path: `/containers/${once}/start` })
    await record("ContainerWait", { method: "POST", path: `/containers/${once}/wait` })
    await record("ContainerPrune", { method: "POST", path: `/containers/prune?filters=${labelled}` })

    await record("ImageList", { method: "GET", path: "/images/json" })
    await record("ImageInspect", { method: "GET", path: "/images/busybox/json" })
    await record("ImageHistory", { method: "GET", path: "/images/busybox/history" })
    await record("ImageCommit", {
      method: "POST",
      path: `/commit?container=${container}&repo=fixtures-commit&tag=${engine}`,
      body: { Labels: labels }
    })
    await ok({ method: "POST", path: `/images/fixtures-commit:${engine}/tag?repo=${encodeURIComponent(image)}` })
    await recordLines("ImagePush", "CreateImageInfo", {
      method: "POST",
      path: `/images/${encodeURIComponent(image)}/push`,
      headers: { "x-registry-auth": registryAuth({}) }
    })
    await record("DistributionInspect", { method: "GET", path: `/distribution/${encodeURIComponent(image)}/json` })
    await record("ImageDelete", { method: "DELETE", path: `/images/${encodeURIComponent(image)}` })
    await recordLines("ImageCreate", "CreateImageInfo", {
      method: "POST",
      path: `/images/create?fromImage=${encodeURIComponent(image)}`
    })
    await ok({ method: "DELETE", path: `/images/${encodeURIComponent(image)}` })
    await ok({ method: "DELETE", path: `/images/fixtures-commit:${engine}` })
    await recordLines("ImageBuild", "CreateImageInfo", {
      method: "POST",
      path: `/build?t=fixtures-build:${engine}&labels=${encodeURIComponent(JSON.stringify(labels))}`,
      body: await dockerfileTar("FROM busybox\nRUN echo built > /built\n")
    })
    await ok({ method: "DELETE", path: `/images/fixtures-build:${engine}` })
    await record("ImagePrune", { method: "POST", path: `/images/prune?filters=${labelled}` })
    await record("BuildPrune", { method: "POST", path: "/build/prune" })

    const { Id: networkId } = await record("NetworkCreate", {
      method: "POST",
      path: "/networks/create",
      body: { Name: network, Labels: labels }
    })
    await ok({ method: "POST", path: `/networks/${networkId}/connect`, body: { Container: container } })
    await record("NetworkInspect", { method: "GET", path: `/networks/${networkId}` })
    await record("NetworkList", { method: "GET", path: "/networks" })
    await ok({ method: "POST", path: `/networks/${networkId}/disconnect`, body: { Container: container } })
    await record("NetworkPrune", { method: "POST", path: `/networks/prune?filters=${labelled}` })

    await record("VolumeCreate", { method: "POST", path: "/volumes/create", body: { Name: volume, Labels: labels } })
    await record("VolumeInspect", { method: "GET", path: `/volumes/${volume}` })
    await record("VolumeList", { method: "GET", path: "/volumes" })
    const allVolumes = api === "1.41"
      ? labelled
      : encodeURIComponent(JSON.stringify({ label: ["effect-docker.fixtures=record"], all: ["true"] }))
    await record("VolumePrune", { method: "POST", path: `/volumes/prune?filters=${allVolumes}` })
    await record("SystemDataUsage", { method: "GET", path: "/system/df" })
    await record("PluginList", { method: "GET", path: "/plugins" })

    await record("SwarmInit", {
      method: "POST",
      path: "/swarm/init",
      body: { ListenAddr: `127.0.0.1:${swarmPort}`, AdvertiseAddr: "127.0.0.1", AutoLockManagers: true }
    })
    try {
      await record("SwarmInspect", { method: "GET", path: "/swarm" })
      await record("SwarmUnlockkey", { method: "GET", path: "/swarm/unlockkey" })
      const [node] = await record("NodeList", { method: "GET", path: "/nodes" })
      await record("NodeInspect", { method: "GET", path: `/nodes/${node.ID}` })
      const data = Buffer.from("fixture").toString("base64")
      const { ID: secret } = await record("SecretCreate", {
        method: "POST",
        path: "/secrets/create",
        body: { Name: `fixtures-${engine}`, Data: data, Labels: labels }
      })
      await record("SecretInspect", { method: "GET", path: `/secrets/${secret}` })
      await record("SecretList", { method: "GET", path: "/secrets" })
      const { ID: config } = await record("ConfigCreate", {
        method: "POST",
        path: "/configs/create",
        body: { Name: `fixtures-${engine}`, Data: data, Labels: labels }
      })
      await record("ConfigInspect", { method: "GET", path: `/configs/${config}` })
      await record("ConfigList", { method: "GET", path: "/configs" })
      const spec = {
        Name: `fixtures-${engine}`,
        Labels: labels,
        TaskTemplate: {
          ContainerSpec: {
            Image: "busybox",
            Command: ["sleep", "60"],
            Secrets: [{
              SecretID: secret,
              SecretName: `fixtures-${engine}`,
              File: { Name: "s", UID: "0", GID: "0", Mode: 0o444 }
            }],
            Configs: [{
              ConfigID: config,
              ConfigName: `fixtures-${engine}`,
              File: { Name: "/c", UID: "0", GID: "0", Mode: 0o444 }
            }]
          }
        },
        Mode: { Replicated: { Replicas: 1 } }
      }
      const { ID: service } = await record("ServiceCreate", { method: "POST", path: "/services/create", body: spec })
      const { Version } = await record("ServiceInspect", { method: "GET", path: `/services/${service}` })
      await record("ServiceList", { method: "GET", path: "/services" })
      await record("ServiceUpdate", {
        method: "POST",
        path: `/services/${service}/update?version=${Version.Index}`,
        body: { ...spec, Labels: { ...labels, updated: "yes" } }
      })
      let tasks: Array<{ ID: string; Status: { State: string } }> = []
      for (let attempt = 0; attempt < 60 && !tasks.some((task) => task.Status.State === "running"); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 500))
        tasks = JSON.parse(await ok({ method: "GET", path: "/tasks" }))
      }
      const running = tasks.find((task) => task.Status.State === "running")
      if (running === undefined) throw new Error(`no task of ${service} ran: ${JSON.stringify(tasks)}`)
      await record("TaskList", { method: "GET", path: "/tasks" })
      await record("TaskInspect", { method: "GET", path: `/tasks/${running.ID}` })
    } finally {
      await call({ method: "POST", path: v("/swarm/leave?force=true") }, socket)
    }

    await recordLines("SystemEvents", "EventMessage", {
      method: "GET",
      path: `/events?since=${since}&until=${Math.floor(Date.now() / 1000)}`,
      headers: { accept: "application/x-ndjson" }
    })
    console.log(`${engine} (API ${api}): ${recorded.size} answers recorded in ${Path.relative(root, dir)}`)
  } finally {
    await call({ method: "DELETE", path: v(`/containers/${container}?force=true`) }, socket)
    await call({ method: "DELETE", path: v(`/networks/${network}`) }, socket)
    await call({ method: "DELETE", path: v(`/volumes/${volume}`) }, socket)
  }
}
