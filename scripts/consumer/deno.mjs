// Deno with the packages npm installed: `npm:` specifiers, resolved from the project's
// node_modules (Deno's "manual" mode, as with any npm-installed package.json project).
// With `--denied` (run without --allow-write): the layer fails with a DockerConfigError that
// names the flag, in the error channel.
import { DenoDocker } from "npm:@effect-docker/deno"
import { Effect, Layer } from "npm:effect"
import { program } from "./runtime.mjs"

if (Deno.args[0] === "--denied") {
  const error = await Effect.runPromise(Effect.scoped(Effect.flip(Layer.build(DenoDocker.layerFromEnv()))))
  if (error._tag !== "DockerConfigError" || !error.message.includes("--allow-write")) {
    throw new Error(`expected a DockerConfigError naming --allow-write, got ${error._tag}: ${error.message}`)
  }
  console.log(`Deno without --allow-write: ${error.message}`)
} else {
  await program(`Deno ${Deno.version.deno}`, DenoDocker.layerFromEnv())
}
