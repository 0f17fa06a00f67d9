/**
 * Records real answers of the read operations from each test engine (scripts/test-engine.sh) into
 * packages/client/test/fixtures/<engine>/<Operation>.json, with the engine's version and the schema
 * the operation decodes with; packages/client/test/Fixtures.test.ts decodes each with the generated
 * schema and with the fast decoder, which must agree. The objects read (a container, an exec, a
 * network, a volume) are made here, labelled, and removed afterwards.
 *
 *   pnpm fixtures:record
 */
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Http from "node:http"
import * as Path from "node:path"
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

const call = (socket: string, method: string, path: string, body?: unknown) =>
  new Promise<{ status: number; text: string }>((resolve, reject) => {
    const request = Http.request(
      { socketPath: socket, method, path, headers: body === undefined ? {} : { "content-type": "application/json" } },
      (response) => {
        const chunks: Array<Buffer> = []
        response.on("data", (chunk: Buffer) => chunks.push(chunk))
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }))
      }
    )
    request.on("error", reject)
    request.end(body === undefined ? undefined : JSON.stringify(body))
  })

const ok = async (socket: string, method: string, path: string, body?: unknown) => {
  const answer = await call(socket, method, path, body)
  if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${answer.text}`)
  return answer.text === "" ? undefined : JSON.parse(answer.text)
}

execFileSync("bash", [script, "start"], { stdio: ["ignore", "ignore", "inherit"] })
for (const engine of ["classic", "modern"]) {
  const env = readEngineEnv(execFileSync("bash", [script, "env", engine], { encoding: "utf8" }).trim())
  const socket = env.EFFECT_DOCKER_TEST_SOCKET!
  const api = env.EFFECT_DOCKER_TEST_API_VERSION!
  const v = (path: string) => `/v${api}${path}`
  const labels = { "effect-docker.fixtures": "record" }
  const { Id: container } = await ok(socket, "POST", v("/containers/create"), {
    Image: "busybox",
    Cmd: ["sh", "-c", "echo hi > /tmp/made; sleep 30"],
    Labels: labels,
    Healthcheck: { Test: ["CMD", "true"], Interval: 1_000_000_000 }
  })
  const network = (await ok(socket, "POST", v("/networks/create"), { Name: `fixtures-${engine}`, Labels: labels })).Id
  const volume = (await ok(socket, "POST", v("/volumes/create"), { Name: `fixtures-${engine}`, Labels: labels })).Name
  try {
    await ok(socket, "POST", v(`/containers/${container}/start`))
    await new Promise((resolve) => setTimeout(resolve, 1500))
    const exec = (await ok(socket, "POST", v(`/containers/${container}/exec`), { Cmd: ["true"] })).Id
    // A hand-written (streaming) operation names its schema.
    const reads: ReadonlyArray<readonly [operation: string, path: string, schema?: string]> = [
      ["SystemVersion", "/version"],
      ["SystemInfo", "/info"],
      ["SystemDataUsage", "/system/df"],
      ["ContainerList", "/containers/json?all=true"],
      ["ContainerInspect", `/containers/${container}/json`],
      ["ContainerTop", `/containers/${container}/top`],
      ["ContainerChanges", `/containers/${container}/changes`],
      ["ContainerStats", `/containers/${container}/stats?stream=false&one-shot=true`, "ContainerStatsResponse"],
      ["ExecInspect", `/exec/${exec}/json`],
      ["ImageList", "/images/json"],
      ["ImageInspect", "/images/busybox/json"],
      ["ImageHistory", "/images/busybox/history"],
      ["NetworkList", "/networks"],
      ["NetworkInspect", `/networks/${network}`],
      ["VolumeList", "/volumes"],
      ["VolumeInspect", `/volumes/${volume}`],
      ["PluginList", "/plugins"]
    ]
    const dir = Path.join(root, "packages/client/test/fixtures", engine)
    Fs.mkdirSync(dir, { recursive: true })
    for (const [operation, path, named] of reads) {
      const schema = named ?? schemaOf.get(operation)
      if (schema === undefined) throw new Error(`${operation}: no generated operation decodes with a schema`)
      const body = await ok(socket, "GET", v(path))
      const fixture = { operation, schema, engine: env.EFFECT_DOCKER_TEST_ENGINE_VERSION, api, path, body }
      Fs.writeFileSync(Path.join(dir, `${operation}.json`), JSON.stringify(fixture, null, 2) + "\n")
    }
    console.log(`${engine} (API ${api}): ${reads.length} answers recorded in ${Path.relative(root, dir)}`)
  } finally {
    await call(socket, "DELETE", v(`/containers/${container}?force=true`))
    await call(socket, "DELETE", v(`/networks/${network}`))
    await call(socket, "DELETE", v(`/volumes/${volume}`))
  }
}
