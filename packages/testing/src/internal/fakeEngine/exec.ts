/**
 * Exec processes: created in a running container, run once by a start, and the exec routes.
 */
import * as DockerEngine from "@effect-docker/client/DockerEngine"
import type * as Schemas from "@effect-docker/client/Schemas"
import * as MockTransport from "../../MockTransport.js"
import { info, running } from "./containerModel.js"
import { type Answer, type Route, withBody } from "./route.js"
import { containerAttributes, type EngineState } from "./state.js"
import {
  type ContainerRecord,
  encoder,
  type ExecRecord,
  ExecStartBody,
  fail,
  frame,
  json,
  randomHex,
  type Wire
} from "./wire.js"

/** `POST /containers/{id}/exec` on a container found. */
export const createExec = (
  engine: EngineState,
  c: ContainerRecord,
  body: typeof Schemas.ContainerExecBody.Type
): Answer => {
  if (c.state.status === "paused") return fail(409, `Container ${c.id} is paused, unpause the container before exec`)
  if (!running(c)) return fail(409, `Container ${c.id} is not running`)
  if (body.Cmd === undefined || body.Cmd.length === 0) return fail(400, "No exec command specified")
  const exec: ExecRecord = {
    id: randomHex(32),
    containerId: c.id,
    cmd: body.Cmd,
    tty: body.Tty ?? false,
    attachStdin: body.AttachStdin ?? false,
    attachStdout: body.AttachStdout ?? false,
    attachStderr: body.AttachStderr ?? false,
    running: false,
    exitCode: null,
    pid: 0
  }
  engine.execs.set(exec.id, exec)
  c.execIds.push(exec.id)
  engine.emit("container", `exec_create: ${exec.cmd.join(" ")}`, c.id, containerAttributes(c, { execID: exec.id }))
  return json({ Id: exec.id }, 201)
}

const execInspect = (e: ExecRecord): Wire<typeof Schemas.ExecInspectResponse> => ({
  ID: e.id,
  Running: e.running,
  ExitCode: e.exitCode,
  ProcessConfig: {
    tty: e.tty,
    entrypoint: e.cmd[0] ?? "",
    arguments: e.cmd.slice(1),
    privileged: false
  },
  OpenStdin: e.attachStdin,
  OpenStderr: e.attachStderr,
  OpenStdout: e.attachStdout,
  CanRemove: false,
  ContainerID: e.containerId,
  DetachKeys: "",
  Pid: e.pid
})

/** Runs the exec's script to its end; its output as the session would carry it. */
const runExec = (engine: EngineState, e: ExecRecord, c: ContainerRecord): Uint8Array => {
  const script = engine.options.exec?.(info(c), e.cmd)
  const parts: Array<Uint8Array> = []
  for (const { data, stream } of script?.output ?? []) {
    const bytes = typeof data === "string" ? encoder.encode(data) : data
    if (stream === "stdout" ? !e.attachStdout : !e.attachStderr) continue
    parts.push(e.tty ? bytes : frame(stream, bytes))
  }
  e.running = false
  e.exitCode = script?.exit ?? 0
  engine.emit("container", "exec_die", c.id, containerAttributes(c, { execID: e.id, exitCode: String(e.exitCode) }))
  return DockerEngine.concat(parts)
}

const withExec = (engine: EngineState, id: string, f: (exec: ExecRecord) => Answer): Answer => {
  const exec = engine.execs.get(id)
  return exec === undefined ? fail(404, `No such exec instance: ${id}`) : f(exec)
}

export const routes: ReadonlyArray<Route> = [
  [
    ["GET"],
    "/exec/{id}/json",
    ({ engine, params: { id } }) => withExec(engine, id!, (exec) => json(execInspect(exec)))
  ],
  [
    ["POST"],
    "/exec/{id}/resize",
    ({ engine, params: { id } }) => withExec(engine, id!, () => MockTransport.empty(201))
  ],
  [
    ["POST"],
    "/exec/{id}/start",
    ({ engine, params: { id }, request }) =>
      withExec(engine, id!, (exec) =>
        withBody(ExecStartBody, request, (body) => {
          const c = engine.containers.get(exec.containerId)
          if (c === undefined || !running(c)) return fail(409, `Container ${exec.containerId} is not running`)
          if (exec.running || exec.exitCode !== null) return fail(409, `Error: Exec command ${exec.id} has already run`)
          exec.running = true
          exec.pid = engine.nextPid++
          engine.emit(
            "container",
            `exec_start: ${exec.cmd.join(" ")}`,
            c.id,
            containerAttributes(c, { execID: exec.id })
          )
          const output = runExec(engine, exec, c)
          if (body.Detach === true) return MockTransport.empty(200)
          const contentType = exec.tty
            ? "application/vnd.docker.raw-stream"
            : "application/vnd.docker.multiplexed-stream"
          return { status: 200, headers: { "Content-Type": contentType }, body: output, hijack: true }
        }))
  ]
]
