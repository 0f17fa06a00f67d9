/**
 * The container routes.
 */
import * as Schemas from "@effect-docker/client/Schemas"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as MockTransport from "../../MockTransport.js"
import { containerInspect, running } from "./containerModel.js"
import {
  createContainer,
  destroy,
  finish,
  invalidName,
  listContainers,
  logStream,
  nameTaken,
  startContainer,
  stopContainer,
  withContainer
} from "./containers.js"
import { createExec } from "./exec.js"
import { type Route, withBody } from "./route.js"
import { apiVersionOf, containerAttributes } from "./state.js"
import { volumeUsers } from "./volumes.js"
import { encoder, EngineFailure, fail, json, truthy } from "./wire.js"

const signalNumbers: Record<string, number> = {
  SIGKILL: 9,
  KILL: 9,
  SIGTERM: 15,
  TERM: 15,
  SIGINT: 2,
  INT: 2,
  SIGHUP: 1,
  HUP: 1
}

const streamType = (tty: boolean | null | undefined) =>
  tty === true ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream"

const pauseRoute = (pause: boolean): Route[2] => ({ engine, params: { id } }) =>
  withContainer(engine, id!, (c) => {
    if (!running(c)) return fail(409, `Container ${c.id} is not running`)
    if (pause && c.state.status === "paused") return fail(409, `Container ${c.id} is already paused`)
    if (!pause && c.state.status !== "paused") return fail(409, `Container ${c.id} is not paused`)
    c.state.status = pause ? "paused" : "running"
    engine.emit("container", pause ? "pause" : "unpause", c.id, containerAttributes(c))
    return MockTransport.empty()
  })

export const routes: ReadonlyArray<Route> = [
  [["GET"], "/containers/json", ({ engine, query }) => json(listContainers(engine, query))],
  [
    ["POST"],
    "/containers/create",
    ({ engine, query, request }) =>
      withBody(Schemas.ContainerCreateBody, request, (body) => {
        const created = createContainer(engine, query.get("name"), body)
        return created instanceof EngineFailure ? created : json({ Id: created.id, Warnings: [] }, 201)
      })
  ],
  [
    ["GET"],
    "/containers/{id}/json",
    ({ engine, params: { id } }) => withContainer(engine, id!, (c) => json(containerInspect(c)))
  ],
  [["POST"], "/containers/{id}/start", ({ engine, params: { id } }) =>
    withContainer(engine, id!, (c) => {
      if (running(c)) return MockTransport.empty(304)
      startContainer(engine, c)
      return MockTransport.empty()
    })],
  [["POST"], "/containers/{id}/stop", ({ engine, params: { id } }) =>
    withContainer(engine, id!, (c) => {
      if (!running(c)) return MockTransport.empty(304)
      stopContainer(engine, c)
      return MockTransport.empty()
    })],
  [["POST"], "/containers/{id}/restart", ({ engine, params: { id } }) =>
    withContainer(engine, id!, (c) => {
      if (running(c)) stopContainer(engine, c)
      startContainer(engine, c)
      engine.emit("container", "restart", c.id, containerAttributes(c))
      return MockTransport.empty()
    })],
  [["POST"], "/containers/{id}/kill", ({ engine, params: { id }, query }) =>
    withContainer(engine, id!, (c) => {
      if (!running(c)) return fail(409, `Cannot kill container: ${id}: Container ${c.id} is not running`)
      const signal = query.get("signal") ?? "SIGKILL"
      const number = /^\d+$/.test(signal) ? Number(signal) : signalNumbers[signal.toUpperCase()]
      if (number === undefined) return fail(400, `Invalid signal: ${signal}`)
      engine.emit("container", "kill", c.id, containerAttributes(c, { signal: String(number) }))
      finish(engine, c, 128 + number)
      return MockTransport.empty()
    })],
  [["POST"], "/containers/{id}/pause", pauseRoute(true)],
  [["POST"], "/containers/{id}/unpause", pauseRoute(false)],
  [["POST"], "/containers/{id}/rename", ({ engine, params: { id }, query }) =>
    withContainer(engine, id!, (c) => {
      const name = query.get("name") ?? ""
      const refused = invalidName(name) ?? nameTaken(engine, `/${name}`, c)
      if (refused !== undefined) return refused
      const oldName = c.name
      c.name = `/${name}`
      engine.emit("container", "rename", c.id, containerAttributes(c, { oldName }))
      return MockTransport.empty()
    })],
  [["POST"], "/containers/{id}/wait", ({ engine, params: { id }, query }) =>
    withContainer(engine, id!, (c) => {
      const condition = query.get("condition") ?? "not-running"
      if (!["not-running", "next-exit", "removed"].includes(condition)) {
        return fail(400, `invalid condition: "${condition}"`)
      }
      const exitsSeen = c.state.finishedAt
      const done = () => {
        if (condition === "removed") return engine.containers.has(c.id) ? undefined : c
        if (condition === "next-exit") return c.state.finishedAt !== exitsSeen && !running(c) ? c : undefined
        return running(c) ? undefined : c
      }
      // As the engine does: headers at once (the docker CLI waits for them before it starts
      // the container), the body when the condition is met.
      return {
        status: 200,
        headers: { "Content-Type": "application/json" },
        body: Stream.fromEffect(
          Effect.map(
            engine.until(done),
            (ended) => encoder.encode(JSON.stringify({ Error: null, StatusCode: ended.state.exitCode }) + "\n")
          )
        )
      }
    })],
  [["DELETE"], "/containers/{id}", ({ engine, params: { id }, query }) =>
    withContainer(engine, id!, (c) => {
      if (running(c) && !truthy(query.get("force"))) {
        return fail(
          409,
          apiVersionOf(engine.options) === "1.41"
            ? `You cannot remove a running container ${c.id}. Stop the container before attempting removal or force remove`
            : `cannot remove container ${
              JSON.stringify(id)
            }: container is running: stop the container before removing or force remove`
        )
      }
      if (running(c)) {
        engine.emit("container", "kill", c.id, containerAttributes(c, { signal: "9" }))
        finish(engine, c, 137)
      }
      if (engine.containers.has(c.id)) destroy(engine, c)
      if (truthy(query.get("v"))) {
        for (const mount of c.mounts) {
          if (
            mount.Type === "volume" && typeof mount.Name === "string" && volumeUsers(engine, mount.Name).length === 0
          ) {
            engine.volumes.delete(mount.Name)
            engine.emit("volume", "destroy", mount.Name, { driver: "local" })
          }
        }
      }
      return MockTransport.empty()
    })],
  // As the engine does: what the container writes from now on (and what it wrote, with `logs`),
  // until it stops; with `stream=0`, only what it wrote.
  [["POST"], "/containers/{id}/attach", ({ engine, params: { id }, query }) =>
    withContainer(engine, id!, (c) => {
      const replay = new URLSearchParams({
        stdout: query.get("stdout") ?? "",
        stderr: query.get("stderr") ?? "",
        tail: truthy(query.get("logs")) ? "all" : "0",
        follow: truthy(query.get("stream")) ? "1" : ""
      })
      return {
        status: 200,
        headers: { "Content-Type": streamType(c.config.Tty) },
        body: logStream(engine, c, replay),
        hijack: true
      }
    })],
  // Files copied in are taken and not kept: the fake runs no processes that could read them.
  [
    ["PUT"],
    "/containers/{id}/archive",
    ({ engine, params: { id }, query }) =>
      withContainer(engine, id!, () =>
        query.get("path") === null || query.get("path") === ""
          ? fail(400, "bad parameter: path cannot be empty")
          : MockTransport.empty(200))
  ],
  [["GET"], "/containers/{id}/logs", ({ engine, params: { id }, query }) =>
    withContainer(engine, id!, (c) => {
      if (!truthy(query.get("stdout")) && !truthy(query.get("stderr"))) {
        return fail(400, "Bad parameters: you must choose at least one stream")
      }
      return { status: 200, headers: { "Content-Type": streamType(c.config.Tty) }, body: logStream(engine, c, query) }
    })],
  [
    ["POST"],
    "/containers/{id}/exec",
    ({ engine, params: { id }, request }) =>
      withContainer(
        engine,
        id!,
        (c) => withBody(Schemas.ContainerExecBody, request, (body) => createExec(engine, c, body))
      )
  ]
]
