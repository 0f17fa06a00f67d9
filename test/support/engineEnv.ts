/**
 * Reads an engine's env file (scripts/test-engine.sh): its `export NAME=value` lines.
 */
import * as Fs from "node:fs"

export const readEngineEnv = (file: string): Record<string, string> =>
  Object.fromEntries(
    Fs.readFileSync(file, "utf8").split("\n").flatMap((line) => {
      const match = /^export ([A-Z0-9_]+)=(.*)$/.exec(line)
      return match ? [[match[1]!, match[2]!]] : []
    })
  )
