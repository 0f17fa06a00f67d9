/**
 * At most `size` requests in flight, the rest queued in order: the connection bound a runtime's
 * `fetch` does not have (Bun's and Deno's keep as many connections as there are requests).
 */
export class Gate {
  private inFlight = 0
  private readonly waiting: Array<() => void> = []
  constructor(private readonly size: number) {}
  /** Runs `start` now or when a place frees; the function returned takes it out of the queue. */
  enter(start: () => void): () => void {
    if (this.inFlight < this.size) {
      this.inFlight++
      start()
      return noop
    }
    this.waiting.push(start)
    return () => {
      const index = this.waiting.indexOf(start)
      if (index >= 0) this.waiting.splice(index, 1)
    }
  }
  /** Frees a place, handing it to the next in the queue. */
  leave(): void {
    const next = this.waiting.shift()
    if (next !== undefined) next()
    else this.inFlight--
  }
}

const noop = () => {}
