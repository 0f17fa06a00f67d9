import { Docker } from "@effect-docker/client"
import { Tar } from "@effect-docker/node"
import * as Chunk from "effect/Chunk"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as ChildProcess from "node:child_process"
import * as Crypto from "node:crypto"
import * as Fs from "node:fs"
import type * as Http from "node:http"
import { ReaperError } from "../TestContainerError.js"

/** The label that marks the reaper's own container (it must not remove itself). */
export const reaperLabel = "org.effect-docker.reaper"

/**
 * The reaper's program, run by `node -e` in its container with the engine's socket mounted. It
 * says `ready` once it reads its stdin, and when that ends (the test process closed its attach,
 * or died and the kernel closed its connection, which makes the engine end the container's stdin)
 * it removes every container, network and volume with the session's label, twice a second apart
 * for what a create still in flight made, and exits (the engine removes it: `AutoRemove`).
 *
 * It is source text for another process: only Node's built-ins, nothing from this module's scope.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const program = (): void => {
  const http = require("node:http") as typeof Http
  const label = process.env.REAPER_SESSION_LABEL!
  const socketPath = process.env.REAPER_SOCKET ?? "/var/run/docker.sock"
  const call = (method: string, path: string) =>
    new Promise<{ readonly status: number; readonly body: string }>((resolve) => {
      const request = http.request({ socketPath, method, path }, (response) => {
        const chunks: Array<Buffer> = []
        response.on("data", (chunk: Buffer) => chunks.push(chunk))
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }))
      })
      request.on("error", (error) => resolve({ status: 0, body: String(error) }))
      request.end()
    })
  const list = async (path: string): Promise<Array<Record<string, unknown>>> => {
    const filters = encodeURIComponent(JSON.stringify({ label: [label] }))
    const answer = await call("GET", `${path}${path.includes("?") ? "&" : "?"}filters=${filters}`)
    if (answer.status !== 200) return []
    const body = JSON.parse(answer.body)
    return Array.isArray(body) ? body : (body.Volumes ?? [])
  }
  const reap = async () => {
    const removed: Record<string, number> = { containers: 0, networks: 0, volumes: 0 }
    for (const container of await list("/containers/json?all=1")) {
      const answer = await call("DELETE", `/containers/${container.Id}?force=1&v=1`)
      if (answer.status === 204) removed.containers!++
    }
    for (const network of await list("/networks")) {
      if ((await call("DELETE", `/networks/${network.Id}`)).status === 204) removed.networks!++
    }
    for (const volume of await list("/volumes")) {
      if ((await call("DELETE", `/volumes/${volume.Name}?force=1`)).status === 204) removed.volumes!++
    }
    return removed
  }
  process.stdin.on("data", () => {})
  process.stdin.on("end", async () => {
    const first = await reap()
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const second = await reap()
    process.stdout.write(`reaped ${JSON.stringify({ first, second })}\n`)
    process.exit(0)
  })
  process.stdout.write("ready\n")
}
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * The program as the source text `node -e` runs. Transpilers that keep function names (esbuild,
 * as tsx and vitest run it) call a `__name` helper inside the function's text: defined here.
 */
export const programSource = `var __name = (target) => target;\n(${program.toString()})()`

/**
 * The shared libraries a binary loads, as `ldd` lists them, with the loader: what an image made of
 * that binary alone needs beside it.
 */
const libraries = (binary: string): ReadonlyArray<string> =>
  ChildProcess.execFileSync("ldd", [binary]).toString()
    .split("\n")
    .flatMap((line) => {
      const path = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line)?.[1]
      return path === undefined ? [] : [path]
    })

/**
 * An image holding only this process's own `node` binary and the libraries it loads, made
 * offline from the host's files (`images.import` of a root filesystem): no base image to pull.
 * Its tag is the binary's version and architecture, so it is made once per engine.
 */
export const localImage = Effect.gen(function*() {
  const docker = yield* Docker.Docker
  const tag = `effect-docker-reaper:node-${process.version.slice(1)}-${process.arch}`
  const present = yield* Effect.isSuccess(docker.images.inspect(tag))
  if (present) return tag
  if (process.platform !== "linux") {
    return yield* new ReaperError({
      message: `the reaper's image is made from this process's node binary, which runs in Linux containers ` +
        `only: pass the reaper an image with node (e.g. node:22-alpine)`
    })
  }
  const binary = Fs.realpathSync(process.execPath)
  const files = yield* Effect.try({
    try: () => {
      const all: Record<string, string> = { "usr/local/bin/node": binary }
      for (const library of libraries(binary)) all[library.slice(1)] = Fs.realpathSync(library)
      return all
    },
    catch: (cause) => new ReaperError({ message: `cannot list the libraries of ${binary}: ${String(cause)}`, cause })
  })
  yield* docker.images.import(Tar.fromPaths(files), {
    repo: "effect-docker-reaper",
    tag: tag.split(":")[1]!,
    changes: [`LABEL ${reaperLabel}.image=true`]
  })
  return tag
})

/** The session's id: random, short enough for labels and names. */
export const sessionId = () => Crypto.randomBytes(8).toString("hex")

/**
 * Starts the reaper for the session's label, attached to its stdin for as long as the scope
 * lasts; returns its container id once it says it is ready. The scope's close ends its stdin, and
 * it reaps what is left; the release waits for it to be gone, within `stopWait`.
 */
export const start = (options: {
  readonly image: string
  readonly socket: string
  readonly label: string
  readonly sessionId: string
  readonly stopWait: Duration.DurationInput
}) =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const container = yield* docker.containers.create({
      Image: options.image,
      Entrypoint: ["node", "-e", programSource],
      Cmd: [],
      Env: [
        `REAPER_SESSION_LABEL=${options.label}`,
        "REAPER_SOCKET=/var/run/docker.sock",
        "PATH=/usr/local/bin:/usr/bin:/bin"
      ],
      Labels: { [reaperLabel]: options.sessionId },
      OpenStdin: true,
      StdinOnce: true,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      HostConfig: {
        AutoRemove: true,
        Binds: [`${options.socket}:/var/run/docker.sock`],
        NetworkMode: "none"
      }
    }, { name: `effect-docker-reaper-${options.sessionId}` })
    const session = yield* docker.containers.attach(container.Id, { stdin: true })
    yield* Effect.addFinalizer(() =>
      // Ending stdin is the signal; the reaper then removes itself (AutoRemove).
      Effect.zipRight(
        session.closeStdin,
        docker.containers.wait(container.Id, { condition: "removed" }).pipe(
          Effect.timeout(options.stopWait),
          Effect.ignore
        )
      )
    )
    yield* docker.containers.start(container.Id)
    // Its first line is `ready`; what it wrote instead (a node that cannot run) is the error's.
    const said = yield* session.output.pipe(
      Stream.map((frame) => new TextDecoder().decode(frame.data)),
      Stream.splitLines,
      Stream.takeUntil((line) => line === "ready"),
      Stream.take(20),
      Stream.runCollect
    )
    const lines = Chunk.toReadonlyArray(said)
    return { id: container.Id, ready: lines.at(-1) === "ready", output: lines.join("\n") }
  })
