/**
 * Progress a person can watch: pull, push, load, import and build progress drawn as the docker
 * CLI draws it. In a terminal, one line per layer with a bar and bytes, redrawn in place; in a
 * pipe or a CI log, plain lines (a layer's line when its status changes) without escape codes;
 * on failure, the engine's error as the last line. A BuildKit build (`images.buildKitStream`)
 * as `docker buildx build` draws it: a line per step with its state and time, the steps' output.
 *
 * @since 0.2.0
 */
import type { BuildKit, Progress } from "@effect-docker/client"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { ProgressView } from "./internal/progressView.js"

/**
 * Where the progress is drawn: `process.stdout` by default, or anything with `write`.
 *
 * @since 0.2.0
 * @category models
 */
export interface Output {
  readonly write: (text: string) => unknown
  /** Whether it is a terminal (redrawn in place) or a pipe (plain lines). */
  readonly isTTY?: boolean | undefined
  /** A terminal's width: longer lines are cut, so that redrawing stays in place. */
  readonly columns?: number | undefined
}

/**
 * Options of {@link render}.
 *
 * @since 0.2.0
 * @category models
 */
export interface Options {
  readonly output?: Output | undefined
  /** Draws as in a terminal or as plain lines; default: what `output.isTTY` says. */
  readonly tty?: boolean | undefined
}

/**
 * The cursor-up and erase-line sequences, from `@effect/printer-ansi` (loaded on first use: a
 * program that draws no progress does not load it).
 */
const loadAnsi = Effect.promise(async () => {
  const AnsiDoc = await import("@effect/printer-ansi/AnsiDoc")
  const render = AnsiDoc.render({ style: "pretty" })
  return { up: (lines: number) => render(AnsiDoc.cursorUp(lines)), eraseLine: render(AnsiDoc.eraseLine) }
})

const messageOf = (error: unknown) =>
  typeof error === "object" && error !== null && "message" in error ? String(error.message) : String(error)

/**
 * Draws a progress stream to the terminal (or a pipe) as it runs, and ends with it; a failure of
 * the stream is drawn as the last line and then fails the effect, unchanged.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Docker } from "@effect-docker/client"
 * import { ProgressRenderer } from "@effect-docker/node"
 *
 * const pull = Effect.flatMap(Docker.Docker, (docker) =>
 *   ProgressRenderer.render(docker.images.pullStream("registry.example:5000/app:1")))
 * ```
 *
 * @since 0.2.0
 * @category combinators
 */
export const render = <E, R>(
  events: Stream.Stream<Progress.ProgressEvent | BuildKit.Event, E, R>,
  options: Options = {}
): Effect.Effect<void, E, R> =>
  Effect.gen(function*() {
    const output: Output = options.output ?? process.stdout
    const tty = options.tty ?? output.isTTY === true
    const ansi = tty ? yield* loadAnsi : undefined
    const width = output.columns !== undefined && output.columns > 0 ? output.columns : undefined
    const fit = (text: string) => width === undefined || text.length < width ? text : text.slice(0, width - 1)
    const view = new ProgressView()
    /** Lines on the screen (a terminal), or the status last written per layer (a pipe). */
    let drawn = 0
    const written = new Map<string, string>()

    const draw = (changed: ReadonlyArray<number>) => {
      if (changed.length === 0) return
      if (ansi === undefined) {
        let text = ""
        for (const index of changed) {
          const line = view.lines[index]!
          if (line.id === undefined) text += `${line.text}\n`
          else if (written.get(line.id) !== line.status) {
            written.set(line.id, line.status)
            text += `${line.plain}\n`
          }
        }
        if (text !== "") output.write(text)
        return
      }
      // Redraw from the first changed line on the screen to the last line.
      const from = Math.min(drawn, ...changed)
      let text = from < drawn ? ansi.up(drawn - from) : ""
      for (let index = from; index < view.lines.length; index++) {
        text += `${ansi.eraseLine}${fit(view.lines[index]!.text)}\n`
      }
      drawn = view.lines.length
      output.write(text)
    }

    yield* Stream.runForEach(events, (event) => Effect.sync(() => draw(view.update(event)))).pipe(
      Effect.tapError((error) => Effect.sync(() => output.write(`error: ${messageOf(error)}\n`)))
    )
  })
