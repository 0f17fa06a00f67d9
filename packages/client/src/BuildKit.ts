/**
 * BuildKit's progress: what a `POST /build?version=2` answer says of a build, as typed events.
 * The answer's `moby.buildkit.trace` lines carry BuildKit's `StatusResponse` protobufs (decoded
 * with `@bufbuild/protobuf`, from code generated from BuildKit's own `.proto` files); its
 * `moby.image.id` line names the image built; an `error` line fails the build with
 * {@link BuildError}, naming the step that failed and its last log lines.
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { DockerStreamError } from "./DockerError.js"
import type * as Trace from "./internal/buildkitTrace.js"
import * as JsonLines from "./JsonLines.js"
import { BuildError } from "./WorkflowError.js"

/**
 * A step of the build (BuildKit's vertex): a Dockerfile instruction, a context transfer, a base
 * image's resolution. Sent again as it starts, completes or fails; `digest` identifies it.
 *
 * @since 0.2.0
 * @category models
 */
export interface Vertex {
  readonly _tag: "Vertex"
  readonly digest: string
  /** What the step does, e.g. `[build 2/3] RUN make`. */
  readonly name: string
  /** The digests of the steps it depends on. */
  readonly inputs: ReadonlyArray<string>
  /** Its result came from the build cache. */
  readonly cached: boolean
  readonly started: Date | undefined
  readonly completed: Date | undefined
  /** Why it failed, if it did. */
  readonly error: string | undefined
}

/**
 * Progress within a step: a layer pulled or a context sent, in bytes (`total` 0 when unknown).
 *
 * @since 0.2.0
 * @category models
 */
export interface Status {
  readonly _tag: "Status"
  readonly id: string
  /** The digest of the {@link Vertex} it belongs to. */
  readonly vertex: string
  readonly name: string
  readonly current: number
  readonly total: number
  readonly timestamp: Date | undefined
  readonly started: Date | undefined
  readonly completed: Date | undefined
}

/**
 * Output of a step (a `RUN` command's stdout or stderr), as it was written.
 *
 * @since 0.2.0
 * @category models
 */
export interface Log {
  readonly _tag: "Log"
  readonly vertex: string
  readonly stream: "stdout" | "stderr"
  readonly data: Uint8Array
  readonly timestamp: Date | undefined
}

/**
 * A warning of the build (a Dockerfile check, a deprecated instruction).
 *
 * @since 0.2.0
 * @category models
 */
export interface Warning {
  readonly _tag: "Warning"
  readonly vertex: string
  readonly level: number
  readonly message: string
  readonly detail: ReadonlyArray<string>
  readonly url: string | undefined
}

/**
 * The image the build made: its id (`sha256:...`), the build's last event.
 *
 * @since 0.2.0
 * @category models
 */
export interface Image {
  readonly _tag: "Image"
  readonly id: string
}

/**
 * An event of a BuildKit build.
 *
 * @since 0.2.0
 * @category models
 * @example
 * ```ts
 * import type { BuildKit } from "@effect-docker/client"
 *
 * const describe = (event: BuildKit.Event) =>
 *   event._tag === "Vertex" && event.completed !== undefined
 *     ? `${event.name}${event.cached ? " (cached)" : ""} done`
 *     : undefined
 * ```
 */
export type Event = Vertex | Status | Log | Warning | Image

/** A line of the answer: the trace and the image id as `aux`, an error as the classic builder's. */
const AnswerLine = Schema.Struct({
  id: Schema.optional(Schema.String),
  aux: Schema.optional(Schema.Unknown),
  error: Schema.optional(Schema.String),
  errorDetail: Schema.optional(Schema.Struct({
    code: Schema.optional(Schema.Number),
    message: Schema.optional(Schema.String)
  }))
})

/** How much of the output a {@link BuildError} keeps: the build's last 64 KiB, the step's last 4 KiB. */
const outputChars = 64 * 1024
const stepLogChars = 4 * 1024

/** What the build said so far, for the error of a failed step. */
class Transcript {
  private readonly steps = new Map<string, { name: string; logs: string }>()
  private failed: string | undefined
  private output = ""
  private readonly decoder = new TextDecoder()
  see(event: Event) {
    if (event._tag === "Vertex") {
      if (!this.steps.has(event.digest)) {
        this.steps.set(event.digest, { name: event.name, logs: "" })
        this.append(`${event.name}\n`)
      }
      if (event.error !== undefined) this.failed = event.digest
    } else if (event._tag === "Log") {
      const text = this.decoder.decode(event.data)
      const step = this.steps.get(event.vertex)
      if (step !== undefined) step.logs = (step.logs + text).slice(-stepLogChars)
      this.append(text)
    }
  }
  private append(text: string) {
    this.output = (this.output + text).slice(-outputChars)
  }
  error(message: string, code: number | undefined) {
    const step = this.failed === undefined ? undefined : this.steps.get(this.failed)
    const exitCode = code ?? Number(/exit code: (\d+)/.exec(message)?.[1] ?? Number.NaN)
    return new BuildError({
      message,
      output: this.output,
      ...(Number.isNaN(exitCode) ? {} : { code: exitCode }),
      ...(step === undefined ? {} : { step: { digest: this.failed!, name: step.name }, logs: step.logs })
    })
  }
}

// The protobuf decoder (@bufbuild/protobuf and BuildKit's descriptors, ~10 MiB once loaded) is
// loaded with the first trace line, so a program that never builds never pays for it.
const loadTrace: Effect.Effect<typeof Trace> = Effect.promise(() => import("./internal/buildkitTrace.js"))

/**
 * The events of a BuildKit build's answer, in the order the engine sent them; an error line fails
 * the stream with {@link BuildError} (the failed step, its last log lines, the engine's message
 * and the exit code of a failed `RUN`).
 *
 * @since 0.2.0
 * @category combinators
 * @example
 * ```ts
 * import { BuildKit } from "@effect-docker/client"
 * import { Stream } from "effect"
 *
 * const line = '{"id":"moby.image.id","aux":{"ID":"sha256:0123"}}\n'
 * const events = BuildKit.events(Stream.make(new TextEncoder().encode(line)))
 * // Stream.runCollect(events): [{ _tag: "Image", id: "sha256:0123" }]
 * ```
 */
export const events = <E, R>(bytes: Stream.Stream<Uint8Array, E, R>, maxLineBytes?: number) =>
  Stream.suspend(() => {
    const transcript = new Transcript()
    // Engines send the image id before the last steps' statuses (20.10): it is told last.
    let image: Image | undefined
    const answer = JsonLines.decode(AnswerLine, "a BuildKit build line", { operation: "ImageBuild", maxLineBytes })(
      bytes
    ).pipe(
      Stream.mapEffect((line): Effect.Effect<ReadonlyArray<Event>, BuildError | DockerStreamError> => {
        const message = line.errorDetail?.message ?? line.error
        if (message !== undefined) return Effect.fail(transcript.error(message, line.errorDetail?.code))
        if (line.id === "moby.buildkit.trace" && typeof line.aux === "string") {
          const aux = line.aux
          return loadTrace.pipe(
            Effect.flatMap((trace) => trace.decodeTrace(aux)),
            Effect.tap((decoded) => {
              for (const event of decoded) transcript.see(event)
            })
          )
        }
        const id = line.id === "moby.image.id" ? (line.aux as { readonly ID?: unknown } | undefined)?.ID : undefined
        if (typeof id === "string") image = { _tag: "Image", id }
        return Effect.succeed([])
      }),
      Stream.flattenIterables
    )
    return Stream.concat(answer, Stream.suspend(() => image === undefined ? Stream.empty : Stream.make(image)))
  })
