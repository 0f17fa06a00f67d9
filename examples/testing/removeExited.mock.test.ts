// The testing guide, 1: MockTransport answers each request with the test's handler, and records them.
import { MockTransport } from "@effect-docker/testing"
import { expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { removeExited } from "./removeExited.js"

const layer = MockTransport.layerDocker((request) => {
  if (request.method === "GET" && request.path.endsWith("/containers/json")) {
    return MockTransport.json([{ Id: "a1", Names: ["/job-1"] }, { Id: "b2", Names: ["/job-2"] }])
  }
  if (request.method === "DELETE") {
    return request.path.endsWith("/b2")
      ? MockTransport.error(409, "in use")
      : MockTransport.empty()
  }
  return undefined // `/_ping` is answered by the mock; anything else is a 404
})

it.effect("asks for the app's exited containers and removes each", () =>
  Effect.gen(function*() {
    const error = yield* Effect.flip(removeExited("shop"))
    expect(error).toMatchObject({ _tag: "Conflict", message: "in use" })
    const sent = yield* MockTransport.requests
    const list = sent.find((request) => request.path.endsWith("/containers/json"))!
    expect(JSON.parse(list.query.get("filters")!)).toEqual({ label: ["app=shop"], status: ["exited"] })
    expect(sent.filter((request) => request.method === "DELETE").map((request) => request.path)).toEqual([
      "/v1.41/containers/a1",
      "/v1.41/containers/b2"
    ])
  }).pipe(Effect.provide(layer)))
