/**
 * Prints how much of the Engine API effect-docker covers, computed, not typed by hand:
 * - typed: the operations the `Docker` service offers as a function (generated or stream-based);
 * - options complete: every query and header parameter of the specification can be set through
 *   the public function (read from its parameter types with the TypeScript checker), or is one the
 *   library sets itself (`hiddenParams` of the generator's overrides, e.g. registry credentials);
 * - tested on each engine: the operations the real engine answered with success during the last
 *   integration run against it (coverage/engine-requests-<engine>.jsonl, written by test/helpers.ts).
 *
 *   pnpm api:coverage [--list]
 */
import { Docker } from "@effect-docker/client"
import { MockTransport } from "@effect-docker/testing"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import ts from "typescript"

interface ManifestOperation {
  readonly id: string
  readonly method: string
  readonly path: string
  readonly group: string
  readonly name: string
  readonly options: ReadonlyArray<{ readonly name: string; readonly in: string; readonly option: string }>
  readonly setByLibrary: ReadonlyArray<string>
  readonly alsoSentBy: ReadonlyArray<string>
}

const root = Path.resolve(import.meta.dirname, "..")
const manifest: { operations: Array<ManifestOperation> } = JSON.parse(
  Fs.readFileSync(Path.join(root, "packages/client/src/generated/operations.json"), "utf8")
)

const docker = Effect.runSync(
  Effect.scoped(Effect.provide(Docker.Docker, MockTransport.layerDocker(() => undefined, { apiVersion: "1.41" })))
) as unknown as Record<string, Record<string, unknown> | undefined>
const typed = manifest.operations.filter((op) => typeof docker[op.group]?.[op.name] === "function")

/**
 * The names of the parameters of every signature of `docker.group.name`, and of the properties of
 * those that are objects.
 */
const optionNames = (() => {
  const probe = Path.join(root, "packages/client/src/.coverage-probe.ts")
  const source = `import type { Docker } from "./Docker.js"\nexport type Service = Docker["Type"]\n`
  const config = ts.getParsedCommandLineOfConfigFile(
    Path.join(root, "packages/client/tsconfig.json"),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} }
  )!
  const host = ts.createCompilerHost(config.options)
  const getSourceFile = host.getSourceFile
  host.getSourceFile = (file, language, ...rest) =>
    file === probe ? ts.createSourceFile(file, source, language) : getSourceFile(file, language, ...rest)
  const program = ts.createProgram({ rootNames: [probe], options: { ...config.options, noEmit: true }, host })
  const checker = program.getTypeChecker()
  const alias = checker.getSymbolAtLocation(
    (program.getSourceFile(probe)!.statements[1] as ts.TypeAliasDeclaration).name
  )!
  const service = checker.getDeclaredTypeOfSymbol(alias)
  const propertyType = (type: ts.Type, name: string) => {
    const property = type.getProperty(name)
    return property === undefined ? undefined : checker.getTypeOfSymbol(property)
  }
  return (group: string, name: string): ReadonlySet<string> => {
    const fn = propertyType(service, group) && propertyType(propertyType(service, group)!, name)
    const names = new Set<string>()
    for (const signature of fn?.getCallSignatures() ?? []) {
      for (const parameter of signature.getParameters()) {
        // A positional parameter sets the option of its name (`getArchive(id, path)`).
        names.add(parameter.getName())
        const type = checker.getNonNullableType(checker.getTypeOfSymbol(parameter))
        for (const member of type.isUnion() ? type.types : [type]) {
          if (!(member.flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection))) continue
          for (const property of checker.getPropertiesOfType(member)) names.add(property.getName())
        }
      }
    }
    return names
  }
})()

const unreachable = new Map(typed.map((op) => {
  const names = new Set([op.name, ...op.alsoSentBy].flatMap((name) => [...optionNames(op.group, name)]))
  return [op.id, op.options.filter((p) => !names.has(p.option) && !op.setByLibrary.includes(p.name))]
}))
const complete = typed.filter((op) => unreachable.get(op.id)!.length === 0)

// Literal paths first, so that `/containers/json` is not taken for `/containers/{id}`.
const matchers = manifest.operations
  .map((op) => ({
    op,
    regex: new RegExp(`^(/v[0-9.]+)?${op.path.replace(/\{[^}]+\}/g, "[^/]+")}$`),
    literal: !op.path.includes("{")
  }))
  .sort((a, b) => Number(b.literal) - Number(a.literal))

/** Per log of the last run: its engine's API version and the operations it answered with success. */
const answeredIn = (engine: string) => {
  const log = Path.join(root, `coverage/engine-requests-${engine}.jsonl`)
  if (!Fs.existsSync(log)) return []
  const [header, ...answered] = Fs.readFileSync(log, "utf8").split("\n").filter((line) => line !== "")
    .map((line) => JSON.parse(line))
  const tested = new Set<string>()
  for (const request of answered) {
    if (!(request.status >= 200 && request.status < 300) && request.status !== 101) continue
    const match = matchers.find(({ op, regex }) => op.method === request.method && regex.test(request.path))
    if (match !== undefined) tested.add(match.op.id)
  }
  return [{ engine, api: String(header.api), tested }]
}

/** The swarm's operations: the three-node test swarm (pnpm test:swarm) answers them. */
const swarmGroups = new Set(["swarm", "nodes", "services", "tasks", "secrets", "configs"])
const swarmOperations = manifest.operations.filter((op) => swarmGroups.has(op.group))
const [swarm] = answeredIn("swarm")

/**
 * Per engine of the last integration run; the swarm's nodes run the modern engine, so what the
 * swarm answered counts for the engine of its API version.
 */
const engines = ["classic", "modern"].flatMap(answeredIn).map(({ api, engine, tested }) => ({
  engine,
  api,
  tested: swarm?.api === api ? new Set([...tested, ...swarm.tested]) : tested
}))

/** Why an operation has no successful answer from the test engines. */
const untestedBecause: Record<string, string> = {
  ImageAttestations: "API 1.55: neither engine has it (the refusal before sending is tested on both)",
  ImageSearch: "searches Docker Hub, which this sandbox cannot reach (the typed failure is tested)",
  VolumeUpdate: "updates cluster volumes, which need a swarm with a CSI plugin (the engine's 503 is tested on 1.51)",
  PluginEnable: "no test enables or disables a plugin yet",
  PluginDisable: "no test enables or disables a plugin yet"
}

const total = manifest.operations.length
console.log(
  [
    `operations: ${typed.length}/${total} typed`,
    `${complete.length}/${total} options complete`,
    ...(engines.length === 0
      ? ["not tested against an engine (run pnpm test:integration first)"]
      : engines.map(({ api, tested }) => `${tested.size}/${total} tested on ${api}`))
  ].join(", ")
)
console.log(
  swarm === undefined
    ? `swarm operations: not tested on the test swarm (run pnpm test:swarm first)`
    : `swarm operations: ${swarmOperations.filter((op) => swarm.tested.has(op.id)).length}/${swarmOperations.length} ` +
      `tested on the three-node swarm (API ${swarm.api})` +
      swarmOperations.filter((op) => !swarm.tested.has(op.id)).map((op) => `\n  not tested on the swarm: ${op.id}`)
        .join("")
)
for (const [id, missing] of unreachable) {
  if (missing.length > 0) console.log(`  ${id}: no option for ${missing.map((p) => `${p.in} ${p.name}`).join(", ")}`)
}
for (const { api, tested } of engines) {
  const untested = manifest.operations.filter((op) => !tested.has(op.id))
  if (untested.length === 0) continue
  console.log(`  not tested on ${api}:`)
  for (const op of untested) {
    const because = untestedBecause[op.id] ??
      (swarm?.tested.has(op.id) === true
        ? `a swarm operation, tested on the three-node swarm of API ${swarm.api}; the ${api} engine runs alone`
        : undefined)
    console.log(`    ${op.id}${because === undefined ? "" : `: ${because}`}`)
  }
}
if (process.argv.includes("--list")) {
  for (const op of manifest.operations) {
    const marks = [
      typed.includes(op) ? "typed" : "     ",
      complete.includes(op) ? "options" : "       ",
      ...engines.map(({ api, tested }) => tested.has(op.id) ? `tested on ${api}` : " ".repeat(10 + api.length))
    ].join(" ")
    console.log(`${marks}  ${op.id.padEnd(26)} docker.${op.group}.${op.name}`)
  }
}
