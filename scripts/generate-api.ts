/**
 * Generates `packages/client/src/generated/` from the Engine API specification, in three steps:
 * read the specifications and the CHANGELOG (`generate-api/read.ts`), build the model of every
 * schema and operation (`generate-api/model.ts`, with the overrides of
 * `generate-api.overrides.ts` for what the specification cannot say), and emit the modules
 * (`generate-api/emit.ts`):
 * - `Schemas.ts`: an Effect Schema for every definition and for every inline request or response body;
 * - `Operations.ts`: one typed function for every operation that answers with a value, with its
 *   parameters, its error union (from the statuses the specification lists) and the API version it needs;
 * - `Requests.ts`: the request builder of every streaming operation, whose answer is handled by hand;
 * - `Groups.ts`: the operations gathered into the `Docker` service's groups;
 * - `operations.json`: every operation and its parameters, for the coverage report.
 *
 * The output is deterministic; `pnpm generate` runs this and then formats the files, and CI checks
 * that the committed files are current.
 *
 *   tsx scripts/generate-api.ts [path/to/engine-api]
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { emit } from "./generate-api/emit.js"
import { model } from "./generate-api/model.js"
import { read } from "./generate-api/read.js"

const main = (args: ReadonlyArray<string>) => {
  const root = Path.resolve(import.meta.dirname, "..")
  const specDir = args[0] ?? process.env.EFFECT_DOCKER_SPEC_DIR ?? Path.resolve(root, "../shared/engine-api")
  const api = model(read(specDir))
  const outDir = Path.join(root, "packages/client/src/generated")
  Fs.mkdirSync(outDir, { recursive: true })
  for (const [name, text] of Object.entries(emit(api))) Fs.writeFileSync(Path.join(outDir, name), text)
  console.log(
    `generated ${api.schemas.length} schemas, ${api.operations.length} operations and ${api.streamingOps.length} streaming requests` +
      (api.unknownSince.length > 0
        ? `; ${api.unknownSince.length} newer than 1.41 without a CHANGELOG version (assumed 1.42)`
        : "")
  )
}

try {
  main(process.argv.slice(2))
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
}
