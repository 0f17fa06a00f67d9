/** Reads the Engine API specifications (the newest, and 1.41 for what is newer) and the CHANGELOG. */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { parse } from "yaml"

export type Node = Record<string, any>

export const newestVersion = "1.55"

export interface Specification {
  readonly spec: Node
  readonly oldest: Node
  readonly changelog: string
}

/** The specification in `specDir`, or an error that says where it was looked for. */
export const read = (specDir: string): Specification => {
  if (!Fs.existsSync(Path.join(specDir, `v${newestVersion}.yaml`))) {
    throw new Error(`no Engine API specification in ${specDir}: pass its folder, or set EFFECT_DOCKER_SPEC_DIR`)
  }
  return {
    spec: parse(Fs.readFileSync(Path.join(specDir, `v${newestVersion}.yaml`), "utf8")),
    oldest: parse(Fs.readFileSync(Path.join(specDir, "v1.41.yaml"), "utf8")),
    changelog: Fs.readFileSync(Path.join(specDir, "CHANGELOG.md"), "utf8")
  }
}
