/**
 * Brings up the test swarm (scripts/test-engine.sh swarm-start: three engines, one swarm) for the
 * swarm project, unless it is up already, and stops it after the run when this project started it.
 * Fails, never skips, when it cannot start. Its requests are logged for `pnpm api:coverage` as the
 * "swarm" engine's.
 */
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import type { TestProject } from "vitest/node"
import { readEngineEnv } from "../support/engineEnv.js"
import { requestLogFor } from "../support/requestLog.js"

const script = Path.resolve(import.meta.dirname, "../../scripts/test-engine.sh")

const isRunning = () => {
  try {
    execFileSync("bash", [script, "swarm-status"], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
}

export default function setup(project: TestProject) {
  const started = !isRunning()
  execFileSync("bash", [script, "swarm-start"], { stdio: ["ignore", "ignore", "inherit"] })
  const settings = readEngineEnv(execFileSync("bash", [script, "swarm-env"], { encoding: "utf8" }).trim())
  const requestLog = requestLogFor("swarm")
  Fs.mkdirSync(Path.dirname(requestLog), { recursive: true })
  Fs.writeFileSync(
    requestLog,
    JSON.stringify({
      engine: "swarm",
      version: settings.EFFECT_DOCKER_TEST_ENGINE_VERSION,
      api: settings.EFFECT_DOCKER_TEST_API_VERSION
    }) + "\n"
  )
  project.provide("engine", settings)
  return () => {
    if (started) execFileSync("bash", [script, "swarm-stop"], { stdio: "inherit" })
  }
}
