/**
 * Tar streams from folders and files, and back, with tar-stream: build contexts (with
 * `.dockerignore` rules as the engine applies them, via @balena/dockerignore), archives to put
 * into containers, and the files of archives taken out of them.
 *
 * @since 0.1.0
 */
import type ignoreModule from "@balena/dockerignore"
import { DockerConfigError, DockerStreamError } from "@effect-docker/client/DockerError"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Crypto from "node:crypto"
import * as Fs from "node:fs"
import * as Path from "node:path"
import type * as TarStreamModule from "tar-stream"

/**
 * A build context: the tar to send, and the Dockerfile's name inside it.
 *
 * @since 0.1.0
 * @category models
 */
export interface BuildContext {
  readonly context: Stream.Stream<Uint8Array, DockerConfigError>
  readonly dockerfile: string
}

/**
 * tar-stream and @balena/dockerignore, loaded on first use: a program that never makes or reads a
 * tar does not load them. Both are CommonJS: take their exports from the namespace or from its
 * default, whichever the loader gives.
 */
const loadTarStream = Effect.promise(async (): Promise<typeof TarStreamModule> => {
  const loaded = await import("tar-stream") as typeof TarStreamModule & { readonly default?: typeof TarStreamModule }
  return typeof loaded.pack === "function" ? loaded : loaded.default!
})
const loadIgnore = Effect.promise(async (): Promise<(typeof ignoreModule)["default"]> => {
  const loaded = await import("@balena/dockerignore") as unknown as { readonly default?: unknown }
  return ((loaded.default as { readonly default?: unknown } | undefined)?.default ?? loaded.default ?? loaded) as (
    typeof ignoreModule
  )["default"]
})

interface Entry {
  readonly name: string
  readonly source: string | Uint8Array
  readonly stat: Fs.Stats | undefined
  /** The permission bits of an in-memory file; a file from disk keeps its own. */
  readonly mode?: number | undefined
}

/**
 * An in-memory file of {@link fromFiles}: its content, or its content and permission bits (an
 * executable script: `{ content, mode: 0o755 }`).
 *
 * @since 0.1.0
 * @category models
 */
export type FileContent = string | Uint8Array | { readonly content: string | Uint8Array; readonly mode: number }

const walk = (root: string, relative = ""): Array<string> =>
  Fs.readdirSync(Path.join(root, relative), { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const name = relative === "" ? entry.name : `${relative}/${entry.name}`
      return entry.isDirectory() ? [name, ...walk(root, name)] : [name]
    })

/** Writes entries one after another into a tar, reading files as the consumer pulls. */
const pack = (entries: ReadonlyArray<Entry>): Stream.Stream<Uint8Array, DockerConfigError> =>
  Stream.unwrap(Effect.map(loadTarStream, (TarStream) => {
    const tar = TarStream.pack()
    const writeAll = async () => {
      for (const entry of entries) {
        const stat = entry.stat
        const header = {
          name: entry.name,
          mode: stat ? stat.mode & 0o7777 : entry.mode ?? 0o644,
          mtime: stat ? stat.mtime : new Date(0),
          uid: 0,
          gid: 0
        }
        if (stat?.isDirectory()) {
          await new Promise<void>((resolve, reject) =>
            tar.entry({ ...header, type: "directory" }, (error) => (error ? reject(error) : resolve()))
          )
        } else if (stat?.isSymbolicLink()) {
          const linkname = Fs.readlinkSync(entry.source as string)
          await new Promise<void>((resolve, reject) =>
            tar.entry({ ...header, type: "symlink", linkname }, (error) => (error ? reject(error) : resolve()))
          )
        } else if (typeof entry.source === "string") {
          await new Promise<void>((resolve, reject) => {
            const sink = tar.entry({ ...header, size: stat!.size }, (error) => (error ? reject(error) : resolve()))
            Fs.createReadStream(entry.source as string).on("error", reject).pipe(sink)
          })
        } else {
          await new Promise<void>((resolve, reject) =>
            tar.entry(
              { ...header, size: entry.source.length },
              Buffer.from(entry.source),
              (error) => error ? reject(error) : resolve()
            )
          )
        }
      }
      tar.finalize()
    }
    writeAll().catch((error) => tar.destroy(error))
    return Stream.fromAsyncIterable(
      tar as unknown as AsyncIterable<Uint8Array>,
      (cause) => new DockerConfigError({ message: `cannot make the tar: ${String(cause)}`, cause })
    )
  }))

/**
 * A tar of in-memory files: `{ "dir/name.txt": "content" }`, each with mode 0644 unless given
 * its own.
 *
 * @example
 * ```ts
 * import { Tar } from "@effect-docker/node"
 *
 * const archive = Tar.fromFiles({
 *   "app/config.json": JSON.stringify({ debug: true }),
 *   "app/start.sh": { content: "#!/bin/sh\nexec ./app\n", mode: 0o755 }
 * })
 * // docker.containers.putArchive(id, "/etc", archive)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromFiles = (
  files: Readonly<Record<string, FileContent>>
): Stream.Stream<Uint8Array, DockerConfigError> =>
  pack(
    Object.entries(files).map(([name, file]) => {
      const { content, mode } = typeof file === "string" || file instanceof Uint8Array
        ? { content: file, mode: undefined }
        : file
      return {
        name,
        source: typeof content === "string" ? new TextEncoder().encode(content) : content,
        stat: undefined,
        mode
      }
    })
  )

/**
 * A tar of host files and folders under names of their own: `{ "app/config.json": "./config.json",
 * "app/static": "./public" }`. A folder brings everything under it; files keep their permission
 * bits and symbolic links stay links. Files are read as the consumer pulls, so a large one is
 * never held in memory.
 *
 * @example
 * ```ts
 * import { Tar } from "@effect-docker/node"
 *
 * const archive = Tar.fromPaths({ "etc/nginx/nginx.conf": "./nginx.conf", "srv/www": "./site" })
 * // docker.containers.putArchive(id, "/", archive)
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const fromPaths = (
  paths: Readonly<Record<string, string>>
): Stream.Stream<Uint8Array, DockerConfigError> =>
  Stream.unwrap(Effect.try({
    try: () =>
      pack(
        Object.entries(paths).flatMap(([name, source]) => {
          const full = Path.resolve(source)
          const stat = Fs.lstatSync(full)
          const target = name.replace(/^\/+|\/+$/g, "")
          if (!stat.isDirectory()) return [{ name: target, source: full, stat }]
          return [
            { name: target, source: full, stat },
            ...walk(full).map((inner) => {
              const file = Path.join(full, inner)
              return { name: `${target}/${inner}`, source: file, stat: Fs.lstatSync(file) }
            })
          ]
        })
      ),
    catch: (cause) => new DockerConfigError({ message: `cannot read the files to archive: ${String(cause)}`, cause })
  }))

/**
 * A build context from a folder, as the docker CLI sends it: `.dockerignore` rules applied as the
 * engine applies them, the Dockerfile and `.dockerignore` always included, and a Dockerfile from
 * outside the folder added under a name of its own, which the `.dockerignore` sent names so that
 * it stays out of the image.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Docker } from "@effect-docker/client"
 * import { Tar } from "@effect-docker/node"
 *
 * const build = Effect.gen(function*() {
 *   const docker = yield* Docker.Docker
 *   const { context, dockerfile } = yield* Tar.buildContext("./app")
 *   return yield* docker.images.build(context, { dockerfile, tags: ["app:1"] })
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const buildContext = (
  directory: string,
  options: { readonly dockerfile?: string } = {}
): Effect.Effect<BuildContext, DockerConfigError> =>
  Effect.flatMap(loadIgnore, (createIgnore) =>
    Effect.try({
      try: () => {
        const root = Path.resolve(directory)
        const ignoreFile = Path.join(root, ".dockerignore")
        const ignoreText = Fs.existsSync(ignoreFile) ? Fs.readFileSync(ignoreFile, "utf8") : undefined
        const ignore = createIgnore().add(ignoreText?.split(/\r?\n/) ?? [])
        const dockerfilePath = Path.resolve(root, options.dockerfile ?? "Dockerfile")
        const inside = dockerfilePath.startsWith(root + Path.sep)
        const dockerfile = inside
          ? Path.relative(root, dockerfilePath).split(Path.sep).join("/")
          : `.dockerfile.${Crypto.createHash("sha256").update(dockerfilePath).digest("hex").slice(0, 16)}`
        const alwaysSent = new Set([".dockerignore", dockerfile])
        const entries: Array<Entry> = walk(root)
          .filter((name) => alwaysSent.has(name) || !ignore.ignores(name))
          .filter((name) => inside || name !== ".dockerignore")
          .map((name) => {
            const full = Path.join(root, name)
            return { name, source: full, stat: Fs.lstatSync(full) }
          })
        if (!inside) {
          // As the docker CLI does: the added Dockerfile's name goes into the `.dockerignore` that
          // is sent (made of `.dockerignore` itself when the folder has none), so that the engine
          // leaves it out of `COPY .`; it still reads it to build.
          const sentIgnore = `${ignoreText ?? ".dockerignore"}\n${dockerfile}\n`
          entries.push(
            { name: ".dockerignore", source: new TextEncoder().encode(sentIgnore), stat: undefined },
            { name: dockerfile, source: Fs.readFileSync(dockerfilePath), stat: undefined }
          )
        }
        return { context: pack(entries), dockerfile }
      },
      catch: (cause) =>
        new DockerConfigError({ message: `cannot read the build context ${directory}: ${String(cause)}`, cause })
    }))

/**
 * The regular files of a tar stream, read to its end into memory: for archives of a known,
 * bounded size (a config file, a report), not for a filesystem.
 *
 * @since 0.1.0
 * @category combinators
 */
export const readFiles = <E, R>(
  tar: Stream.Stream<Uint8Array, E, R>
): Effect.Effect<Record<string, Uint8Array>, E | DockerStreamError, R> =>
  Effect.flatMap(
    Effect.zip(Stream.runCollect(tar), loadTarStream),
    ([chunks, TarStream]) =>
      Effect.async<Record<string, Uint8Array>, DockerStreamError>((resume) => {
        const files: Record<string, Uint8Array> = {}
        const extract = TarStream.extract()
        extract.on("entry", (header, stream, next) => {
          const parts: Array<Buffer> = []
          stream.on("data", (part: unknown) => parts.push(part as Buffer))
          stream.on("end", () => {
            if (header.type === "file") files[header.name] = Buffer.concat(parts)
            next()
          })
        })
        extract.on("finish", () => resume(Effect.succeed(files)))
        extract.on(
          "error",
          (cause) => resume(Effect.fail(new DockerStreamError({ message: `not a tar archive: ${cause}` })))
        )
        extract.end(Buffer.concat(Chunk.toReadonlyArray(chunks)))
      })
  )
