/**
 * Where the integration tests record what each engine answered, for `pnpm api:coverage`: one JSON
 * line per request (`method`, `path`, `status`) after a header line naming the engine and its API.
 */
import * as Path from "node:path"

export const requestLogFor = (engine: string) =>
  Path.resolve(import.meta.dirname, `../../coverage/engine-requests-${engine}.jsonl`)
