import { ComposeProject } from "@effect-docker/compose"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { interpolateString } from "../src/internal/interpolate.js"

const parse = (text: string, options: ComposeProject.Options = {}) =>
  ComposeProject.parse(text, { name: "demo", workingDir: "/srv/app", file: "/srv/app/compose.yaml", ...options })

const failure = (text: string, options: ComposeProject.Options = {}) => Effect.flip(parse(text, options))

describe("ComposeProject", () => {
  it("interpolates as the specification says", () => {
    const env = { SET: "value", EMPTY: "" }
    expect(interpolateString("${SET} $SET $$SET ${UNSET:-fallback} ${EMPTY:-fallback} ${EMPTY-kept}", env))
      .toBe("value value $SET fallback fallback ")
    expect(interpolateString("${SET:+alt} ${UNSET:+alt} ${UNSET:-${SET}}", env)).toBe("alt  value")
    expect(() => interpolateString("${UNSET:?must be set}", env)).toThrow()
    expect(() => interpolateString("${SET", env)).toThrow(SyntaxError)
  })

  it.effect("reads services in one shape: ports, mounts, networks, dependencies, health, limits", () =>
    Effect.gen(function*() {
      const project = yield* parse(`
name: ignored-by-the-option
x-common: &common
  restart: unless-stopped
services:
  seed:
    image: busybox
    command: ["sh", "-c", "echo seeded > /data/seed"]
    volumes: [data:/data]
  web:
    <<: *common
    image: busybox:\${TAG:-1.36}
    command: httpd -f -p 80
    environment: { MODE: test, PORT: 80 }
    ports: ["8080:80", "127.0.0.1:9000-9001:9000-9001/udp", { target: 443 }]
    volumes: ["./site:/www:ro", "data:/data", "/cache"]
    networks: { back: { aliases: [www] } }
    depends_on: { seed: { condition: service_completed_successfully } }
    healthcheck: { test: "wget -q -O- localhost", interval: 1m30s, retries: 3 }
    deploy: { resources: { limits: { cpus: "0.5", memory: 64m } }, replicas: 2 }
    tmpfs: /run
    x-note: extension keys are allowed
networks:
  back: {}
volumes:
  data: {}
`)
      expect(project.name).toBe("demo")
      expect(project.startOrder).toEqual(["seed", "web"])
      const web = project.services.find((service) => service.name === "web")!
      expect(web).toMatchObject({
        image: "busybox:1.36",
        command: "httpd -f -p 80",
        environment: { MODE: "test", PORT: "80" },
        restart: "unless-stopped",
        networks: { back: { aliases: ["www"] } },
        dependsOn: { seed: { condition: "service_completed_successfully", required: true } },
        healthcheck: { test: ["CMD-SHELL", "wget -q -O- localhost"], intervalMillis: 90_000, retries: 3 },
        limits: { nanoCpus: 500_000_000, memory: "64m" },
        replicas: 2,
        tmpfs: ["/run"]
      })
      expect(web.ports).toEqual([
        { target: 80, published: "8080", hostIp: undefined, protocol: "tcp" },
        { target: 9000, published: "9000", hostIp: "127.0.0.1", protocol: "udp" },
        { target: 9001, published: "9001", hostIp: "127.0.0.1", protocol: "udp" },
        { target: 443, published: undefined, hostIp: undefined, protocol: "tcp" }
      ])
      expect(web.volumes).toEqual([
        { type: "bind", source: "/srv/app/site", target: "/www", readOnly: true },
        { type: "volume", source: "data", target: "/data", readOnly: false },
        { type: "volume", source: undefined, target: "/cache", readOnly: false }
      ])
      expect(project.networks.back).toMatchObject({ name: "demo_back", external: false })
      expect(project.networks.default).toMatchObject({ name: "demo_default" })
      expect(project.volumes.data).toMatchObject({ name: "demo_data" })
    }))

  it.effect("reads .env and env_file, extends a service of the file, and enables profiles", () =>
    Effect.gen(function*() {
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "compose-"))
      Fs.writeFileSync(Path.join(dir, ".env"), "# settings\nTAG=2.0\nexport GREETING=\"hello there\"\n")
      Fs.writeFileSync(Path.join(dir, "web.env"), "FROM_FILE=yes\nMODE=file\n")
      Fs.writeFileSync(
        Path.join(dir, "compose.yaml"),
        `services:
  base:
    image: busybox:\${TAG}
    environment: { GREETING: "\${GREETING}", MODE: base }
    labels: { tier: base }
  web:
    extends: base
    env_file: web.env
    environment: { MODE: web }
    labels: { role: web }
  debug:
    image: busybox
    profiles: [debug]
`
      )
      const project = yield* ComposeProject.load(Path.join(dir, "compose.yaml"))
      expect(project.name).toBe(Path.basename(dir).toLowerCase().replace(/[^a-z0-9_-]/g, ""))
      expect(project.services.map((service) => service.name)).toEqual(["base", "web"])
      expect(project.services[1]).toMatchObject({
        image: "busybox:2.0",
        environment: { GREETING: "hello there", MODE: "web", FROM_FILE: "yes" },
        labels: { tier: "base", role: "web" }
      })
      const withDebug = yield* ComposeProject.load(Path.join(dir, "compose.yaml"), { profiles: ["debug"] })
      expect(withDebug.services.map((service) => service.name)).toEqual(["base", "web", "debug"])
      Fs.rmSync(dir, { recursive: true, force: true })
    }))

  it.effect("names the key and its line for what it cannot run", () =>
    Effect.gen(function*() {
      const unknown = yield* failure("services:\n  web:\n    image: busybox\n    cap_add: [NET_ADMIN]\n")
      expect(unknown).toMatchObject({ _tag: "ComposeFileError", key: "services.web.cap_add", line: 4, column: 5 })
      expect(unknown.message).toContain("/srv/app/compose.yaml:4:5: services.web.cap_add: the key is not supported")
      const port = yield* failure("services:\n  web:\n    image: busybox\n    ports: [\"80:eighty\"]\n")
      expect(port).toMatchObject({ key: "services.web.ports[0]", line: 4 })
      expect(port.message).toContain("is not [host_ip:][published:]target[/protocol]")
      const cycle = yield* failure(
        "services:\n  a: { image: busybox, depends_on: [b] }\n  b: { image: busybox, depends_on: [c] }\n  c: { image: busybox, depends_on: [a] }\n"
      )
      expect(cycle.message).toContain("depends_on has a cycle: a -> b -> c -> a")
      const missing = yield* failure("services:\n  web: { image: busybox, depends_on: [db] }\n")
      expect(missing.message).toContain(`depends on "db", which is not a service`)
      const required = yield* failure("services:\n  web:\n    image: \"${IMAGE:?set IMAGE to the image to test}\"\n")
      expect(required).toMatchObject({ key: "services.web.image", line: 3 })
      expect(required.message).toContain("set IMAGE to the image to test")
      const volume = yield* failure("services:\n  web: { image: busybox, volumes: [\"data:/data\"] }\n")
      expect(volume.message).toContain(`mounts the volume "data", which the file does not declare`)
      const yaml = yield* failure("services:\n  web: [unclosed\n")
      expect(yaml.message).toMatch(/compose\.yaml:\d+:\d+: not YAML/)
      const duration = yield* failure(
        "services:\n  web:\n    image: busybox\n    healthcheck: { test: [CMD, \"true\"], interval: soon }\n"
      )
      expect(duration).toMatchObject({ key: "services.web.healthcheck.interval" })
      const noImage = yield* failure("services:\n  web: { command: [\"true\"] }\n")
      expect(noImage.message).toContain("has neither an image nor a build")
    }))
})
