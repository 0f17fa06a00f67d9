/**
 * What `layerFromEnv` needs of Bun beyond its sockets: files (`Bun.file`) for the docker CLI's
 * configuration, and processes (`Bun.spawn`) for its credential helpers.
 */
import type * as DockerConfig from "@effect-docker/client/DockerConfig"
import * as DockerEnv from "@effect-docker/client/DockerEnv"
import * as Effect from "effect/Effect"

interface BunFile {
  exists(): Promise<boolean>
  bytes(): Promise<Uint8Array>
}

interface BunProcess {
  readonly stdout: ReadableStream<Uint8Array>
  readonly stderr: ReadableStream<Uint8Array>
  readonly exited: Promise<number>
  kill(): void
}

interface BunPlatform {
  file(path: string): BunFile
  spawn(
    command: ReadonlyArray<string>,
    options: {
      readonly stdin: Blob
      readonly stdout: "pipe"
      readonly stderr: "pipe"
      readonly timeout: number
      readonly env: Record<string, string | undefined>
    }
  ): BunProcess
  readonly env: Record<string, string | undefined>
}

const api = () => (globalThis as unknown as { readonly Bun: BunPlatform }).Bun

export const layerFiles = DockerEnv.layerFiles({
  exists: (path) => api().file(path).exists(),
  readFile: (path) => api().file(path).bytes()
})

export const runHelper: DockerConfig.CredentialHelper = (helper, action, input) =>
  Effect.async((resume) => {
    const program = `docker-credential-${helper}`
    let child: BunProcess
    try {
      child = api().spawn([program, action], {
        stdin: new Blob([input]),
        stdout: "pipe",
        stderr: "pipe",
        timeout: 30_000,
        // The environment as it is now: Bun's default is the one the process started with.
        env: api().env
      })
    } catch (error) {
      const missing = (error as { readonly code?: string }).code === "ENOENT"
      resume(Effect.fail({
        reason: missing ? `${program} is not on the PATH` : `${program} ${action} failed: ${String(error)}`,
        output: ""
      }))
      return
    }
    Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]).then(
      ([stdout, stderr, code]) =>
        resume(
          code === 0 ? Effect.succeed(stdout) : Effect.fail({
            reason: `${program} ${action} failed: ${stderr.trim() || stdout.trim() || `exit status ${code}`}`,
            output: stdout + stderr
          })
        ),
      (error) => resume(Effect.fail({ reason: `${program} ${action} failed: ${String(error)}`, output: "" }))
    )
    return Effect.sync(() => child.kill())
  })
