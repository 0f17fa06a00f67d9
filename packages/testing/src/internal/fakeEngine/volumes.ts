/**
 * Volumes, and the volume routes.
 */
import * as Schemas from "@effect-docker/client/Schemas"
import * as MockTransport from "../../MockTransport.js"
import { type Answer, type Route, withBody } from "./route.js"
import type { EngineState } from "./state.js"
import { fail, json, matchesLabels, parseFilters, randomHex, truthy, type VolumeRecord, type Wire } from "./wire.js"

export const mountpoint = (name: string) => `/var/lib/docker/volumes/${name}/_data`

/** Creates a volume, or answers the one with that name. */
export const createVolume = (engine: EngineState, body: typeof Schemas.VolumeCreateRequest.Type) => {
  const name = body.Name === undefined || body.Name === "" ? randomHex(32) : body.Name
  const existing = engine.volumes.get(name)
  if (existing !== undefined) return existing
  const record: VolumeRecord = {
    name,
    driver: body.Driver ?? "local",
    created: new Date(),
    labels: body.Labels === undefined || Object.keys(body.Labels).length === 0 ? null : body.Labels,
    options: body.DriverOpts === undefined || Object.keys(body.DriverOpts).length === 0 ? null : body.DriverOpts
  }
  engine.volumes.set(name, record)
  engine.emit("volume", "create", name, { driver: record.driver })
  return record
}

const volumeJson = (v: VolumeRecord): Wire<typeof Schemas.Volume> => ({
  CreatedAt: v.created.toISOString().replace(/\.\d+Z$/, "Z"),
  Driver: v.driver,
  Labels: v.labels,
  Mountpoint: mountpoint(v.name),
  Name: v.name,
  Options: v.options,
  Scope: "local"
})

/** The containers that mount a volume. */
export const volumeUsers = (engine: EngineState, name: string) =>
  [...engine.containers.values()].filter((c) => c.mounts.some((m) => m.Type === "volume" && m.Name === name))

const withVolume = (engine: EngineState, name: string, f: (volume: VolumeRecord) => Answer) => {
  const volume = engine.volumes.get(name)
  return volume === undefined ? fail(404, `get ${name}: no such volume`) : f(volume)
}

export const routes: ReadonlyArray<Route> = [
  [["GET"], "/volumes", ({ engine, query }) => {
    const filters = parseFilters(query.get("filters"))
    const list = [...engine.volumes.values()].filter((v) =>
      (filters.name === undefined || filters.name.some((name) => v.name.includes(name))) &&
      (filters.driver === undefined || filters.driver.includes(v.driver)) &&
      (filters.label === undefined || matchesLabels(v.labels, filters.label)) &&
      (filters.dangling === undefined ||
        filters.dangling.includes(String(volumeUsers(engine, v.name).length === 0)))
    )
    return json({ Volumes: list.map(volumeJson), Warnings: null })
  }],
  [
    ["POST"],
    "/volumes/create",
    ({ engine, request }) =>
      withBody(Schemas.VolumeCreateRequest, request, (body) => json(volumeJson(createVolume(engine, body)), 201))
  ],
  [
    ["GET"],
    "/volumes/{name}",
    ({ engine, params: { name } }) => withVolume(engine, name!, (volume) => json(volumeJson(volume)))
  ],
  [["DELETE"], "/volumes/{name}", ({ engine, params: { name }, query }) =>
    withVolume(engine, name!, (volume) => {
      const users = volumeUsers(engine, volume.name)
      if (users.length > 0 && !truthy(query.get("force"))) {
        return fail(409, `remove ${volume.name}: volume is in use - [${users.map((c) => c.id).join(", ")}]`)
      }
      engine.volumes.delete(volume.name)
      engine.emit("volume", "destroy", volume.name, { driver: volume.driver })
      return MockTransport.empty()
    })]
]
