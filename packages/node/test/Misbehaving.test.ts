/**
 * A server that misbehaves in generated ways (stalls, closes, garbage, truncated chunked bodies,
 * wrong content lengths, invalid JSON, a 200 with an error body, any status), and the client
 * against it: every outcome is a value or a typed error, never a defect and never a hang.
 */
import { Docker, EnginePath } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Net from "node:net"

type Scenario =
  | { readonly _tag: "Stall" }
  | { readonly _tag: "Close" }
  | { readonly _tag: "Garbage"; readonly bytes: Uint8Array }
  | { readonly _tag: "TruncatedChunked"; readonly body: string; readonly cut: number }
  | { readonly _tag: "ContentLength"; readonly body: string; readonly declared: number }
  | { readonly _tag: "Answer"; readonly status: number; readonly body: string; readonly chunked: boolean }

const json = FastCheck.oneof(
  FastCheck.json(),
  FastCheck.constant(JSON.stringify({ Id: "c1", State: { Running: true } })),
  FastCheck.constant(JSON.stringify({ message: "boom" })),
  FastCheck.string()
)

// Stalls are few: each waits for the request timeout, which undici checks about once a second.
const scenario: FastCheck.Arbitrary<Scenario> = FastCheck.oneof(
  { arbitrary: FastCheck.constant({ _tag: "Stall" as const }), weight: 1 },
  { arbitrary: FastCheck.constant({ _tag: "Close" as const }), weight: 10 },
  {
    arbitrary: FastCheck.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => ({
      _tag: "Garbage" as const,
      bytes
    })),
    weight: 10
  },
  {
    arbitrary: FastCheck.record({ body: json, cut: FastCheck.nat(100) }).map((r) => ({
      _tag: "TruncatedChunked" as const,
      ...r
    })),
    weight: 10
  },
  {
    arbitrary: FastCheck.record({ body: json, declared: FastCheck.nat(300) }).map((r) => ({
      _tag: "ContentLength" as const,
      ...r
    })),
    weight: 10
  },
  {
    arbitrary: FastCheck.record({
      status: FastCheck.oneof(FastCheck.constant(200), FastCheck.integer({ min: 200, max: 599 })),
      body: json,
      chunked: FastCheck.boolean()
    }).map((r) => ({ _tag: "Answer" as const, ...r })),
    weight: 120
  }
)

/** Writes the scenario's answer; returns whether the connection may carry another request. */
const answer = (socket: Net.Socket, scenario: Scenario): boolean => {
  const head = (status: number, headers: string) =>
    `HTTP/1.1 ${status} X\r\nContent-Type: application/json\r\n${headers}\r\n`
  switch (scenario._tag) {
    case "Stall":
      return false
    case "Close":
      socket.destroy()
      return false
    case "Garbage":
      socket.end(scenario.bytes)
      return false
    case "TruncatedChunked": {
      const body = Buffer.from(scenario.body)
      const sent = body.subarray(0, Math.min(scenario.cut, body.length))
      socket.end(
        head(200, "Transfer-Encoding: chunked\r\n") + `${(body.length + 1).toString(16)}\r\n` + sent.toString("latin1")
      )
      return false
    }
    case "ContentLength":
      socket.end(head(200, `Content-Length: ${scenario.declared}\r\nConnection: close\r\n`) + scenario.body)
      return false
    case "Answer": {
      const body = Buffer.from(scenario.body)
      socket.write(
        scenario.chunked
          ? head(scenario.status, "Transfer-Encoding: chunked\r\n") +
            (body.length > 0 ? `${body.length.toString(16)}\r\n${body.toString("latin1")}\r\n` : "") + "0\r\n\r\n"
          : head(scenario.status, `Content-Length: ${body.length}\r\n`) + body.toString("latin1")
      )
      return true
    }
  }
}

/** What the client may fail with here: transport, status and decoding errors. */
const typed = new Set([
  "DockerConnectionError",
  "DockerTimeoutError",
  "DockerDecodeError",
  "DockerStreamError",
  "NotModified",
  "BadRequest",
  "DockerInputError",
  "DockerLimitError",
  "Unauthorized",
  "Forbidden",
  "NotFound",
  "Conflict",
  "ServerError",
  "ServiceUnavailable",
  "UnexpectedStatus"
])

describe("a misbehaving server", () => {
  const scenarios = new Map<string, Scenario>()
  const sockets = new Set<Net.Socket>()
  let server: Net.Server
  let runtime: ManagedRuntime.ManagedRuntime<Docker.Docker, unknown>

  beforeAll(async () => {
    server = Net.createServer((socket) => {
      sockets.add(socket)
      socket.on("close", () => sockets.delete(socket))
      socket.on("error", () => {})
      let buffered = ""
      socket.on("data", (chunk) => {
        buffered += chunk.toString("latin1")
        while (buffered.includes("\r\n\r\n")) {
          const end = buffered.indexOf("\r\n\r\n")
          const path = buffered.slice(0, end).split(" ")[1] ?? ""
          buffered = buffered.slice(end + 4)
          const id = decodeURIComponent(path.split("/")[3] ?? "")
          if (!answer(socket, scenarios.get(id) ?? { _tag: "Close" })) return
        }
      })
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const { port } = server.address() as Net.AddressInfo
    runtime = ManagedRuntime.make(
      NodeDocker.layer({ host: `tcp://127.0.0.1:${port}`, apiVersion: "1.41", requestTimeout: "250 millis" })
    )
  })

  afterAll(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  })

  it("gives a value or a typed error for every answer, never a defect or a hang", async () => {
    let next = 0
    await FastCheck.assert(
      FastCheck.asyncProperty(scenario, FastCheck.constantFrom("inspect", "logs", "ping"), async (scenario, call) => {
        const id = `case-${next++}`
        scenarios.set(id, scenario)
        const exit = await runtime.runPromiseExit(
          Effect.flatMap(Docker.Docker, (docker) =>
            call === "inspect"
              ? docker.containers.inspect(id) as Effect.Effect<unknown, unknown>
              : call === "logs"
              ? docker.containers.logs(id)
              : docker.engine.request({ method: "GET", path: EnginePath.make`/containers/${id}/json` })).pipe(
              Effect.timeoutFail({ duration: "3 seconds", onTimeout: () => "hang" as const })
            )
        )
        scenarios.delete(id)
        if (Exit.isSuccess(exit)) {
          // A value only from an answer that carried one, whole.
          expect(scenario._tag).toMatch(/^(Answer|ContentLength)$/)
          return
        }
        expect(Cause.isDie(exit.cause)).toBe(false)
        expect(Cause.isInterruptedOnly(exit.cause)).toBe(false)
        const error = Cause.squash(exit.cause) as { _tag?: string }
        expect(error).not.toBe("hang")
        expect(typed).toContain(error._tag)
        if (scenario._tag === "Stall") expect(error._tag).toBe("DockerTimeoutError")
        if (scenario._tag === "Answer" && scenario.status === 200 && call === "inspect") {
          const valid = (() => {
            try {
              const parsed = JSON.parse(scenario.body)
              return typeof parsed === "object" && parsed !== null && typeof parsed.Id === "string"
            } catch {
              return false
            }
          })()
          expect(valid).toBe(false)
          expect(error._tag).toBe("DockerDecodeError")
        }
      }),
      { numRuns: 2000 }
    )
    // With the client gone, no connection it opened stays open.
    await runtime.dispose()
    for (let i = 0; i < 100 && sockets.size > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20))
    expect(sockets.size).toBe(0)
  }, 120_000)
})
