/**
 * What the FakeEngine's containers do in the tests that compare it with the real engine: a tiny
 * interpreter for the commands those tests run in busybox (`echo`, `sleep`, `exit` and
 * `sh -c "a; b"` of them), so both engines print and exit alike.
 */
import type { FakeEngine } from "@effect-docker/testing"

type Output = NonNullable<FakeEngine.Script["output"]>[number]

const statement = (text: string): { output?: Output; exit?: number; runs?: true } => {
  const words = text.trim().split(/\s+/)
  if (words[0] === "echo") {
    const toStderr = words.at(-1) === ">&2"
    const message = (toStderr ? words.slice(1, -1) : words.slice(1)).join(" ").replace(/^(['"])(.*)\1$/, "$2")
    return { output: { stream: toStderr ? "stderr" : "stdout", data: `${message}\n` } }
  }
  if (words[0] === "exit") return { exit: Number(words[1] ?? 0) }
  if (words[0] === "sleep") return { runs: true }
  throw new Error(`fakeScripts: no script for "${text}"`)
}

/** The script of a command line; `sleep` runs until stopped. */
export const script = (cmd: ReadonlyArray<string>): FakeEngine.Script => {
  const statements = cmd[0] === "sh" && cmd[1] === "-c" ? cmd[2]!.split(";") : [cmd.join(" ")]
  const output: Array<Output> = []
  for (const text of statements) {
    const step = statement(text)
    if (step.output !== undefined) output.push(step.output)
    if (step.exit !== undefined) return { output, exit: step.exit }
    if (step.runs) return { output }
  }
  return { output, exit: 0 }
}

/**
 * FakeEngine options with the real engine's busybox image (under each of its tags) and these
 * scripts, answering as the real engine's API version.
 */
export const options = (
  busybox: ReadonlyArray<FakeEngine.ImageDefinition>,
  apiVersion: string
): FakeEngine.Options => {
  if (apiVersion !== "1.41" && apiVersion !== "1.51") {
    throw new Error(`the FakeEngine cannot answer as API ${apiVersion}`)
  }
  return {
    apiVersion,
    images: busybox,
    registry: busybox,
    run: (container) => script(container.cmd),
    exec: (_, cmd) => script(cmd)
  }
}
