/**
 * Starts the project's private engine (scripts/test-engine.sh) for the integration tests, unless
 * the environment already names one (scripts/with-engine.sh or a running `pnpm engine:start`), and
 * stops it afterwards. Fails, never skips, when the engine cannot start.
 */
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import type { TestProject } from "vitest/node"

const script = Path.resolve(import.meta.dirname, "../../scripts/test-engine.sh")

const readEnvFile = (file: string): Record<string, string> =>
  Object.fromEntries(
    Fs.readFileSync(file, "utf8").split("\n").flatMap((line) => {
      const match = /^export ([A-Z_]+)=(.*)$/.exec(line)
      return match ? [[match[1]!, match[2]!]] : []
    })
  )

export default function setup(project: TestProject) {
  // A fresh request log for this run's coverage report (see test/helpers.ts).
  const requestLog = Path.resolve(import.meta.dirname, "../../coverage/engine-requests.jsonl")
  Fs.mkdirSync(Path.dirname(requestLog), { recursive: true })
  Fs.writeFileSync(requestLog, "")
  let started = false
  if (process.env.EFFECT_DOCKER_TEST_SOCKET === undefined) {
    const running = (() => {
      try {
        execFileSync("bash", [script, "status"], { stdio: "ignore" })
        return true
      } catch {
        return false
      }
    })()
    const envFile = execFileSync("bash", [script, "start"], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })
      .trim()
    Object.assign(process.env, readEnvFile(envFile))
    started = !running
  }
  // Tests written as users write them (examples/testing) find the engine where users put it.
  process.env.DOCKER_HOST = `unix://${process.env.EFFECT_DOCKER_TEST_SOCKET}`
  const keys = Object.keys(process.env).filter((key) => key.startsWith("EFFECT_DOCKER_TEST_"))
  project.provide("engine", Object.fromEntries(keys.map((key) => [key, process.env[key]!])))
  return () => {
    if (started) execFileSync("bash", [script, "stop"], { stdio: "inherit" })
  }
}

declare module "vitest" {
  export interface ProvidedContext {
    engine: Record<string, string>
  }
}
