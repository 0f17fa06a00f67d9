import { Docker, RunOptions } from "@effect-docker/client"
import { MockTransport } from "@effect-docker/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"

describe("RunOptions", () => {
  it("splits a command string as a shell does (docker-py's shlex.split)", () => {
    expect(RunOptions.commandList("sh -c 'echo \"a b\"; exit 3'")).toEqual(
      Either.right(["sh", "-c", "echo \"a b\"; exit 3"])
    )
    expect(RunOptions.commandList(`echo "x \\" y" z\\ w ''`)).toEqual(Either.right(["echo", "x \" y", "z w", ""]))
    expect(RunOptions.commandList("  ")).toEqual(Either.right([]))
    expect(Either.isLeft(RunOptions.commandList("echo 'open"))).toBe(true)
    expect(Either.isLeft(RunOptions.commandList("echo \\"))).toBe(true)
  })

  it("reads sizes as docker-py does, in powers of 1024", () => {
    expect(RunOptions.parseBytes("700m")).toEqual(Either.right(700 * 1024 ** 2))
    expect(RunOptions.parseBytes("1G")).toEqual(Either.right(1024 ** 3))
    expect(RunOptions.parseBytes("512kb")).toEqual(Either.right(512 * 1024))
    expect(RunOptions.parseBytes("100")).toEqual(Either.right(100))
    expect(RunOptions.parseBytes(-1)).toEqual(Either.right(-1))
    expect(Either.isLeft(RunOptions.parseBytes("1x"))).toBe(true)
    expect(Either.isLeft(RunOptions.parseBytes(1.5))).toBe(true)
  })

  it("maps links, sizes, bare environment keys and a command string into the create body", () => {
    process.env.RUN_OPTIONS_TEST_VALUE = "from here"
    delete process.env.RUN_OPTIONS_TEST_MISSING
    const body = RunOptions.toCreateBody({
      image: "busybox",
      cmd: "echo 'hello world'",
      entrypoint: "/bin/sh -c",
      env: ["RUN_OPTIONS_TEST_VALUE", "RUN_OPTIONS_TEST_MISSING", "A=b"],
      memory: "64m",
      memorySwap: -1,
      links: { db: "database" }
    })
    expect(body).toMatchObject(Either.right({
      Image: "busybox",
      Cmd: ["echo", "hello world"],
      Entrypoint: ["/bin/sh", "-c"],
      Env: ["RUN_OPTIONS_TEST_VALUE=from here", "A=b"],
      HostConfig: { Memory: 64 * 1024 ** 2, MemorySwap: -1, Links: ["db:database"] }
    }))
    const bad = RunOptions.toCreateBody({ image: "busybox", cmd: "echo 'x", shmSize: "1g" })
    expect(bad).toMatchObject(Either.left({ _tag: "DockerInputError", reason: "Option" }))
  })

  it("takes a health check command as docker-py does: a list, the engine's own form, or a shell string", () => {
    const test = (value: ReadonlyArray<string> | string) =>
      Either.map(
        RunOptions.toCreateBody({ image: "busybox", healthcheck: { test: value } }),
        (body) => body.Healthcheck?.Test
      )
    expect(test(["pg_isready", "-U", "postgres"])).toEqual(Either.right(["CMD", "pg_isready", "-U", "postgres"]))
    expect(test(["CMD", "true"])).toEqual(Either.right(["CMD", "true"]))
    expect(test(["CMD-SHELL", "curl -f localhost || exit 1"])).toEqual(
      Either.right(["CMD-SHELL", "curl -f localhost || exit 1"])
    )
    expect(test("curl -f localhost")).toEqual(Either.right(["CMD-SHELL", "curl -f localhost"]))
    expect(test(["NONE"])).toEqual(Either.right(["NONE"]))
  })

  it.effect("containers.port reads where a container port is published", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      expect(yield* docker.containers.port("c", 80)).toEqual([
        { hostIp: "0.0.0.0", hostPort: 32768 },
        { hostIp: "::", hostPort: 32768 }
      ])
      expect(yield* docker.containers.port("c", "53/udp")).toEqual([])
    }).pipe(Effect.provide(MockTransport.layerDocker(() =>
      MockTransport.json({
        Id: "c",
        NetworkSettings: {
          Ports: {
            "80/tcp": [{ HostIp: "0.0.0.0", HostPort: "32768" }, { HostIp: "::", HostPort: "32768" }],
            "53/udp": null
          }
        }
      }), { apiVersion: "1.41" }))))
})
