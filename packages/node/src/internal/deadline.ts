/**
 * Request deadlines on one shared Node timer. Nearly every deadline is cleared before it fires, and a
 * Node timer per request (insert, unenroll, ref toggling) cost ~2 µs of a buffered request's
 * ~25 µs of client CPU over undici's bare dispatch (profile of 60,000 inspects against an engine
 * that answers at once). A deadline of at least {@link coarseFromMillis} fires within
 * {@link resolutionMillis} after its time; shorter ones keep a timer of their own, for precision.
 */

const coarseFromMillis = 1_000
const resolutionMillis = 100

class Entry {
  constructor(readonly at: number, readonly onExpire: () => void) {}
}

/** A started deadline: a timer of its own, or an entry of the shared sweep. */
export type Deadline = Entry | NodeJS.Timeout

const pending = new Set<Entry>()
let sweeper: NodeJS.Timeout | undefined
/** Whether the sweeper keeps the process alive: while a deadline is pending, as a timer would. */
let holding = false

const sweep = () => {
  if (pending.size === 0) {
    // Idle for a whole period: stop, rather than start and stop per request.
    clearInterval(sweeper)
    sweeper = undefined
    return
  }
  const now = performance.now()
  for (const entry of pending) {
    if (entry.at <= now) {
      pending.delete(entry)
      entry.onExpire()
    }
  }
  release()
}

const release = () => {
  if (holding && pending.size === 0) {
    holding = false
    sweeper?.unref()
  }
}

/** Calls `onExpire` once `millis` have passed, unless {@link clear}ed first; none for `millis <= 0`. */
export const start = (millis: number, onExpire: () => void): Deadline | undefined => {
  if (!(millis > 0)) return undefined
  if (millis < coarseFromMillis) return setTimeout(onExpire, millis)
  const entry = new Entry(performance.now() + millis, onExpire)
  pending.add(entry)
  if (sweeper === undefined) sweeper = setInterval(sweep, resolutionMillis)
  if (!holding) {
    holding = true
    sweeper.ref()
  }
  return entry
}

/** Stops a deadline that has not fired; a no-op for one that has, or for none. */
export const clear = (deadline: Deadline | undefined): void => {
  if (deadline === undefined) return
  if (deadline instanceof Entry) {
    pending.delete(deadline)
    release()
  } else {
    clearTimeout(deadline)
  }
}
