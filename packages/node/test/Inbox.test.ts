/**
 * The inbox between a socket and its reader (internal/inbox.ts): with a wake window (streamed
 * answers), a chunk after a pause wakes the reader at once, chunks that follow each other closely
 * reach it together one window later, and the high-water mark, the end and a failure never wait
 * for the window; without one (hijacked connections), every chunk wakes the reader at once.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import { Inbox } from "../src/internal/inbox.js"

/** A window far longer than a turn of the event loop, so that "at once" and "later" differ on a busy machine. */
const windowMs = 200

const bytes = (size: number) => new Uint8Array(size)

/** A turn of the event loop: what a reader woken at once has taken by then. */
const turn = Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))

/** Runs a reader of `inbox` that keeps each pull's chunk sizes, a pull to an array. */
const reader = (inbox: Inbox<string>) =>
  Effect.gen(function*() {
    const pulls: Array<Array<number>> = []
    const fiber = yield* Effect.fork(
      Stream.runForEachChunk(inbox.stream, (chunk) =>
        Effect.sync(() => pulls.push(Chunk.toArray(Chunk.map(chunk, (c) => c.length)))))
    )
    yield* turn // the reader waits for data
    return { pulls, fiber }
  })

/** Ends `inbox` and checks that its reader then completes. */
const endsReader = (inbox: Inbox<string>, fiber: Fiber.RuntimeFiber<void, string>) =>
  Effect.gen(function*() {
    inbox.end()
    expect(yield* Fiber.await(fiber)).toEqual(Exit.void)
  })

describe("Inbox", () => {
  it.live("a chunk after a pause wakes the reader at once", () =>
    Effect.gen(function*() {
      const inbox = new Inbox<string>(() => {}, windowMs)
      const { fiber, pulls } = yield* reader(inbox)
      inbox.push(bytes(10))
      yield* turn
      expect(pulls).toEqual([[10]])
      yield* Effect.sleep(windowMs + 50)
      inbox.push(bytes(20))
      yield* turn
      expect(pulls).toEqual([[10], [20]])
      yield* endsReader(inbox, fiber)
    }))

  it.live("chunks that follow each other within the window reach the reader together, one window later", () =>
    Effect.gen(function*() {
      const inbox = new Inbox<string>(() => {}, windowMs)
      const { fiber, pulls } = yield* reader(inbox)
      inbox.push(bytes(10))
      yield* turn
      inbox.push(bytes(20))
      yield* turn
      inbox.push(bytes(30))
      yield* turn
      expect(pulls).toEqual([[10]]) // the reader still waits: the flow goes on
      yield* Effect.sleep(windowMs + 50)
      expect(pulls).toEqual([[10], [20, 30]])
      yield* endsReader(inbox, fiber)
    }))

  it.live("the high-water mark, the end and a failure wake the reader without waiting for the window", () =>
    Effect.gen(function*() {
      let drained = 0
      const inbox = new Inbox<string>(() => drained++, windowMs)
      const { fiber, pulls } = yield* reader(inbox)
      inbox.push(bytes(10))
      yield* turn
      expect(inbox.push(bytes(1024 * 1024))).toBe(true) // full: the source is told to stop
      yield* turn
      expect(pulls).toEqual([[10], [1024 * 1024]])
      inbox.push(bytes(5))
      inbox.end()
      yield* turn
      expect(pulls).toEqual([[10], [1024 * 1024], [5]])
      expect(yield* Fiber.await(fiber)).toEqual(Exit.void)
      expect(drained).toBe(3) // told to go on after each pull

      const failing = new Inbox<string>(() => {}, windowMs)
      const second = yield* reader(failing)
      failing.push(bytes(1))
      yield* turn
      failing.push(bytes(2))
      failing.fail("the engine went away")
      yield* turn
      expect(second.pulls).toEqual([[1], [2]])
      expect(yield* Fiber.await(second.fiber)).toEqual(Exit.fail("the engine went away"))
    }))

  it.live("without a window (a hijacked connection) every chunk wakes the reader at once, however close", () =>
    Effect.gen(function*() {
      const inbox = new Inbox<string>(() => {})
      const { fiber, pulls } = yield* reader(inbox)
      for (const size of [10, 20, 30]) {
        inbox.push(bytes(size))
        yield* turn
      }
      expect(pulls).toEqual([[10], [20], [30]])
      yield* endsReader(inbox, fiber)
    }))

  it.live("a reader interrupted while its wake is delayed stops at once, and the delayed wake finds no one", () =>
    Effect.gen(function*() {
      const inbox = new Inbox<string>(() => {}, windowMs)
      const { fiber, pulls } = yield* reader(inbox)
      inbox.push(bytes(10))
      yield* turn
      inbox.push(bytes(20)) // a delayed wake
      expect(Exit.isInterrupted(yield* Fiber.interrupt(fiber))).toBe(true)
      yield* Effect.sleep(windowMs + 50)
      expect(pulls).toEqual([[10]])
    }))
})
