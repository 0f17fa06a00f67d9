/**
 * Image operations: `docker.images.*`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { DockerEngine, EngineError } from "./DockerEngine.js"
import { type DockerDecodeError, type DockerStreamError, PullError } from "./DockerError.js"
import * as EnginePath from "./EnginePath.js"
import * as Groups from "./generated/Groups.js"
import type { ImageInspect } from "./generated/Schemas.js"
import * as Progress from "./Progress.js"

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
 * `docker.images`: the generated operations, plus `pull` that follows the progress stream.
 *
 * @since 0.1.0
 */
export interface Images extends Groups.Images {
  /**
   * Pulls an image and returns its inspect data once the pull has finished. An error reported
   * inside the progress stream fails with {@link PullError}, though the engine answered 200.
   */
  readonly pull: (
    image: string,
    options?: PullOptions
  ) => Effect.Effect<ImageInspect, EngineError | DockerDecodeError | DockerStreamError | PullError>
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
  const generated = Groups.images(engine)

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
    ).pipe(Effect.zipRight(generated.inspect(reference)))
  }

  return { ...generated, pull }
}
