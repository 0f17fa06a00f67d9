/**
 * Image operations: `docker.images.*`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { DockerEngine, EngineError, Filters } from "./DockerEngine.js"
import { type DockerDecodeError, type DockerStreamError, PullError } from "./DockerError.js"
import * as EnginePath from "./EnginePath.js"
import * as Progress from "./Progress.js"
import {
  ImageDeleteResponse,
  type ImageDeleteResponseItem,
  type ImageInspect,
  ImageInspect as ImageInspectSchema,
  type ImageSummary,
  ImageSummaryList
} from "./Schemas.js"

/**
 * @since 0.1.0
 */
export interface ListOptions {
  /** Include intermediate images. */
  readonly all?: boolean
  /** e.g. `{ reference: ["busybox"], label: ["app=web"], dangling: ["true"] }`. */
  readonly filters?: Filters
  /** Include `RepoDigests`. */
  readonly digests?: boolean
}

/**
 * @since 0.1.0
 */
export interface PullOptions {
  /** The tag or digest; taken from the reference when it has one, else `latest`. */
  readonly tag?: string
  /** e.g. `linux/amd64`. */
  readonly platform?: string
}

/**
 * @since 0.1.0
 */
export interface RemoveOptions {
  /** Remove the image even if containers use it, and all its tags. */
  readonly force?: boolean
  /** Keep untagged parents. */
  readonly noprune?: boolean
}

/**
 * `docker.images`.
 *
 * @since 0.1.0
 */
export interface Images {
  /** Lists images (`GET /images/json`). */
  readonly list: (options?: ListOptions) => Effect.Effect<ReadonlyArray<ImageSummary>, EngineError | DockerDecodeError>
  /** An image's details (`GET /images/{name}/json`); an unknown image fails with `NotFound`. */
  readonly inspect: (name: string) => Effect.Effect<ImageInspect, EngineError | DockerDecodeError>
  /**
   * Pulls an image and returns its inspect data once the pull has finished. An error reported
   * inside the progress stream fails with {@link PullError}, though the engine answered 200.
   */
  readonly pull: (
    image: string,
    options?: PullOptions
  ) => Effect.Effect<ImageInspect, EngineError | DockerDecodeError | DockerStreamError | PullError>
  /** Removes an image (`DELETE /images/{name}`). */
  readonly remove: (
    name: string,
    options?: RemoveOptions
  ) => Effect.Effect<ReadonlyArray<ImageDeleteResponseItem>, EngineError | DockerDecodeError>
}

/**
 * Splits an image reference into repository and tag (or digest), as the engine's `fromImage`
 * and `tag` parameters want them.
 *
 * @example
 * ```ts
 * import { Images } from "@effect-docker/client"
 *
 * Images.parseReference("127.0.0.1:5000/app:v1") // { repository: "127.0.0.1:5000/app", tag: "v1" }
 * Images.parseReference("busybox") // { repository: "busybox", tag: undefined }
 * ```
 *
 * @since 0.1.0
 */
export const parseReference = (
  reference: string
): { readonly repository: string; readonly tag: string | undefined } => {
  const at = reference.indexOf("@")
  if (at !== -1) return { repository: reference.slice(0, at), tag: reference.slice(at + 1) }
  const colon = reference.lastIndexOf(":")
  // A colon before the last slash belongs to a registry's port, not to a tag.
  if (colon > reference.lastIndexOf("/")) {
    return { repository: reference.slice(0, colon), tag: reference.slice(colon + 1) }
  }
  return { repository: reference, tag: undefined }
}

/**
 * @since 0.1.0
 */
export const make = (engine: DockerEngine["Type"]): Images => {
  const inspect = (name: string) =>
    engine.json("ImageInspect", ImageInspectSchema, {
      method: "GET",
      path: EnginePath.make`/images/${name}/json`,
      resource: "image"
    })

  const pull = (image: string, options: PullOptions = {}) => {
    const parsed = parseReference(image)
    const tag = options.tag ?? parsed.tag ?? "latest"
    const reference = tag.includes(":") ? `${parsed.repository}@${tag}` : `${parsed.repository}:${tag}`
    return Effect.scoped(
      Effect.flatMap(
        engine.stream({
          method: "POST",
          path: EnginePath.make`/images/create`,
          query: { fromImage: parsed.repository, tag, platform: options.platform },
          resource: "image",
          timeoutMillis: 0
        }),
        (response) =>
          Progress.events(response.body).pipe(
            Stream.runForEach((event) => {
              const message = Progress.errorMessage(event)
              return message === undefined ? Effect.void : Effect.fail(new PullError({ image: reference, message }))
            })
          )
      )
    ).pipe(Effect.zipRight(inspect(reference)))
  }

  return {
    list: (options = {}) =>
      engine.json("ImageList", ImageSummaryList, {
        method: "GET",
        path: EnginePath.make`/images/json`,
        query: { all: options.all, filters: options.filters, digests: options.digests }
      }),
    inspect,
    pull,
    remove: (name, options = {}) =>
      engine.json("ImageDelete", ImageDeleteResponse, {
        method: "DELETE",
        path: EnginePath.make`/images/${name}`,
        query: { force: options.force, noprune: options.noprune },
        resource: "image"
      })
  }
}
