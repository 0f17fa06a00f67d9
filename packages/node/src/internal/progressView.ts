/**
 * What a progress stream (pull, push, load, import, build) looks like to a person: one line per
 * layer, updated in place, and the lines without a layer (a pull's `Digest:`, a build's output)
 * in order. A BuildKit build, as `docker buildx build` draws it: a line per step (`#3 [2/2] RUN
 * make`, then `DONE 0.4s`, `CACHED` or `ERROR`), a line per transfer with its bytes, the steps'
 * output as `#3 ...` lines. The view is pure: it takes events and says which lines changed; the
 * renderer draws.
 */
import type { BuildKit, Progress } from "@effect-docker/client"

export interface Line {
  /** The layer or step a line belongs to, updated in place; none for a line of output. */
  readonly id: string | undefined
  /** What a pipe shows again when it changes. */
  readonly status: string
  /** What a terminal shows. */
  readonly text: string
  /** What a pipe shows of a line with an id. */
  readonly plain: string
}

const units = ["B", "kB", "MB", "GB", "TB"]

/** Bytes as the docker CLI shows them (decimal units). */
export const formatBytes = (bytes: number): string => {
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return unit === 0 ? `${value}B` : `${value.toFixed(value < 10 ? 2 : 1)}${units[unit]}`
}

/** A bar of `width` cells for `current` of `total`, as `[=====>     ]`. */
export const bar = (current: number, total: number, width = 30): string => {
  const done = Math.max(0, Math.min(width, Math.floor((current / total) * width)))
  return `[${"=".repeat(Math.max(0, done - 1))}${done > 0 ? (done === width ? "=" : ">") : ""}${
    " ".repeat(width - done)
  }]`
}

// Engine text goes to a terminal: control characters (escape sequences a build's output may
// carry) are dropped, so that they cannot move the cursor or rewrite the screen.

const controls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g
export const clean = (text: string) => text.replace(controls, "")

const seconds = (from: Date | undefined, to: Date) =>
  from === undefined ? "" : ` ${(Math.max(0, to.getTime() - from.getTime()) / 1000).toFixed(1)}s`

export class ProgressView {
  readonly lines: Array<Line> = []
  private readonly byId = new Map<string, number>()
  /** BuildKit's steps by digest: their number (`#3`) and name, as first seen. */
  private readonly steps = new Map<string, { readonly number: number; readonly name: string }>()
  private readonly decoder = new TextDecoder()
  private changed: Array<number> = []

  private add(line: Line) {
    this.lines.push(line)
    this.changed.push(this.lines.length - 1)
  }
  /** Adds the line of `id`, or puts it in place of the one there. */
  private put(line: Line & { readonly id: string }) {
    const index = this.byId.get(line.id)
    if (index === undefined) {
      this.byId.set(line.id, this.lines.length)
      this.add(line)
    } else {
      this.lines[index] = line
      this.changed.push(index)
    }
  }

  /** Applies an event; answers the indexes of the lines it added or changed. */
  update(event: Progress.ProgressEvent | BuildKit.Event): ReadonlyArray<number> {
    this.changed = []
    if ("_tag" in event) this.buildKit(event)
    else this.progress(event)
    return this.changed
  }

  private step(digest: string, name = "") {
    let step = this.steps.get(digest)
    if (step === undefined) {
      step = { number: this.steps.size + 1, name: clean(name) }
      this.steps.set(digest, step)
    }
    return step
  }

  private buildKit(event: BuildKit.Event) {
    switch (event._tag) {
      case "Vertex": {
        const step = this.step(event.digest, event.name)
        const state = event.error !== undefined
          ? `ERROR: ${clean(event.error)}`
          : event.cached
          ? "CACHED"
          : event.completed !== undefined
          ? `DONE${seconds(event.started, event.completed)}`
          : ""
        const text = `#${step.number} ${step.name}${state === "" ? "" : ` ${state}`}`
        return this.put({ id: event.digest, status: state, text, plain: text })
      }
      case "Status": {
        const step = this.step(event.vertex)
        const name = clean(event.name || event.id)
        const bytes = event.total > 0
          ? ` ${formatBytes(event.current)} / ${formatBytes(event.total)}`
          : event.current > 0
          ? ` ${formatBytes(event.current)}`
          : ""
        const done = event.completed !== undefined ? " done" : ""
        const text = `#${step.number} ${name}${bytes}${done}`
        // A pipe shows a transfer when it starts and when it is done, not each byte count.
        return this.put({ id: `${event.vertex} ${event.id}`, status: done, text, plain: text })
      }
      case "Log": {
        const step = this.step(event.vertex)
        const text = clean(this.decoder.decode(event.data)).replace(/\n$/, "")
        for (const line of text.split("\n")) {
          const shown = `#${step.number} ${line}`
          this.add({ id: undefined, status: shown, text: shown, plain: shown })
        }
        return
      }
      case "Warning": {
        const text = `WARNING: ${clean(event.message)}`
        return this.add({ id: undefined, status: text, text, plain: text })
      }
      case "Image": {
        const text = `writing image ${clean(event.id)}`
        return this.add({ id: undefined, status: text, text, plain: text })
      }
    }
  }

  private progress(event: Progress.ProgressEvent) {
    if (event.stream !== undefined) {
      for (const text of clean(event.stream).replace(/\n$/, "").split("\n")) {
        this.add({ id: undefined, status: text, text, plain: text })
      }
    }
    if (event.status !== undefined) {
      const status = clean(event.status)
      const id = event.id === undefined ? undefined : clean(event.id)
      const detail = event.progressDetail
      const progress = detail?.total !== undefined && detail.total > 0 && detail.current !== undefined
        ? ` ${bar(detail.current, detail.total)} ${formatBytes(detail.current)}/${formatBytes(detail.total)}`
        : ""
      if (id === undefined) this.add({ id, status, text: status, plain: status })
      else this.put({ id, status, text: `${id}: ${status}${progress}`, plain: `${id}: ${status}` })
    }
  }
}
