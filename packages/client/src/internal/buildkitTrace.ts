/**
 * BuildKit's `StatusResponse` protobufs, as the `moby.buildkit.trace` lines of a
 * `POST /build?version=2` answer carry them (base64), made into the typed events of `BuildKit`.
 */
import { fromBinary } from "@bufbuild/protobuf"
import { type Timestamp, timestampDate } from "@bufbuild/protobuf/wkt"
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
import type * as BuildKit from "../BuildKit.js"
import { DockerStreamError } from "../DockerError.js"
import { StatusResponseSchema } from "../generated/buildkit/github.com/moby/buildkit/api/services/control/control_pb.js"

const textDecoder = new TextDecoder()

const date = (timestamp: Timestamp | undefined): Date | undefined =>
  timestamp === undefined ? undefined : timestampDate(timestamp)

/** The events of one trace message, in BuildKit's order: vertices, statuses, logs, warnings. */
export const decodeTrace = (aux: string): Either.Either<ReadonlyArray<BuildKit.Event>, DockerStreamError> => {
  const bytes = Encoding.decodeBase64(aux)
  if (Either.isLeft(bytes)) {
    return Either.left(new DockerStreamError({ message: `a BuildKit trace is not base64: ${aux.slice(0, 80)}` }))
  }
  let status
  try {
    status = fromBinary(StatusResponseSchema, bytes.right)
  } catch (error) {
    return Either.left(
      new DockerStreamError({ message: `a BuildKit trace is not a StatusResponse: ${String(error)}` })
    )
  }
  const events: Array<BuildKit.Event> = []
  for (const vertex of status.vertexes) {
    events.push({
      _tag: "Vertex",
      digest: vertex.digest,
      name: vertex.name,
      inputs: vertex.inputs,
      cached: vertex.cached,
      started: date(vertex.started),
      completed: date(vertex.completed),
      error: vertex.error === "" ? undefined : vertex.error
    })
  }
  for (const item of status.statuses) {
    events.push({
      _tag: "Status",
      id: item.ID,
      vertex: item.vertex,
      name: item.name,
      current: Number(item.current),
      total: Number(item.total),
      timestamp: date(item.timestamp),
      started: date(item.started),
      completed: date(item.completed)
    })
  }
  for (const log of status.logs) {
    events.push({
      _tag: "Log",
      vertex: log.vertex,
      stream: log.stream === 2n ? "stderr" : "stdout",
      data: log.msg,
      timestamp: date(log.timestamp)
    })
  }
  for (const warning of status.warnings) {
    events.push({
      _tag: "Warning",
      vertex: warning.vertex,
      level: Number(warning.level),
      message: textDecoder.decode(warning.short),
      detail: warning.detail.map((line) => textDecoder.decode(line)),
      url: warning.url === "" ? undefined : warning.url
    })
  }
  return Either.right(events)
}
