/**
 * Images: what the engine has, what its registry offers to pulls, and the image routes.
 */
import { parseReference } from "@effect-docker/client/Images"
import type * as Schemas from "@effect-docker/client/Schemas"
import type * as FakeEngine from "../../FakeEngine.js"
import * as MockTransport from "../../MockTransport.js"
import type { Route } from "./route.js"
import { apiVersionOf, type EngineState } from "./state.js"
import {
  fail,
  idFor,
  type ImageRecord,
  json,
  type LegacyConfig,
  matchesLabels,
  parseFilters,
  referencePattern,
  rfc3339,
  truthy,
  type Wire,
  zeroTime
} from "./wire.js"

/** A reference as the engine stores it: `repository:tag`, `latest` when none is given. */
export const normalizeReference = (reference: string) => {
  const { repository, tag } = parseReference(reference)
  return reference.includes("@") ? reference : `${repository}:${tag ?? "latest"}`
}

const removeTag = (image: ImageRecord, tag: string) => {
  const at = image.repoTags.indexOf(tag)
  if (at !== -1) image.repoTags.splice(at, 1)
}

/** Adds an image, or its tag to the image with the same id; the tag leaves any other image. */
export const addImage = (engine: EngineState, definition: FakeEngine.ImageDefinition) => {
  const id = definition.id ?? idFor(definition.reference)
  const tag = normalizeReference(definition.reference)
  for (const image of engine.images.values()) removeTag(image, tag)
  const existing = engine.images.get(id)
  if (existing !== undefined) {
    if (!existing.repoTags.includes(tag)) existing.repoTags.push(tag)
    return existing
  }
  const record: ImageRecord = { id, repoTags: [tag], definition }
  engine.images.set(id, record)
  return record
}

/** An image by reference, id or id prefix. */
export const findImage = (engine: EngineState, name: string): ImageRecord | undefined => {
  const tag = normalizeReference(name)
  for (const image of engine.images.values()) if (image.repoTags.includes(tag)) return image
  const hex = name.replace(/^sha256:/, "")
  if (/^[0-9a-f]{4,64}$/.test(hex)) {
    for (const image of engine.images.values()) if (image.id.slice(7).startsWith(hex)) return image
  }
  return undefined
}

const imageSummary = (image: ImageRecord): Wire<typeof Schemas.ImageSummary> & { VirtualSize: number } => ({
  Containers: -1,
  Created: image.definition.created ?? 0,
  Id: image.id,
  Labels: image.definition.labels ?? null,
  ParentId: "",
  RepoDigests: [],
  RepoTags: image.repoTags,
  SharedSize: -1,
  Size: image.definition.size ?? 0,
  VirtualSize: image.definition.size ?? 0
})

const imageConfig = (image: ImageRecord): Wire<typeof Schemas.ImageConfig> & LegacyConfig => ({
  Hostname: "",
  Domainname: "",
  User: "",
  AttachStdin: false,
  AttachStdout: false,
  AttachStderr: false,
  Tty: false,
  OpenStdin: false,
  StdinOnce: false,
  Env: image.definition.env ?? null,
  Cmd: image.definition.cmd ?? null,
  Image: "",
  Volumes: null,
  WorkingDir: image.definition.workingDir ?? "",
  Entrypoint: image.definition.entrypoint ?? null,
  OnBuild: null,
  Labels: image.definition.labels ?? null
})

const imageInspect = (
  image: ImageRecord
): Wire<typeof Schemas.ImageInspect> & { Parent: string; Comment: string; DockerVersion: string } => ({
  Id: image.id,
  RepoTags: image.repoTags,
  RepoDigests: [],
  Parent: "",
  Comment: "",
  Created: rfc3339(new Date((image.definition.created ?? 0) * 1000)),
  DockerVersion: "",
  Author: "",
  Config: imageConfig(image),
  Architecture: "amd64",
  Os: "linux",
  Size: image.definition.size ?? 0,
  GraphDriver: { Data: {}, Name: "vfs" },
  RootFS: { Type: "layers", Layers: [image.id] },
  Metadata: { LastTagTime: zeroTime }
})

/** The progress lines of a pull, as the engine writes them for a one-layer image. */
const pullProgress = (wanted: string, tag: string, record: ImageRecord, upToDate: boolean) => {
  const size = record.definition.size ?? 0
  const layer = record.id.slice(7, 19)
  const from = { status: `Pulling from ${parseReference(wanted).repository}`, id: tag }
  return upToDate
    ? [from, { status: `Digest: ${record.id}` }, { status: `Status: Image is up to date for ${wanted}` }]
    : [
      from,
      { status: "Pulling fs layer", progressDetail: {}, id: layer },
      { status: "Downloading", progressDetail: { current: size, total: size }, id: layer },
      { status: "Download complete", progressDetail: {}, id: layer },
      { status: "Extracting", progressDetail: { current: size, total: size }, id: layer },
      { status: "Pull complete", progressDetail: {}, id: layer },
      { status: `Digest: ${record.id}` },
      { status: `Status: Downloaded newer image for ${wanted}` }
    ]
}

const removeImage = (engine: EngineState, name: string, force: boolean) => {
  const image = findImage(engine, name)
  if (image === undefined) return fail(404, `No such image: ${name}`)
  const tag = normalizeReference(name)
  const byTag = image.repoTags.includes(tag)
  if (byTag && image.repoTags.length > 1) {
    removeTag(image, tag)
    engine.emit("image", "untag", image.id, { name: tag })
    return json([{ Untagged: tag }])
  }
  const shortId = image.id.slice(7, 19)
  const user = [...engine.containers.values()].find((c) => c.imageId === image.id)
  if (user !== undefined && !force) {
    return byTag
      ? fail(
        409,
        `conflict: unable to remove repository reference "${name}" (must force) - container ${
          user.id.slice(0, 12)
        } is using its referenced image ${shortId}`
      )
      : fail(
        409,
        `conflict: unable to delete ${shortId} (must be forced) - image is being used by stopped container ${
          user.id.slice(0, 12)
        }`
      )
  }
  if (!byTag && image.repoTags.length > 1 && !force) {
    return fail(
      409,
      `conflict: unable to delete ${shortId} (must be forced) - image is referenced in multiple repositories`
    )
  }
  const untagged = image.repoTags.splice(0).map((t) => ({ Untagged: t }))
  engine.images.delete(image.id)
  for (const t of untagged) engine.emit("image", "untag", image.id, { name: t.Untagged })
  engine.emit("image", "delete", image.id, { name: image.id })
  return json([...untagged, { Deleted: image.id }])
}

export const routes: ReadonlyArray<Route> = [
  [["GET"], "/images/json", ({ engine, query }) => {
    const filters = parseFilters(query.get("filters"))
    const references = filters.reference?.map(referencePattern)
    const list = [...engine.images.values()].filter((image) =>
      (filters.label === undefined || matchesLabels(image.definition.labels, filters.label)) &&
      (filters.dangling === undefined || filters.dangling.includes(String(image.repoTags.length === 0)))
    ).sort((x, y) => (y.definition.created ?? 0) - (x.definition.created ?? 0))
    const summaries = list.map(imageSummary)
    if (references === undefined) return json(summaries)
    // As the engine does, a reference filter keeps only the tags that match it.
    return json(summaries.flatMap((summary) => {
      const tags = (summary.RepoTags ?? []).filter((tag) => references.some((pattern) => pattern.test(tag)))
      return tags.length === 0 ? [] : [{ ...summary, RepoTags: tags }]
    }))
  }],
  [["POST"], "/images/create", ({ engine, query }) => {
    const fromImage = query.get("fromImage")
    if (fromImage === null) {
      return fail(400, "fromSrc and fromImage are not supported by the fake engine; give fromImage")
    }
    const tag = query.get("tag") ?? "latest"
    const wanted = normalizeReference(tag.startsWith("sha256:") ? `${fromImage}@${tag}` : `${fromImage}:${tag}`)
    const offered = (engine.options.registry ?? []).find((image) => normalizeReference(image.reference) === wanted)
    if (offered === undefined) return fail(404, `manifest for ${wanted} not found: manifest unknown: manifest unknown`)
    const present = findImage(engine, wanted)
    const record = addImage(engine, offered)
    engine.emit("image", "pull", wanted, { name: parseReference(wanted).repository })
    return MockTransport.jsonLines(pullProgress(wanted, tag, record, present?.id === record.id))
  }],
  [["GET"], "/images/{name+}/json", ({ engine, params: { name } }) => {
    const image = findImage(engine, name!)
    if (image !== undefined) return json(imageInspect(image))
    return fail(
      404,
      apiVersionOf(engine.options) === "1.41"
        ? `no such image: ${name}: No such image: ${name}`
        : `No such image: ${name}`
    )
  }],
  [["POST"], "/images/{name+}/tag", ({ engine, params: { name }, query }) => {
    const image = findImage(engine, name!)
    if (image === undefined) return fail(404, `No such image: ${name}`)
    const repo = query.get("repo")
    if (repo === null || repo === "") return fail(400, "repository name must have at least one component")
    const tag = normalizeReference(`${repo}:${query.get("tag") || "latest"}`)
    for (const other of engine.images.values()) removeTag(other, tag)
    image.repoTags.push(tag)
    engine.emit("image", "tag", image.id, { name: tag })
    return MockTransport.empty(201)
  }],
  [
    ["DELETE"],
    "/images/{name+}",
    ({ engine, params: { name }, query }) => removeImage(engine, name!, truthy(query.get("force")))
  ]
]
