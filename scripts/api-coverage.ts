/**
 * Prints how much of the Engine API effect-docker covers, computed, not typed by hand:
 * - typed: the operations the `Docker` service offers as a function (generated or stream-based);
 * - tested against the engine: the operations the real engine answered with success during the
 *   last integration run (coverage/engine-requests.jsonl, written by test/helpers.ts).
 *
 *   pnpm api:coverage [--list]
 */
import { Docker } from "@effect-docker/client"
import { MockTransport } from "@effect-docker/testing"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"

interface ManifestOperation {
  readonly id: string
  readonly method: string
  readonly path: string
  readonly group: string
  readonly name: string
}

const root = Path.resolve(import.meta.dirname, "..")
const manifest: { operations: Array<ManifestOperation> } = JSON.parse(
  Fs.readFileSync(Path.join(root, "packages/client/src/generated/operations.json"), "utf8")
)

const docker = Effect.runSync(
  Effect.scoped(Effect.provide(Docker.Docker, MockTransport.layerDocker(() => undefined, { apiVersion: "1.41" })))
) as unknown as Record<string, Record<string, unknown> | undefined>
const typed = manifest.operations.filter((op) => typeof docker[op.group]?.[op.name] === "function")

const log = Path.join(root, "coverage/engine-requests.jsonl")
const answered: Array<{ method: string; path: string; status: number }> = Fs.existsSync(log)
  ? Fs.readFileSync(log, "utf8").split("\n").filter((line) => line !== "").map((line) => JSON.parse(line))
  : []
// Literal paths first, so that `/containers/json` is not taken for `/containers/{id}`.
const matchers = manifest.operations
  .map((op) => ({
    op,
    regex: new RegExp(`^(/v[0-9.]+)?${op.path.replace(/\{[^}]+\}/g, "[^/]+")}$`),
    literal: !op.path.includes("{")
  }))
  .sort((a, b) => Number(b.literal) - Number(a.literal))
const tested = new Set<string>()
for (const request of answered) {
  if (!(request.status >= 200 && request.status < 300) && request.status !== 101) continue
  const match = matchers.find(({ op, regex }) => op.method === request.method && regex.test(request.path))
  if (match !== undefined) tested.add(match.op.id)
}

const total = manifest.operations.length
console.log(`operations: ${typed.length}/${total} typed, ${tested.size}/${total} tested against the engine`)
if (process.argv.includes("--list")) {
  for (const op of manifest.operations) {
    const marks = `${typed.includes(op) ? "typed" : "     "} ${tested.has(op.id) ? "tested" : "      "}`
    console.log(`${marks}  ${op.id.padEnd(26)} docker.${op.group}.${op.name}`)
  }
}
