import { Docker, DockerEngine, EnginePath } from "@effect-docker/client"
import { MockTransport } from "@effect-docker/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Layer from "effect/Layer"
import * as Fs from "node:fs"
import { version } from "../src/internal/version.js"

const pingAnnouncing = (apiVersion: string): MockTransport.Handler => (request) =>
  request.path === "/_ping"
    ? { status: 200, headers: { "Api-Version": apiVersion }, body: "OK" }
    : MockTransport.json([])

const apiVersionOf = (handler: MockTransport.Handler, options?: DockerEngine.Options) =>
  Effect.flatMap(DockerEngine.DockerEngine, (engine) => engine.apiVersion).pipe(
    Effect.provide(MockTransport.layerDocker(handler, options))
  )

describe("API version", () => {
  it.effect("negotiates the lower of the engine's and the newest known, once per layer", () =>
    Effect.gen(function*() {
      expect(yield* apiVersionOf(pingAnnouncing("1.45"))).toBe("1.45")
      expect(yield* apiVersionOf(pingAnnouncing("1.99"))).toBe("1.55")
      yield* Effect.gen(function*() {
        const docker = yield* Docker.Docker
        yield* docker.containers.list()
        yield* docker.images.list()
        yield* docker.containers.list()
        const sent = yield* MockTransport.requests
        expect(sent.map((r) => r.path)).toEqual([
          "/_ping",
          "/v1.43/containers/json",
          "/v1.43/images/json",
          "/v1.43/containers/json"
        ])
      }).pipe(Effect.provide(MockTransport.layerDocker(pingAnnouncing("1.43"))))
    }))

  it.effect("refuses an engine older than 1.41 with DockerVersionError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(apiVersionOf(pingAnnouncing("1.24")))
      expect(error).toMatchObject({ _tag: "DockerVersionError", version: "1.24", required: "1.41" })
      expect(error.message).toContain("1.24")
    }))

  it.effect("fails with the engine's error when /_ping itself is refused", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        apiVersionOf(() => MockTransport.text("Client sent an HTTP request to an HTTPS server.", 400))
      )
      expect(error).toMatchObject({ _tag: "BadRequest", path: "/_ping" })
      expect(error.message).toContain("HTTPS server")
    }))

  it.effect("uses a pinned version without asking, and refuses a pinned one that is too old or malformed", () =>
    Effect.gen(function*() {
      yield* Effect.gen(function*() {
        const docker = yield* Docker.Docker
        yield* docker.containers.list()
        expect((yield* MockTransport.requests).map((r) => r.path)).toEqual(["/v1.41/containers/json"])
      }).pipe(Effect.provide(MockTransport.layerDocker(pingAnnouncing("1.45"), { apiVersion: "1.41" })))
      const old = yield* Effect.flip(
        Layer.build(MockTransport.layerDocker(() => undefined, { apiVersion: "1.30" })).pipe(Effect.scoped)
      )
      expect(old._tag).toBe("DockerVersionError")
      const bad = yield* Effect.flip(
        Layer.build(MockTransport.layerDocker(() => undefined, { apiVersion: "v2" })).pipe(Effect.scoped)
      )
      expect(bad._tag).toBe("DockerConfigError")
    }))

  it.effect("fails an operation newer than the version in use before sending it", () =>
    Effect.gen(function*() {
      const engine = yield* DockerEngine.DockerEngine
      const error = yield* Effect.flip(engine.request({
        method: "GET",
        path: { encoded: "/new/thing", invalid: undefined },
        since: "1.44"
      }))
      expect(error).toMatchObject({ _tag: "DockerVersionError", version: "1.41", required: "1.44" })
      expect(error.message).toContain("1.44")
      expect((yield* MockTransport.requests).some((r) => r.path.includes("/new/thing"))).toBe(false)
    }).pipe(Effect.provide(MockTransport.layerDocker(() => undefined, { apiVersion: "1.41" }))))
})

describe("engine errors", () => {
  const cases = [
    [304, "NotModified"],
    [400, "BadRequest"],
    [401, "Unauthorized"],
    [403, "Forbidden"],
    [404, "NotFound"],
    [409, "Conflict"],
    [500, "ServerError"],
    [503, "ServiceUnavailable"],
    [418, "UnexpectedStatus"],
    [301, "UnexpectedStatus"]
  ] as const

  for (const [status, tag] of cases) {
    it.effect(`maps ${status} to ${tag} with the engine's message, method and path`, () =>
      Effect.gen(function*() {
        const engine = yield* DockerEngine.DockerEngine
        const error = yield* Effect.flip(
          engine.request({ method: "POST", path: EnginePath.make`/containers/${"web"}/stop` })
        )
        expect(error).toMatchObject({ _tag: tag, status, method: "POST", path: "/v1.41/containers/web/stop" })
        expect(error.message).toBe(status === 304 ? "not modified" : "it went wrong")
      }).pipe(Effect.provide(MockTransport.layerDocker(
        () => status === 304 ? MockTransport.empty(304) : MockTransport.error(status, "it went wrong"),
        { apiVersion: "1.41" }
      ))))
  }

  it.effect("narrows an operation's errors to the statuses it documents; others are UnexpectedStatus", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      // ContainerStop documents 304, 404 and 500.
      const notModified = yield* Effect.flip(docker.containers.stop("web"))
      expect(notModified._tag).toBe("NotModified")
      const conflict = yield* Effect.flip(docker.containers.stop("busy"))
      expect(conflict).toMatchObject({ _tag: "UnexpectedStatus", status: 409, message: "it is busy" })
      // ContainerDelete documents 409.
      const removeConflict = yield* Effect.flip(docker.containers.remove("busy"))
      expect(removeConflict._tag).toBe("Conflict")
    }).pipe(Effect.provide(MockTransport.layerDocker(
      (request) => request.path.includes("busy") ? MockTransport.error(409, "it is busy") : MockTransport.empty(304),
      { apiVersion: "1.41" }
    ))))

  it.effect("says what kind of thing a 404 could not find, from the engine's message", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const image = yield* Effect.flip(docker.containers.create({ Image: "nope" }))
      expect(image).toMatchObject({ _tag: "NotFound", resource: "image", message: "No such image: nope:latest" })
      const container = yield* Effect.flip(docker.containers.inspect("gone"))
      expect(container).toMatchObject({ _tag: "NotFound", resource: "container" })
    }).pipe(Effect.provide(MockTransport.layerDocker(
      (request) =>
        request.path.endsWith("/create")
          ? MockTransport.error(404, "No such image: nope:latest")
          : MockTransport.error(404, "No such container: gone"),
      { apiVersion: "1.41" }
    ))))

  it.effect("keeps raw JSON and long pages out of messages", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const json = yield* Effect.flip(docker.containers.inspect("a"))
      expect(json.message).toBe("the engine answered 500 with no message")
      const page = yield* Effect.flip(docker.containers.inspect("b"))
      expect(page.message.length).toBeLessThanOrEqual(503)
      expect(page.message.startsWith("<html>")).toBe(true)
      const plain = yield* Effect.flip(docker.containers.inspect("c"))
      expect(plain).toMatchObject({ _tag: "UnexpectedStatus", status: 400, message: "plain words" })
    }).pipe(Effect.provide(MockTransport.layerDocker(
      (request) =>
        request.path.includes("/a/")
          ? MockTransport.json({ error: { nested: true } }, 500)
          : request.path.includes("/b/")
          ? MockTransport.text("<html>" + "x".repeat(5000), 502)
          : MockTransport.text("plain words\n", 400),
      { apiVersion: "1.41" }
    ))))

  it.effect("fails with DockerDecodeError on a body that does not match the schema or is not JSON", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const shape = yield* Effect.flip(docker.containers.inspect("shape"))
      expect(shape).toMatchObject({ _tag: "DockerDecodeError", operation: "ContainerInspect" })
      expect(shape.message).toContain("Id")
      const garbage = yield* Effect.flip(docker.containers.inspect("garbage"))
      expect(garbage).toMatchObject({ _tag: "DockerDecodeError", operation: "ContainerInspect" })
      expect(garbage.message).toContain("not JSON")
    }).pipe(Effect.provide(MockTransport.layerDocker(
      (request) => request.path.includes("shape") ? MockTransport.json({ Id: 42 }) : MockTransport.text("{{{"),
      { apiVersion: "1.41" }
    ))))
})

describe("requests", () => {
  it.effect("carry a User-Agent with the package version", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      yield* docker.system.ping()
      const [ping, sent] = yield* MockTransport.requests
      const pkg = JSON.parse(Fs.readFileSync(new URL("../package.json", import.meta.url), "utf8"))
      expect(version).toBe(pkg.version)
      expect(ping!.headers["user-agent"]).toBe(`effect-docker/${pkg.version}`)
      expect(sent!.headers["user-agent"]).toBe(`effect-docker/${pkg.version}`)
    }).pipe(Effect.provide(MockTransport.layerDocker(() => undefined))))

  it.effect("send every path parameter as one segment and refuse ones that cannot be", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      yield* docker.containers.inspect("a?b#c")
      const traversal = yield* Effect.flip(docker.containers.inspect("a/../../images"))
      expect(traversal).toMatchObject({ _tag: "DockerInputError", reason: "PathSegment" })
      const empty = yield* Effect.flip(docker.containers.remove(""))
      expect(empty).toMatchObject({ _tag: "DockerInputError", reason: "PathSegment" })
      const sent = yield* MockTransport.requests
      expect(sent.map((r) => r.path)).toEqual(["/v1.41/containers/a%3Fb%23c/json"])
    }).pipe(Effect.provide(MockTransport.layerDocker(() => MockTransport.json({ Id: "x" }), { apiVersion: "1.41" }))))

  it.effect("send any id or name as one path segment, and any query value as itself", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      // Ids and names with what a URL gives meaning to: /, .., ?, #, %, spaces, unicode.
      const awkward = FastCheck.oneof(
        FastCheck.string({ unit: FastCheck.constantFrom("/", ".", "?", "#", "%", " ", "a", "é", "😀", "&", "=", "+") }),
        FastCheck.string({ unit: "grapheme" })
      )
      const samples = FastCheck.sample(awkward, { numRuns: 500, seed: 42 })
      expect(samples.some((s) => s.includes("..") && s.includes("/"))).toBe(true)
      for (const value of samples) {
        const before = (yield* MockTransport.requests).length
        const result = yield* Effect.either(
          docker.containers.list({ filters: { name: [value] } }).pipe(
            Effect.zipRight(docker.containers.inspect(value))
          )
        )
        const sent = (yield* MockTransport.requests).slice(before)
        expect(JSON.parse(sent[0]!.query.get("filters")!)).toEqual({ name: [value] })
        const parts = value.split("/")
        if (parts.some((part) => part === "" || part === "." || part === "..")) {
          // Refused before sending: the engine would clean such a path into another route.
          expect(result).toMatchObject({ _tag: "Left", left: { _tag: "DockerInputError", reason: "PathSegment" } })
          expect(sent).toHaveLength(1)
        } else {
          const segment = /^\/v1\.41\/containers\/([^/?#]*)\/json$/.exec(sent[1]!.path)?.[1]
          expect(segment).toBeDefined()
          expect(segment).not.toMatch(/[ ?#/]/)
          expect(decodeURIComponent(segment!)).toBe(value)
        }
      }
    }).pipe(Effect.provide(MockTransport.layerDocker(
      (request) => request.path.endsWith("/containers/json") ? MockTransport.json([]) : MockTransport.json({ Id: "x" }),
      { apiVersion: "1.41" }
    ))))

  it.effect("encode query options and filters as the engine expects", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      yield* docker.containers.list({ all: true, filters: { label: ["app=web", "tier"], status: ["exited"] } })
      yield* docker.containers.stop("web", { timeout: "3 seconds" })
      yield* docker.containers.remove("web", { force: true, volumes: true })
      const [list, stop, remove] = yield* MockTransport.requests
      expect(list!.query.get("all")).toBe("true")
      expect(JSON.parse(list!.query.get("filters")!)).toEqual({ label: ["app=web", "tier"], status: ["exited"] })
      expect(list!.query.has("limit")).toBe(false)
      expect(stop!.query.get("t")).toBe("3")
      expect([remove!.method, remove!.path]).toEqual(["DELETE", "/v1.41/containers/web"])
      expect(Object.fromEntries(remove!.query)).toEqual({ force: "true", v: "true" })
    }).pipe(Effect.provide(MockTransport.layerDocker(
      (request) => request.method === "GET" ? MockTransport.json([]) : MockTransport.empty(),
      { apiVersion: "1.41" }
    ))))

  it.effect("decode what real engines send: nulls, absent fields and unknown fields", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const [container] = yield* docker.containers.list()
      expect(container).toEqual({ Id: "abc", Image: "busybox", State: "running" })
    }).pipe(Effect.provide(MockTransport.layerDocker(
      () =>
        MockTransport.json([{
          Id: "abc",
          Names: null,
          Image: "busybox",
          Labels: null,
          Mounts: null,
          State: "running",
          SomethingNewer: { x: 1 }
        }]),
      { apiVersion: "1.41" }
    ))))
})
