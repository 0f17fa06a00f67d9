import { DockerHost, EnginePath } from "@effect-docker/client"
import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"

const parsed = (raw: string, options?: { tls?: boolean }) => Either.getOrThrow(DockerHost.parse(raw, options))
const failure = (raw: string) =>
  Either.getLeft(DockerHost.parse(raw)).pipe((o) => o._tag === "Some" ? o.value : undefined)

describe("DockerHost.parse", () => {
  it("reads the schemes the docker CLI accepts", () => {
    expect(parsed("unix:///var/run/docker.sock")).toEqual({
      _tag: "Unix",
      socketPath: "/var/run/docker.sock",
      raw: "unix:///var/run/docker.sock"
    })
    expect(parsed("tcp://127.0.0.1:2375")).toMatchObject({ _tag: "Tcp", hostname: "127.0.0.1", port: 2375, tls: false })
    expect(parsed("tcp://10.0.0.1", { tls: true })).toMatchObject({ port: 2376, tls: true })
    expect(parsed("http://localhost:80")).toMatchObject({ hostname: "localhost", port: 80, tls: false })
    expect(parsed("https://docker.example")).toMatchObject({ port: 443, tls: true })
    expect(parsed("tcp://[::1]:2375")).toMatchObject({ hostname: "::1", port: 2375 })
    expect(parsed("ssh://me@box:2222")).toMatchObject({ _tag: "Ssh", user: "me", hostname: "box", port: 2222 })
    expect(parsed("/run/docker.sock")).toMatchObject({ _tag: "Unix", socketPath: "/run/docker.sock" })
  })

  it("refuses malformed host strings with a DockerConfigError that names them", () => {
    for (
      const raw of [
        "",
        "docker.sock",
        "unix://relative.sock",
        "ftp://host",
        "tcp://",
        "tcp://host:",
        "tcp://host:99999",
        "tcp://host:2375/path",
        "tcp://u:p@host:1"
      ]
    ) {
      const error = failure(raw)
      expect(error?._tag, raw).toBe("DockerConfigError")
      expect(error?.message).toContain(JSON.stringify(raw))
    }
  })
})

describe("EnginePath.make", () => {
  it("encodes every parameter as one path segment", () => {
    expect(EnginePath.make`/containers/${"a?b#c d%"}/json`).toEqual({
      encoded: "/containers/a%3Fb%23c%20d%25/json",
      invalid: undefined,
      template: "/containers/{id}/json",
      values: ["a?b#c d%"]
    })
    // Parameters are named as the specification's paths name them, for spans and logs.
    expect(EnginePath.make`/images/${"app:1"}/tag`.template).toBe("/images/{name}/tag")
    expect(EnginePath.make`/volumes/${"data"}`.template).toBe("/volumes/{name}")
    expect(EnginePath.make`/exec/${"e1"}/start`.template).toBe("/exec/{id}/start")
    expect(EnginePath.make`/images/${"127.0.0.1:5000/app:v1"}/json`.encoded).toBe(
      "/images/127.0.0.1%3A5000%2Fapp%3Av1/json"
    )
    expect(EnginePath.make`/containers/${"ünï"}/json`.encoded).toBe("/containers/%C3%BCn%C3%AF/json")
  })

  it("marks values the engine's router would turn into another path", () => {
    for (const value of ["", ".", "..", "a/../../images", "a//b", "/name"]) {
      expect(EnginePath.make`/containers/${value}/json`.invalid, value).toContain("not a valid id or name")
    }
  })
})
