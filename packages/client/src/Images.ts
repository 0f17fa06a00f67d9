/**
 * Image operations: `docker.images.*`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as BuildKit from "./BuildKit.js"
import { bodyStream, type DockerEngine, type EngineError, header } from "./DockerEngine.js"
import { type DockerConfigError, type DockerDecodeError, DockerInputError, DockerStreamError } from "./DockerError.js"
import * as EnginePath from "./EnginePath.js"
import * as Groups from "./generated/Groups.js"
import * as Requests from "./generated/Requests.js"
import type { ImageInspect } from "./generated/Schemas.js"
import type * as Operation from "./Operation.js"
import * as Progress from "./Progress.js"
import type { ProgressEvent } from "./Progress.js"
import * as RegistryAuth from "./RegistryAuth.js"
import { BuildError, ImageLoadError, PullError, PushError } from "./WorkflowError.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface PullOptions {
  /** The tag or digest; taken from the reference when it has one, else `latest`. */
  readonly tag?: string
  /** e.g. `linux/amd64`. */
  readonly platform?: string
  /**
   * The registry credentials, base64url-encoded JSON as the engine takes them (see
   * `RegistryAuth.encode`); without them, the `RegistryCredentials` service's, if provided.
   */
  readonly registryAuth?: Redacted.Redacted<string>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface PushOptions {
  /** The tag to push; all tags of the repository when absent and the name has none. */
  readonly tag?: string
  /**
   * The platform variant of a multi-platform image to push (e.g. `linux/arm64`). API 1.46+.
   */
  readonly platform?: Operation.Platform
  /** The registry credentials, as for {@link PullOptions}. */
  readonly registryAuth?: Redacted.Redacted<string>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ImportOptions {
  /** The repository (and `tag`) to name the imported image. */
  readonly repo?: string
  readonly tag?: string
  /** A commit message for the image. */
  readonly message?: string
  /** Dockerfile instructions applied to the image, e.g. `["CMD [\"sh\"]"]`. */
  readonly changes?: ReadonlyArray<string>
  readonly platform?: string
}

/**
 * Options of a build: every query parameter of the engine's `ImageBuild` (`tags`, `buildArgs`,
 * `extraHosts`, `shmSize`, `cpu*`, `memory`, `networkMode`, `cacheFrom`, `platform`, `labels`,
 * ...), in camelCase, for either builder where the engine's builder has them. Without
 * `registryConfig`, the build sends all of the `RegistryCredentials` service's credentials, when
 * provided.
 *
 * @since 0.1.0
 * @category models
 */
export type BuildOptions = Omit<Requests.ImageBuildOptions, "version"> & {
  /**
   * The BuildKit session the build may call back (secrets, ssh-agent, registry credentials): the
   * id of `BuildKitSession.open` in `@effect-docker/node`. The docker CLI's `session` parameter,
   * which the specification does not list.
   */
  readonly session?: string | undefined
}

/**
 * Which of the engine's builders runs a build: BuildKit (`POST /build?version=2`), or the classic
 * one. By default BuildKit, where the engine has it (Linux engines; Windows engines have the
 * classic builder only).
 *
 * @since 0.2.0
 * @category models
 */
export type Builder = "buildkit" | "classic"

/**
 * What image transfers fail with: the engine, its stream, and the error reported in-band.
 *
 * @since 0.1.0
 * @category errors
 */
export type TransferError<E> = EngineError | DockerStreamError | DockerDecodeError | DockerConfigError | E

/**
 * `docker.images`: the generated operations, plus the transfers that stream (pull, push, import,
 * load, get), each as a stream of progress events and as an effect for the end result.
 *
 * @since 0.1.0
 * @category models
 */
export interface Images extends Groups.Images {
  /**
   * Pulls an image and returns its inspect data once the pull has finished. An error reported
   * inside the progress stream fails with {@link PullError}, though the engine answered 200.
   */
  readonly pull: (
    image: string,
    options?: PullOptions
  ) => Effect.Effect<ImageInspect, TransferError<PullError> | DockerDecodeError>
  /** The pull's progress events; an error event fails the stream with {@link PullError}. */
  readonly pullStream: (image: string, options?: PullOptions) => Stream.Stream<ProgressEvent, TransferError<PullError>>
  /** Pushes an image (or a repository's tags) to its registry. */
  readonly push: (name: string, options?: PushOptions) => Effect.Effect<void, TransferError<PushError>>
  /** The push's progress events; an error event fails the stream with {@link PushError}. */
  readonly pushStream: (name: string, options?: PushOptions) => Stream.Stream<ProgressEvent, TransferError<PushError>>
  /** Creates an image from a root filesystem tar, and returns its id. */
  readonly import: (
    source: Stream.Stream<Uint8Array, unknown>,
    options?: ImportOptions
  ) => Effect.Effect<string, TransferError<PullError>>
  /** Loads images from a tar made by {@link Images.get} (or `docker save`); returns what it loaded. */
  readonly load: (
    source: Stream.Stream<Uint8Array, unknown>,
    options?: Requests.ImageLoadOptions
  ) => Effect.Effect<ReadonlyArray<string>, TransferError<ImageLoadError>>
  /**
   * Builds an image from a context tar (see `Tar.buildContext` in `@effect-docker/node` for one made
   * from a folder) and returns its id. A failing step fails with {@link BuildError}, with the
   * build's output.
   */
  readonly build: (
    context: Stream.Stream<Uint8Array, unknown>,
    options?: BuildOptions & { readonly builder?: Builder | undefined }
  ) => Effect.Effect<string, TransferError<BuildError>>
  /**
   * A build with BuildKit, as its events: the steps (vertices) as they start, finish or come from
   * the cache, their progress and logs, warnings, and last the image. A failed step fails with
   * {@link BuildError}, naming the step and its last log lines.
   */
  readonly buildKitStream: (
    context: Stream.Stream<Uint8Array, unknown>,
    options?: BuildOptions
  ) => Stream.Stream<BuildKit.Event, TransferError<BuildError>>
  /**
   * A build with the classic builder, as its output events (`stream` lines, the image id in
   * `aux`), failing with {@link BuildError}.
   */
  readonly buildStream: (
    context: Stream.Stream<Uint8Array, unknown>,
    options?: BuildOptions
  ) => Stream.Stream<ProgressEvent, TransferError<BuildError>>
  /** Exports one image, or several, with their layers and tags, as a tar stream. */
  readonly get: (
    names: string | ReadonlyArray<string>,
    options?: Requests.ImageGetOptions
  ) => Stream.Stream<Uint8Array, EngineError>
  /**
   * docker-py's `Image.save`: one image as a tar stream, named in the archive as `named` says:
   * not at all (the default: by its id, so a load gives it no tag), by its first tag (`true`),
   * or by the given tag, which must be one of the image's (else `DockerInputError`).
   *
   * @example
   * ```ts
   * import { Stream } from "effect"
   * import { Docker } from "@effect-docker/client"
   *
   * // docker.images.save("busybox", { named: true }): the archive keeps "busybox:latest".
   * ```
   */
  readonly save: (
    image: string,
    options?: { readonly named?: boolean | string }
  ) => Stream.Stream<Uint8Array, EngineError | DockerDecodeError>
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
 * @category combinators
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
 * `docker.images` on an engine; pulls and pushes without `registryAuth` take their credentials
 * from `credentials` when given.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  engine: DockerEngine["Type"],
  credentials?: RegistryAuth.RegistryCredentials["Type"]
): Images => {
  const generated = Groups.images(engine)

  const pullRequest = (image: string, options: PullOptions) => {
    const parsed = parseReference(image)
    const tag = options.tag ?? parsed.tag ?? "latest"
    const reference = tag.includes(":") ? `${parsed.repository}@${tag}` : `${parsed.repository}:${tag}`
    const events = Progress.transfer(
      engine,
      Requests.ImageCreate({ fromImage: parsed.repository, tag, platform: options.platform }),
      { image: reference, explicit: options.registryAuth, credentials }
    )
    return {
      reference,
      events: Progress.failOnError((message) => new PullError({ image: reference, message }))(events)
    }
  }

  const pushStream = (name: string, options: PushOptions = {}) =>
    Progress.transfer(
      engine,
      Requests.ImagePush(name, { tag: options.tag, platform: options.platform }),
      { image: name, explicit: options.registryAuth, credentials }
    ).pipe(
      Progress.failOnError((message) => new PushError({ image: name, message }))
    )

  const importImage: Images["import"] = (source, options = {}) => {
    const name = options.repo === undefined ? "(unnamed)" : `${options.repo}:${options.tag ?? "latest"}`
    return Progress.events(
      bodyStream(engine, {
        ...Requests.ImageCreate({ ...options, fromSrc: "-" }),
        headers: { "content-type": "application/x-tar" },
        body: source
      }),
      engine.limits.lineBytes
    ).pipe(
      Progress.failOnError((message) => new PullError({ image: name, message })),
      Stream.runLast,
      // The last event's status is the new image's id.
      Effect.flatMap((last) =>
        last._tag === "Some" && last.value.status !== undefined
          ? Effect.succeed(last.value.status)
          : Effect.fail(new DockerStreamError({ message: "the import ended without the new image's id" }))
      )
    )
  }

  const load: Images["load"] = (source, options = {}) =>
    Progress.events(
      bodyStream(engine, {
        ...Requests.ImageLoad(options),
        headers: { "content-type": "application/x-tar" },
        body: source
      }),
      engine.limits.lineBytes
    ).pipe(
      Progress.failOnError((message) => new ImageLoadError({ message })),
      Stream.runFold([] as Array<string>, (loaded, event) => {
        const match = /^Loaded image(?: ID)?: (.+)$/.exec(event.stream?.trim() ?? event.status ?? "")
        if (match !== null) loaded.push(match[1]!)
        return loaded
      })
    )

  const get: Images["get"] = (names, options = {}) =>
    bodyStream(
      engine,
      typeof names === "string" ? Requests.ImageGet(names, options) : Requests.ImageGetAll({ ...options, names })
    )

  const save: Images["save"] = (image, options = {}) =>
    Stream.unwrap(Effect.flatMap(generated.inspect(image), (info) => {
      const tags = info.RepoTags ?? []
      const named = options.named
      if (named === undefined || named === false || (named === true && tags.length === 0)) {
        return Effect.succeed(get(info.Id))
      }
      const name = named === true ? tags[0]! : named
      return tags.includes(name)
        ? Effect.succeed(get(name))
        : Effect.fail(
          new DockerInputError({
            reason: "Option",
            operation: "ImageGet",
            message: `${name} is not a tag of ${image} (its tags: ${tags.join(", ") || "none"})`
          })
        )
    }))

  /** The `X-Registry-Config` of a build: the caller's, else all configured credentials, else none. */
  const registryConfig = (explicit: Redacted.Redacted<string> | undefined) =>
    explicit !== undefined || credentials === undefined
      ? Effect.succeed(explicit === undefined ? {} : { "x-registry-config": Redacted.value(explicit) })
      : Effect.map(
        credentials.all,
        (auths) => auths.length === 0 ? {} : { "x-registry-config": Redacted.value(RegistryAuth.encodeConfig(auths)) }
      )

  /** The answer to a build request with `version`: 1 the classic builder, 2 BuildKit. */
  const buildAnswer = (
    context: Stream.Stream<Uint8Array, unknown>,
    options: BuildOptions,
    version: "1" | "2"
  ) =>
    Stream.unwrap(Effect.map(registryConfig(options.registryConfig), (config) => {
      const { session, ...rest } = options
      const request = Requests.ImageBuild({ ...rest, registryConfig: undefined, version })
      return bodyStream(engine, {
        ...request,
        query: session === undefined ? request.query : { ...request.query, session },
        headers: { "content-type": "application/x-tar", ...config },
        body: context,
        timeoutMillis: 0
      })
    }))

  const buildKitStream: Images["buildKitStream"] = (context, options = {}) =>
    BuildKit.events(buildAnswer(context, options, "2"), engine.limits.lineBytes)

  /** BuildKit unless asked otherwise or the engine is a Windows one (its ping says so). */
  const builderOf = (builder: Builder | undefined): Effect.Effect<Builder, EngineError> =>
    builder !== undefined
      ? Effect.succeed(builder)
      : Effect.map(
        engine.request({ method: "GET", path: EnginePath.make`/_ping`, operation: "SystemPing" }),
        (answer) => header(answer.headers, "ostype") === "windows" ? "classic" : "buildkit"
      )

  const buildStream: Images["buildStream"] = (context, options = {}) =>
    Stream.suspend(() => {
      let output = ""
      return Progress.events(buildAnswer(context, options, "1"), engine.limits.lineBytes).pipe(
        Stream.tap((event) => Effect.sync(() => (output += event.stream ?? ""))),
        Progress.failOnError((message, event) =>
          new BuildError({
            message,
            output,
            ...(event.errorDetail?.code !== undefined ? { code: event.errorDetail.code } : {})
          })
        )
      )
    })

  const classicBuild = (context: Stream.Stream<Uint8Array, unknown>, options: BuildOptions) =>
    buildStream(context, options).pipe(
      Stream.runFold(
        undefined as string | undefined,
        (id, event) => event.aux?.ID ?? /^Successfully built ([0-9a-f]+)/.exec(event.stream ?? "")?.[1] ?? id
      ),
      Effect.flatMap((id): Effect.Effect<string, TransferError<BuildError>> =>
        id === undefined
          ? Effect.fail(new DockerStreamError({ message: "the build ended without an image id" }))
          : id.startsWith("sha256:")
          ? Effect.succeed(id)
          // The classic builder names the image by its short id only: ask for the whole one.
          : Effect.map(generated.inspect(id), (image) => image.Id)
      )
    )

  const build: Images["build"] = (context, { builder, ...options } = {}) =>
    Effect.flatMap(builderOf(builder), (chosen) =>
      chosen === "classic"
        ? classicBuild(context, options)
        : Effect.flatMap(
          Stream.runFold(buildKitStream(context, options), undefined as string | undefined, (id, event) =>
            event._tag === "Image" ? event.id : id),
          (id) =>
            id === undefined
              ? Effect.fail(new DockerStreamError({ message: "the BuildKit build ended without an image id" }))
              : Effect.succeed(id)
        ))

  return {
    ...generated,
    build,
    buildKitStream,
    buildStream,
    pull: (image, options = {}) => {
      const { events, reference } = pullRequest(image, options)
      return Effect.zipRight(Stream.runDrain(events), generated.inspect(reference))
    },
    pullStream: (image, options = {}) => pullRequest(image, options).events,
    push: (name, options) => Stream.runDrain(pushStream(name, options)),
    pushStream,
    import: importImage,
    load,
    get,
    save
  }
}
