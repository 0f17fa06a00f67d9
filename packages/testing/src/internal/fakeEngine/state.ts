/**
 * The fake engine's state: its objects, its event log, and the wake-ups of the requests that wait
 * on a change (follows, waits, event streams).
 */
import type * as Schemas from "@effect-docker/client/Schemas"
import * as Effect from "effect/Effect"
import type * as FakeEngine from "../../FakeEngine.js"
import type { ContainerRecord, ExecRecord, ImageRecord, NetworkRecord, VolumeRecord, Wire } from "./wire.js"

/** The API version the fake speaks: 1.41 unless asked for 1.51. */
export const apiVersionOf = (options: FakeEngine.Options): FakeEngine.ApiVersion => options.apiVersion ?? "1.41"

export class EngineState {
  readonly containers = new Map<string, ContainerRecord>()
  readonly images = new Map<string, ImageRecord>()
  readonly execs = new Map<string, ExecRecord>()
  readonly networks = new Map<string, NetworkRecord>()
  readonly volumes = new Map<string, VolumeRecord>()
  readonly events: Array<Wire<typeof Schemas.EventMessage>> = []
  /** Called after every change of state; follows and waits re-check their condition. */
  private readonly listeners = new Set<() => void>()
  nextPid = 1000
  nextSubnet = 18

  constructor(readonly options: FakeEngine.Options) {}

  changed(): void {
    for (const listener of [...this.listeners]) listener()
  }

  /** Waits until `ready` gives a value, re-checking after each change. */
  until<A>(ready: () => A | undefined): Effect.Effect<A> {
    return Effect.async<A>((resume) => {
      const now = ready()
      if (now !== undefined) return resume(Effect.succeed(now))
      const listener = () => {
        const value = ready()
        if (value === undefined) return
        this.listeners.delete(listener)
        resume(Effect.succeed(value))
      }
      this.listeners.add(listener)
      return Effect.sync(() => this.listeners.delete(listener))
    })
  }

  emit(type: string, action: string, id: string, attributes: Record<string, string>): void {
    const now = Date.now()
    const container = type === "container"
    this.events.push({
      ...(container ? { status: action, id, from: attributes.image ?? "" } : {}),
      Type: type,
      Action: action,
      Actor: { ID: id, Attributes: attributes },
      scope: "local",
      time: Math.floor(now / 1000),
      timeNano: now * 1_000_000
    })
    this.changed()
  }
}

/** A container's event attributes: its labels, image and name. */
export const containerAttributes = (c: ContainerRecord, extra: Record<string, string> = {}) => ({
  ...(c.config.Labels ?? {}),
  image: c.image,
  name: c.name.slice(1),
  ...extra
})
