/**
 * Starts the project's private engines (scripts/test-engine.sh) for an integration project, unless
 * they are running already (scripts/with-engine.sh or `pnpm engine:start`), and stops them after
 * the run when this project started them. Each project runs the suite against the engine its
 * config names (`EFFECT_DOCKER_TEST_ENGINE`: classic or modern; swarm for the three-node swarm of
 * scripts/test-swarm.sh). Fails, never skips, when the engine cannot start.
 */
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import type { TestProject } from "vitest/node"
import { readEngineEnv } from "../support/engineEnv.js"
import { requestLogFor } from "../support/requestLog.js"

const script = Path.resolve(import.meta.dirname, "../../scripts/test-engine.sh")

/** The script's commands for an engine: the pair of single engines, or the three-node swarm. */
const commandsFor = (engine: string) =>
  engine === "swarm"
    ? { status: ["swarm-status"], start: ["swarm-start"], env: ["swarm-env"], stop: ["swarm-stop"] }
    : { status: ["status"], start: ["start"], env: ["env", engine], stop: ["stop"] }

const succeeds = (args: ReadonlyArray<string>) => {
  try {
    execFileSync("bash", [script, ...args], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
}

export default function setup(project: TestProject) {
  const engine = project.config.env.EFFECT_DOCKER_TEST_ENGINE
  if (engine === undefined) throw new Error(`${project.name}: no EFFECT_DOCKER_TEST_ENGINE in its config`)
  const commands = commandsFor(engine)
  const started = !succeeds(commands.status)
  execFileSync("bash", [script, ...commands.start], { stdio: ["ignore", "ignore", "inherit"] })
  const envFile = execFileSync("bash", [script, ...commands.env], { encoding: "utf8" }).trim()
  const settings = readEngineEnv(envFile)
  // A fresh request log for this run's coverage report (see test/helpers.ts), headed by the
  // engine it was recorded on; one per suite, so that the runtimes' run on the same engines
  // (vitest.runtimes.config.ts) leaves the integration suite's log as it was.
  const requestLog = requestLogFor(project.name.startsWith("integration:") ? engine : project.name.replace(":", "-"))
  Fs.mkdirSync(Path.dirname(requestLog), { recursive: true })
  Fs.writeFileSync(
    requestLog,
    JSON.stringify({
      engine,
      version: settings.EFFECT_DOCKER_TEST_ENGINE_VERSION,
      api: settings.EFFECT_DOCKER_TEST_API_VERSION
    }) +
      "\n"
  )
  project.provide("engine", { ...settings, EFFECT_DOCKER_TEST_REQUEST_LOG: requestLog })
  return () => {
    if (started) execFileSync("bash", [script, ...commands.stop], { stdio: "inherit" })
  }
}

declare module "vitest" {
  export interface ProvidedContext {
    engine: Record<string, string>
  }
}
