#!/usr/bin/env node
/**
 * `effect-docker-fake-engine --listen unix:///tmp/fake.sock [--listen tcp://127.0.0.1:0] [--config options.mjs]`
 *
 * Serves one {@link FakeEngine} on each address until SIGINT or SIGTERM, and prints
 * `listening on <host>` for each. `--config` names a module whose default export is the engine's
 * `FakeEngine.Options` (images, registry, scripts).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Path from "node:path"
import { pathToFileURL } from "node:url"
import * as FakeEngine from "./FakeEngine.js"
import * as FakeEngineServer from "./FakeEngineServer.js"

const usage =
  "usage: effect-docker-fake-engine --listen unix:///path/docker.sock|tcp://127.0.0.1:PORT [--config module]"

const parseArgs = (args: ReadonlyArray<string>) => {
  const listen: Array<string> = []
  let config: string | undefined
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i]!.split(/=(.*)/s, 2)
    const value = inline ?? args[++i]
    if (value === undefined) throw new Error(`${flag} needs a value\n${usage}`)
    if (flag === "--listen") listen.push(value)
    else if (flag === "--config") config = value
    else throw new Error(`unknown option ${flag}\n${usage}`)
  }
  if (listen.length === 0) throw new Error(usage)
  return { listen, config }
}

const program = Effect.gen(function*() {
  const { config, listen } = yield* Effect.try(() => parseArgs(process.argv.slice(2)))
  const options: FakeEngine.Options = config === undefined
    ? {}
    : (yield* Effect.promise(() => import(pathToFileURL(Path.resolve(config)).href))).default
  const engine = FakeEngine.make(options)
  for (const address of listen) {
    const server = yield* FakeEngineServer.serve(engine, address)
    process.stdout.write(`listening on ${server.host}\n`)
  }
  yield* Effect.async<void>((resume) => {
    const stop = () => resume(Effect.void)
    process.once("SIGINT", stop)
    process.once("SIGTERM", stop)
  })
})

Effect.runPromise(Effect.scoped(program)).then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  }
)
