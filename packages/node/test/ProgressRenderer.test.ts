/**
 * The progress renderer as a person sees it: the terminal's screen (the escape codes applied by
 * a small screen model here) shows one line per layer with its last status; a pipe gets plain
 * lines, one per status change, with no escape code; a failure is the last line; engine text
 * cannot move the cursor.
 */
import type { BuildKit } from "@effect-docker/client"
import { ProgressRenderer } from "@effect-docker/node"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

const pull = [
  { status: "Pulling from effect-docker/layers", id: "v1" },
  { status: "Pulling fs layer", id: "aaaa" },
  { status: "Pulling fs layer", id: "bbbb" },
  { status: "Downloading", id: "aaaa", progressDetail: { current: 500, total: 1000 } },
  { status: "Downloading", id: "bbbb", progressDetail: { current: 1500, total: 2_000_000 } },
  { status: "Downloading", id: "aaaa", progressDetail: { current: 1000, total: 1000 } },
  { status: "Download complete", id: "aaaa" },
  { status: "Pull complete", id: "aaaa" },
  { status: "Download complete", id: "bbbb" },
  { status: "Pull complete", id: "bbbb" },
  { status: "Digest: sha256:0123" },
  { status: "Status: Downloaded newer image for 127.0.0.1:25000/effect-docker/layers:v1" }
]

/** Applies what was written to a screen: text, `\n`, cursor up (`ESC[nA`), erase line (`ESC[2K`), styles (`ESC[0m`). */
const screen = (written: string) => {
  const rows: Array<string> = [""]
  let row = 0
  for (const token of written.match(/\x1b\[\d*[A-Za-z]|\n|[^\x1b\n]+/g) ?? []) {
    if (token === "\n") {
      row++
      rows[row] ??= ""
    } else if (token.startsWith("\x1b[")) {
      const code = token.at(-1)
      const n = Number(token.slice(2, -1) || "1")
      if (code === "A") row = Math.max(0, row - n)
      else if (code === "K") rows[row] = ""
      else if (code === "m") continue // a style reset
      else throw new Error(`unexpected escape ${JSON.stringify(token)}`)
    } else rows[row] += token
  }
  return rows.filter((line, i) => i < rows.length - 1 || line !== "")
}

const capture = (tty: boolean, columns?: number) => {
  let written = ""
  return { output: { write: (text: string) => (written += text), isTTY: tty, columns }, text: () => written }
}

describe("ProgressRenderer", () => {
  it.effect("in a terminal: one line per layer, redrawn in place, ending with each layer's last status", () =>
    Effect.gen(function*() {
      const terminal = capture(true)
      yield* ProgressRenderer.render(Stream.fromIterable(pull), { output: terminal.output })
      expect(terminal.text()).toContain("\x1b[")
      expect(screen(terminal.text())).toEqual([
        "v1: Pulling from effect-docker/layers",
        "aaaa: Pull complete",
        "bbbb: Pull complete",
        "Digest: sha256:0123",
        "Status: Downloaded newer image for 127.0.0.1:25000/effect-docker/layers:v1"
      ])
    }))

  it.effect("mid-download, a layer's line shows its bar and bytes", () =>
    Effect.gen(function*() {
      const terminal = capture(true)
      yield* ProgressRenderer.render(Stream.fromIterable(pull.slice(0, 5)), { output: terminal.output })
      expect(screen(terminal.text())).toEqual([
        "v1: Pulling from effect-docker/layers",
        `aaaa: Downloading [${"=".repeat(14)}>${" ".repeat(15)}] 500B/1.00kB`,
        `bbbb: Downloading [${" ".repeat(30)}] 1.50kB/2.00MB`
      ])
    }))

  it.effect("in a pipe: a plain line per status change, no escape code, no progress tick", () =>
    Effect.gen(function*() {
      const pipe = capture(false)
      yield* ProgressRenderer.render(Stream.fromIterable(pull), { output: pipe.output })
      expect(pipe.text()).not.toContain("\x1b")
      expect(pipe.text().trimEnd().split("\n")).toEqual([
        "v1: Pulling from effect-docker/layers",
        "aaaa: Pulling fs layer",
        "bbbb: Pulling fs layer",
        "aaaa: Downloading",
        "bbbb: Downloading",
        "aaaa: Download complete",
        "aaaa: Pull complete",
        "bbbb: Download complete",
        "bbbb: Pull complete",
        "Digest: sha256:0123",
        "Status: Downloaded newer image for 127.0.0.1:25000/effect-docker/layers:v1"
      ])
    }))

  it.effect("a failure is the last line, and fails the effect with the stream's error", () =>
    Effect.gen(function*() {
      for (const tty of [true, false]) {
        const output = capture(tty)
        const failing = Stream.concat(
          Stream.fromIterable(pull.slice(0, 3)),
          Stream.fail({ _tag: "PullError", message: "unauthorized: authentication required" })
        )
        const error = yield* Effect.flip(ProgressRenderer.render(failing, { output: output.output }))
        expect(error._tag).toBe("PullError")
        expect(screen(output.text()).at(-1)).toBe("error: unauthorized: authentication required")
      }
    }))

  it.effect("build output lines in order; control characters from the engine are dropped", () =>
    Effect.gen(function*() {
      const terminal = capture(true, 40)
      yield* ProgressRenderer.render(
        Stream.fromIterable([
          { stream: "Step 1/2 : FROM busybox\n" },
          { stream: " ---> 3f57d9401f8d\n" },
          { stream: "evil \x1b[2J\x1b[1Aoutput\n" },
          { stream: "a line longer than the forty columns of this terminal\n" }
        ]),
        { output: terminal.output }
      )
      expect(screen(terminal.text())).toEqual([
        "Step 1/2 : FROM busybox",
        " ---> 3f57d9401f8d",
        "evil [2J[1Aoutput",
        "a line longer than the forty columns of"
      ])
    }))

  it.effect("a BuildKit build as buildx draws it: a line per step with its state, transfers, output", () =>
    Effect.gen(function*() {
      const at = (seconds: number) => new Date(Date.UTC(2026, 11, 2, 10, 0, seconds))
      const step = (digest: string, name: string, more: Partial<BuildKit.Vertex> = {}): BuildKit.Vertex => ({
        _tag: "Vertex",
        digest,
        name,
        inputs: [],
        cached: false,
        started: undefined,
        completed: undefined,
        error: undefined,
        ...more
      })
      const events: ReadonlyArray<BuildKit.Event> = [
        step("d1", "[internal] load build context", { started: at(0) }),
        {
          _tag: "Status",
          id: "context",
          vertex: "d1",
          name: "transferring context",
          current: 1500,
          total: 0,
          timestamp: at(0),
          started: at(0),
          completed: undefined
        },
        {
          _tag: "Status",
          id: "context",
          vertex: "d1",
          name: "transferring context",
          current: 3000,
          total: 0,
          timestamp: at(1),
          started: at(0),
          completed: at(1)
        },
        step("d1", "[internal] load build context", { started: at(0), completed: at(1) }),
        step("d2", "[1/2] FROM busybox", { cached: true }),
        step("d3", "[2/2] RUN make", { started: at(1) }),
        {
          _tag: "Log",
          vertex: "d3",
          stream: "stdout",
          data: new TextEncoder().encode("compiling\x1b[2J\nlinked\n"),
          timestamp: at(2)
        },
        { _tag: "Warning", vertex: "d3", level: 1, message: "JSONArgsRecommended", detail: [], url: undefined },
        step("d3", "[2/2] RUN make", { started: at(1), completed: at(3) }),
        { _tag: "Image", id: "sha256:0123" }
      ]
      const terminal = capture(true)
      yield* ProgressRenderer.render(Stream.fromIterable(events), { output: terminal.output })
      expect(screen(terminal.text())).toEqual([
        "#1 [internal] load build context DONE 1.0s",
        "#1 transferring context 3.00kB done",
        "#2 [1/2] FROM busybox CACHED",
        "#3 [2/2] RUN make DONE 2.0s",
        "#3 compiling[2J",
        "#3 linked",
        "WARNING: JSONArgsRecommended",
        "writing image sha256:0123"
      ])
      const pipe = capture(false)
      yield* ProgressRenderer.render(Stream.fromIterable(events), { output: pipe.output })
      expect(pipe.text().trimEnd().split("\n")).toEqual([
        "#1 [internal] load build context",
        "#1 transferring context 1.50kB",
        "#1 transferring context 3.00kB done",
        "#1 [internal] load build context DONE 1.0s",
        "#2 [1/2] FROM busybox CACHED",
        "#3 [2/2] RUN make",
        "#3 compiling[2J",
        "#3 linked",
        "WARNING: JSONArgsRecommended",
        "#3 [2/2] RUN make DONE 2.0s",
        "writing image sha256:0123"
      ])
    }))
})
