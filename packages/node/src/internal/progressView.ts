/**
 * What a progress stream (pull, push, load, import, build) looks like to a person: one line per
 * layer, updated in place, and the lines without a layer (a pull's `Digest:`, a build's output)
 * in order. The view is pure: it takes events and says which lines changed; the renderer draws.
 */
import type { Progress } from "@effect-docker/client"

export interface Line {
  readonly id: string | undefined
  readonly status: string
  readonly text: string
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

export class ProgressView {
  readonly lines: Array<Line> = []
  private readonly byId = new Map<string, number>()

  /** Applies an event; answers the indexes of the lines it added or changed. */
  update(event: Progress.ProgressEvent): ReadonlyArray<number> {
    const changed: Array<number> = []
    const add = (line: Line) => {
      this.lines.push(line)
      changed.push(this.lines.length - 1)
    }
    if (event.stream !== undefined) {
      for (const text of clean(event.stream).replace(/\n$/, "").split("\n")) add({ id: undefined, status: text, text })
    }
    if (event.status !== undefined) {
      const status = clean(event.status)
      const id = event.id === undefined ? undefined : clean(event.id)
      const detail = event.progressDetail
      const progress = detail?.total !== undefined && detail.total > 0 && detail.current !== undefined
        ? ` ${bar(detail.current, detail.total)} ${formatBytes(detail.current)}/${formatBytes(detail.total)}`
        : ""
      if (id === undefined) {
        add({ id, status, text: status })
      } else {
        const line = { id, status, text: `${id}: ${status}${progress}` }
        const index = this.byId.get(id)
        if (index === undefined) {
          this.byId.set(id, this.lines.length)
          add(line)
        } else {
          this.lines[index] = line
          changed.push(index)
        }
      }
    }
    return changed
  }
}
