/**
 * `docker.system.events`: what it asks the engine for, and the formats it reads.
 */
import { Docker } from "@effect-docker/client"
import { MockTransport } from "@effect-docker/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

const event = (action: string) => ({ Type: "container", Action: action, Actor: { ID: "c1", Attributes: {} }, time: 1 })

describe("system.events", () => {
  it.effect("asks for newline-delimited JSON, and reads the json-seq an engine may choose instead", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const events = yield* docker.system.events({ since: "0", until: "1" }).pipe(Stream.runCollect)
      expect(Chunk.toReadonlyArray(events).map((e) => e.Action)).toEqual(["create", "start"])
      const [request] = (yield* MockTransport.MockTransport).requests.filter((r) => r.path.endsWith("/events"))
      expect(request?.headers.accept).toBe("application/x-ndjson")
    }).pipe(Effect.provide(MockTransport.layerDocker((request) =>
      request.path.endsWith("/events")
        ? {
          status: 200,
          headers: { "content-type": "application/json-seq" },
          body: ["create", "start"].map((action) => `\u001e${JSON.stringify(event(action))}\n`).join("")
        }
        : undefined, { apiVersion: "1.52" }))))
})
