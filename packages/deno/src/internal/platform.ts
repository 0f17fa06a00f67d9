/**
 * What `layerFromEnv` needs of Deno beyond its sockets: files (`Deno.readFile`, `Deno.stat`) for
 * the docker CLI's configuration, and processes (`Deno.Command`) for its credential helpers.
 * Deno asks for `--allow-read` (and `--allow-run` for a helper).
 */
import type * as DockerConfig from "@effect-docker/client/DockerConfig"
import * as DockerEnv from "@effect-docker/client/DockerEnv"
import * as Effect from "effect/Effect"

interface DenoChild {
  readonly stdin: WritableStream<Uint8Array>
  output(): Promise<{ readonly code: number; readonly stdout: Uint8Array; readonly stderr: Uint8Array }>
  kill(): void
}

interface DenoPlatform {
  readFile(path: string): Promise<Uint8Array>
  stat(path: string): Promise<unknown>
  readonly errors: { readonly NotFound: new(...args: Array<never>) => Error }
  readonly Command: new(
    program: string,
    options: {
      readonly args: ReadonlyArray<string>
      readonly stdin: "piped"
      readonly stdout: "piped"
      readonly stderr: "piped"
    }
  ) => { spawn(): DenoChild }
}

const api = () => (globalThis as unknown as { readonly Deno: DenoPlatform }).Deno

export const layerFiles = DockerEnv.layerFiles({
  exists: (path) =>
    api().stat(path).then(() => true, (error) => {
      if (error instanceof api().errors.NotFound) return false
      throw error
    }),
  readFile: (path) => api().readFile(path)
})

export const runHelper: DockerConfig.CredentialHelper = (helper, action, input) =>
  Effect.async((resume) => {
    const program = `docker-credential-${helper}`
    const decoder = new TextDecoder()
    let child: DenoChild
    try {
      child = new (api().Command)(program, { args: [action], stdin: "piped", stdout: "piped", stderr: "piped" })
        .spawn()
    } catch (error) {
      const missing = error instanceof api().errors.NotFound
      resume(Effect.fail({
        reason: missing ? `${program} is not on the PATH` : `${program} ${action} failed: ${String(error)}`,
        output: ""
      }))
      return
    }
    const timer = setTimeout(() => child.kill(), 30_000)
    const writer = child.stdin.getWriter()
    // A helper that exits without reading its stdin closes the pipe: its exit status tells.
    writer.write(new TextEncoder().encode(input)).then(() => writer.close()).catch(() => undefined)
    child.output().then(
      ({ code, stderr, stdout }) => {
        clearTimeout(timer)
        const out = decoder.decode(stdout)
        const err = decoder.decode(stderr)
        resume(
          code === 0 ? Effect.succeed(out) : Effect.fail({
            reason: `${program} ${action} failed: ${err.trim() || out.trim() || `exit status ${code}`}`,
            output: out + err
          })
        )
      },
      (error) => {
        clearTimeout(timer)
        resume(Effect.fail({ reason: `${program} ${action} failed: ${String(error)}`, output: "" }))
      }
    )
    return Effect.sync(() => {
      clearTimeout(timer)
      child.kill()
    })
  })
