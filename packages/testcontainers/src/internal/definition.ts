import { DockerConfigError } from "@effect-docker/client/DockerError"
import * as RunOptions from "@effect-docker/client/RunOptions"
import { Tar } from "@effect-docker/node"
import * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import * as Crypto from "node:crypto"
import * as Fs from "node:fs"
import * as Path from "node:path"
import type { CopyIn, Definition } from "../TestContainer.js"

/** The label of a reusable container: the hash of what made it. */
export const reuseLabel = "org.effect-docker.reuse-hash"

/** JSON with object keys sorted: the same value gives the same text, whatever the order it was written in. */
const stableJson = (value: unknown): string =>
  JSON.stringify(
    value,
    (_, inner: unknown) =>
      inner !== null && typeof inner === "object" && !Array.isArray(inner) && !(inner instanceof Uint8Array)
        ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : inner
  )

/**
 * The run options of a definition: its published ports (`exposedPorts` on ports the engine
 * picks), tmpfs and privilege in the host config, and its first network at create (the others
 * are connected before the start, which engines before API 1.44 need).
 */
export const toRunOptions = (
  definition: Definition,
  image: string,
  labels: Readonly<Record<string, string>>
): RunOptions.RunOptions => {
  const { exposedPorts, networks, privileged, tmpfs } = definition
  const ports = {
    ...Object.fromEntries((exposedPorts ?? []).map((port) => [String(port), null])),
    ...definition.ports
  }
  const first = networks?.[0]
  return {
    ...definition,
    image,
    labels: { ...definition.labels, ...labels },
    ports,
    ...(first !== undefined
      ? { network: networkName(first.network), networkAliases: first.aliases ?? [] }
      : definition.networkMode !== undefined
      ? { network: definition.networkMode }
      : {}),
    hostConfig: {
      ...(tmpfs !== undefined ? { Tmpfs: tmpfs } : {}),
      ...(privileged === true ? { Privileged: true } : {}),
      ...definition.hostConfig
    }
  }
}

/** A network attachment's network name. */
export const networkName = (network: string | { readonly name: string }) =>
  typeof network === "string" ? network : network.name

/**
 * The tars of files to copy into a container, each extracted at `/`: in-memory contents at their
 * targets, and host files and folders under theirs (two archives: a tar ends at its first end
 * marker, so they cannot be one stream).
 */
export const archivesOf = (
  files: ReadonlyArray<CopyIn>
): ReadonlyArray<Stream.Stream<Uint8Array, DockerConfigError>> => {
  const relative = (target: string) => target.replace(/^\/+/, "")
  const contents = files.flatMap((file) =>
    "content" in file
      ? [[relative(file.target), file.mode === undefined ? file.content : { content: file.content, mode: file.mode }]]
      : []
  )
  const paths = files.flatMap((file) => ("source" in file ? [[relative(file.target), file.source]] : []))
  return [
    ...(contents.length === 0 ? [] : [Tar.fromFiles(Object.fromEntries(contents))]),
    ...(paths.length === 0 ? [] : [Tar.fromPaths(Object.fromEntries(paths))])
  ]
}

/** The files and folders under a host path, in order, with their sizes and contents hashed. */
const hashPath = (hash: Crypto.Hash, path: string) => {
  const stat = Fs.lstatSync(path)
  hash.update(`${path}\0${stat.mode}\0`)
  if (stat.isDirectory()) {
    for (const name of Fs.readdirSync(path).sort()) hashPath(hash, Path.join(path, name))
  } else if (stat.isSymbolicLink()) {
    hash.update(Fs.readlinkSync(path))
  } else {
    hash.update(Fs.readFileSync(path))
  }
}

/**
 * The hash that says whether a reusable container is the one this definition makes: of its
 * create body, the files copied in (their content, read from the host), its networks and the image.
 */
export const reuseHash = (options: RunOptions.RunOptions, definition: Definition) =>
  Effect.flatMap(
    RunOptions.toCreateBody(options),
    (body) =>
      Effect.try({
        try: () => {
          const hash = Crypto.createHash("sha256")
          hash.update(stableJson({
            body,
            networks: definition.networks?.map((attachment) => ({
              network: networkName(attachment.network),
              aliases: attachment.aliases ?? []
            }))
          }))
          for (const file of definition.files ?? []) {
            hash.update(`\0${file.target}\0`)
            if ("content" in file) hash.update(file.content).update(String(file.mode ?? ""))
            else hashPath(hash, Path.resolve(file.source))
          }
          return hash.digest("hex")
        },
        catch: (cause) =>
          new DockerConfigError({ message: `cannot read the files of a reusable container: ${String(cause)}`, cause })
      })
  )
