/**
 * The system routes: ping, version, info and events.
 */
import type * as Schemas from "@effect-docker/client/Schemas"
import * as Stream from "effect/Stream"
import type * as FakeEngine from "../../FakeEngine.js"
import { running } from "./containerModel.js"
import type { Route } from "./route.js"
import { apiVersionOf } from "./state.js"
import { encoder, json, matchesLabels, parseFilters, wallClockSleep, type Wire } from "./wire.js"

/** The Docker releases the fake answers as, by the API version it is asked to speak. */
const releases = {
  "1.41": { Version: "20.10.24", ApiVersion: "1.41", MinAPIVersion: "1.12", GoVersion: "go1.19.8" },
  "1.51": { Version: "28.5.2", ApiVersion: "1.51", MinAPIVersion: "1.24", GoVersion: "go1.24.9" }
} as const

const serverVersion = (options: FakeEngine.Options) => ({
  ...releases[apiVersionOf(options)],
  GitCommit: "fake",
  Os: "linux",
  Arch: "amd64",
  KernelVersion: "",
  BuildTime: "2026-01-01T00:00:00.000000000+00:00",
  ...options.version
})

/** The headers the engine sends on every answer. */
export const engineHeaders = (options: FakeEngine.Options) => ({
  "Api-Version": apiVersionOf(options),
  "Docker-Experimental": "false",
  "Ostype": "linux",
  "Server": `Docker/${serverVersion(options).Version} (linux) effect-docker-fake-engine`
})

/** What `/version` answers. */
export const systemVersion = (options: FakeEngine.Options): Wire<typeof Schemas.SystemVersion> => {
  const server = serverVersion(options)
  return {
    Platform: { Name: "" },
    Components: [{
      Name: "Engine",
      Version: server.Version,
      Details: {
        ApiVersion: server.ApiVersion,
        Arch: server.Arch,
        BuildTime: server.BuildTime,
        Experimental: "false",
        GitCommit: server.GitCommit,
        GoVersion: server.GoVersion,
        KernelVersion: server.KernelVersion,
        MinAPIVersion: server.MinAPIVersion,
        Os: server.Os
      }
    }],
    ...server
  }
}

// The fake has the classic builder only: a CLI that reads Builder-Version 2 would start BuildKit.
const pingHeaders = (options: FakeEngine.Options) => ({
  ...engineHeaders(options),
  ...(apiVersionOf(options) === "1.41" ? {} : { "Builder-Version": "1", "Swarm": "inactive" }),
  "Cache-Control": "no-cache, no-store, must-revalidate",
  "Pragma": "no-cache"
})

export const routes: ReadonlyArray<Route> = [
  [["GET", "HEAD"], "/_ping", ({ engine, request }) => ({
    status: 200,
    headers: { ...pingHeaders(engine.options), "Content-Type": "text/plain; charset=utf-8" },
    body: request.method === "HEAD" ? "" : "OK"
  })],
  [["GET"], "/version", ({ engine }) => json(systemVersion(engine.options))],
  [["GET"], "/info", ({ engine }) => {
    const list = [...engine.containers.values()]
    return json({
      ID: "FAKE",
      Containers: list.length,
      ContainersRunning: list.filter((c) => c.state.status === "running").length,
      ContainersPaused: list.filter((c) => c.state.status === "paused").length,
      ContainersStopped: list.filter((c) => !running(c)).length,
      Images: engine.images.size,
      Driver: "vfs",
      OperatingSystem: "effect-docker FakeEngine",
      OSType: "linux",
      Architecture: "x86_64",
      ServerVersion: serverVersion(engine.options).Version,
      Name: "fake-engine",
      Labels: []
    })
  }],
  [["GET"], "/events", ({ engine, query }) => {
    const filters = parseFilters(query.get("filters"))
    const since = Number(query.get("since") ?? Number.NaN)
    const untilTime = Number(query.get("until") ?? Number.NaN)
    const accept = (event: Wire<typeof Schemas.EventMessage>) =>
      (filters.type === undefined || filters.type.includes(event.Type ?? "")) &&
      (filters.event === undefined || filters.event.includes(event.Action ?? "")) &&
      (filters.container === undefined ||
        (event.Type === "container" &&
          filters.container.some((name) =>
            event.Actor?.ID?.startsWith(name) || event.Actor?.Attributes?.name === name
          ))) &&
      (filters.label === undefined || matchesLabels(event.Actor?.Attributes, filters.label))
    const line = (event: Wire<typeof Schemas.EventMessage>) => encoder.encode(JSON.stringify(event) + "\n")
    const past = Number.isNaN(since) ? [] : engine.events.filter((e) => (e.time ?? 0) >= since)
    let seen = engine.events.length
    const pastLines = Stream.fromIterable(
      past.filter((e) => accept(e) && (Number.isNaN(untilTime) || (e.time ?? 0) <= untilTime)).map(line)
    )
    if (!Number.isNaN(untilTime) && untilTime * 1000 <= Date.now()) {
      return { status: 200, headers: { "Content-Type": "application/json" }, body: pastLines }
    }
    const fresh = Stream.repeatEffect(engine.until(() => {
      if (engine.events.length === seen) return undefined
      const fresh = engine.events.slice(seen)
      seen = engine.events.length
      return fresh
    })).pipe(Stream.flattenIterables, Stream.filter(accept), Stream.map(line))
    const live = Number.isNaN(untilTime)
      ? fresh
      : Stream.interruptWhen(fresh, wallClockSleep(untilTime * 1000 - Date.now()))
    return { status: 200, headers: { "Content-Type": "application/json" }, body: Stream.concat(pastLines, live) }
  }]
]
