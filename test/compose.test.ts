/**
 * Compose files run by our client against the real engines, with Debian forky's docker compose
 * 2.40 as the oracle: it sees our project in `ps` and `logs`, ours lists the project it starts,
 * and for the same file both make the same containers, networks, volumes and labels.
 */
import { Docker } from "@effect-docker/client"
import { Compose, ComposeProject } from "@effect-docker/compose"
import { TestSession } from "@effect-docker/testcontainers"
import { expect, layer } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { env, recordingLayer, tempDir } from "./helpers.js"

const engine = () => recordingLayer({ host: `unix://${env("EFFECT_DOCKER_TEST_SOCKET")}` })

/** A seed job that must complete, a web server with a health check, a client that needs it healthy. */
const stackFile = `
services:
  seed:
    image: \${IMAGE}
    command: ["sh", "-c", "echo seeded > /data/index.html"]
    volumes: [data:/data]
  web:
    image: \${IMAGE}
    command: ["httpd", "-f", "-p", "80", "-h", "/data"]
    volumes: ["data:/data:ro"]
    ports: ["80"]
    networks: { back: { aliases: [www] } }
    labels: { tier: front }
    stop_grace_period: 1s
    depends_on: { seed: { condition: service_completed_successfully } }
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"]
      interval: 300ms
      retries: 30
  client:
    image: \${IMAGE}
    command: ["sh", "-c", "wget -q -O- http://www/ && echo greeting=$$GREETING && exec sleep 600"]
    environment: { GREETING: "\${GREETING:-unset}" }
    networks: [back]
    depends_on: { web: { condition: service_healthy } }
    stop_grace_period: 1s
networks:
  back: {}
volumes:
  data: {}
`

/** The stack's folder: its compose.yaml and a .env the interpolation reads. */
const stackDir = (file = stackFile) =>
  Effect.tap(tempDir("compose-"), (dir) =>
    Effect.sync(() => {
      Fs.writeFileSync(Path.join(dir, "compose.yaml"), file)
      Fs.writeFileSync(Path.join(dir, ".env"), "GREETING=from-dotenv\n")
    }))

const load = (dir: string, name: string) =>
  ComposeProject.load(Path.join(dir, "compose.yaml"), { name, env: { IMAGE: env("EFFECT_DOCKER_TEST_IMAGE") } })

/** docker compose 2.40, on this project's engine. */
const dockerCompose = (dir: string, args: ReadonlyArray<string>) =>
  ChildProcess.execFileSync(env("EFFECT_DOCKER_TEST_COMPOSE"), ["--project-directory", dir, ...args], {
    env: {
      ...process.env,
      DOCKER_HOST: `unix://${env("EFFECT_DOCKER_TEST_SOCKET")}`,
      IMAGE: env("EFFECT_DOCKER_TEST_IMAGE")
    },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"]
  })

/** What is left of a project on the engine. */
const leftOf = (project: string) =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const filters = { label: [`com.docker.compose.project=${project}`] }
    return {
      containers: (yield* docker.containers.list({ all: true, filters })).length,
      networks: (yield* docker.networks.list({ filters })).length,
      volumes: ((yield* docker.volumes.list({ filters })).Volumes ?? []).length
    }
  })

layer(engine(), { timeout: "180 seconds" })("compose files on the real engine", (it) => {
  it.effect("up in dependency order with conditions, the handle, down on the scope's close", () =>
    Effect.gen(function*() {
      const dir = yield* stackDir()
      const project = yield* load(dir, "ed-stack")
      yield* Effect.scoped(Effect.gen(function*() {
        const stack = yield* Compose.up(project)
        const ps = yield* stack.ps
        expect(ps.map((c) => [c.service, c.number, c.name, c.state])).toEqual([
          ["client", 1, "ed-stack-client-1", "running"],
          ["seed", 1, "ed-stack-seed-1", "exited"],
          ["web", 1, "ed-stack-web-1", "running"]
        ])
        const lines = yield* stack.logs({ services: ["client", "seed"] }).pipe(Stream.runCollect)
        expect([...lines].map((line) => `${line.service}: ${line.line}`)).toEqual([
          "client: seeded",
          "client: greeting=from-dotenv"
        ])
        expect(yield* stack.exec("client", ["sh", "-c", "echo $GREETING"])).toMatchObject({
          exitCode: 0,
          stdout: "from-dotenv\n"
        })
        expect(yield* stack.run("client", ["wget", "-q", "-O-", "http://www/"])).toBe("seeded\n")
        yield* stack.scale("client", 2)
        expect((yield* stack.containers("client")).length).toBe(2)
        yield* stack.scale("client", 1)
        expect((yield* stack.containers("client")).length).toBe(1)
        yield* stack.restart(["web"])
        expect((yield* stack.exec("web", ["wget", "-q", "-O-", "http://127.0.0.1/"])).stdout).toBe("seeded\n")
        yield* stack.stop(["client"])
        expect((yield* stack.ps).find((c) => c.service === "client")?.state).toBe("exited")
        const unknown = yield* Effect.flip(stack.exec("db", ["true"]))
        expect(unknown.message).toContain(`has no service "db"`)
      }))
      // Down: containers and networks gone; the named volume kept, as docker compose down keeps it.
      expect(yield* leftOf("ed-stack")).toEqual({ containers: 0, networks: 0, volumes: 1 })
      yield* Compose.down("ed-stack", { volumes: true })
      expect(yield* leftOf("ed-stack")).toEqual({ containers: 0, networks: 0, volumes: 0 })
    }).pipe(Effect.scoped))

  it.effect("a service that fails its health check: all of it undone, the error names it with its logs", () =>
    Effect.gen(function*() {
      const dir = yield* stackDir(
        stackFile.replace(
          `["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"]`,
          `["CMD-SHELL", "echo database not ready; exit 1"]`
        ).replace("retries: 30", "retries: 2")
      )
      const project = yield* load(dir, "ed-failing")
      const failed = yield* Effect.flip(Effect.scoped(Compose.up(project, { timeout: "30 seconds" })))
      expect(failed).toMatchObject({ _tag: "ComposeUpError", project: "ed-failing", service: "web" })
      expect(failed.message).toContain("client depends on web (service_healthy)")
      expect(failed.message).toContain("the health check failed 2 times; last output: database not ready")
      expect(yield* leftOf("ed-failing")).toEqual({ containers: 0, networks: 0, volumes: 0 })
    }).pipe(Effect.scoped))

  it.effect("a service built from its folder, with build args, replicas and an anonymous volume", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const dir = yield* stackDir(`
services:
  app:
    build: { context: ./app, args: { GREETING: built } }
    deploy: { replicas: 2 }
    volumes: [/scratch]
`)
      Fs.mkdirSync(Path.join(dir, "app"))
      Fs.writeFileSync(
        Path.join(dir, "app", "Dockerfile"),
        `FROM ${env("EFFECT_DOCKER_TEST_IMAGE")}\nARG GREETING\nRUN echo $GREETING > /greeting\nCMD ["sleep", "600"]\n`
      )
      yield* Effect.addFinalizer(() => Effect.ignore(docker.images.remove("ed-built-app", { force: true })))
      const anonymous = yield* Effect.scoped(Effect.gen(function*() {
        const stack = yield* Compose.up(yield* load(dir, "ed-built"), { removeVolumes: true })
        expect((yield* stack.ps).map((c) => c.name)).toEqual(["ed-built-app-1", "ed-built-app-2"])
        expect((yield* stack.exec("app", ["cat", "/greeting"], { index: 2 })).stdout).toBe("built\n")
        const [first] = yield* stack.containers("app")
        const info = yield* docker.containers.inspect(first!)
        expect(info.Config?.Image).toBe("ed-built-app")
        expect(info.Mounts?.map((mount) => [mount.Type, mount.Destination])).toEqual([["volume", "/scratch"]])
        return info.Mounts![0]!.Name!
      }))
      expect(yield* leftOf("ed-built")).toEqual({ containers: 0, networks: 0, volumes: 0 })
      // The anonymous volume went with its container (removeVolumes).
      expect(yield* Effect.flip(docker.volumes.inspect(anonymous))).toMatchObject({ _tag: "NotFound" })
    }).pipe(Effect.scoped))

  it.effect("a second up leaves an unchanged service running and replaces a changed one", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const dir = yield* stackDir()
      yield* Effect.addFinalizer(() => Effect.orDie(Compose.down("ed-again", { volumes: true })))
      const first = yield* Effect.scoped(Compose.up(yield* load(dir, "ed-again"), { keep: true }))
      const [web] = yield* first.containers("web")
      const started = (yield* docker.containers.inspect(web!)).State?.StartedAt
      yield* Effect.scoped(Compose.up(yield* load(dir, "ed-again"), { keep: true }))
      expect(yield* first.containers("web")).toEqual([web])
      expect((yield* docker.containers.inspect(web!)).State?.StartedAt).toBe(started)
      Fs.writeFileSync(Path.join(dir, "compose.yaml"), stackFile.replace("tier: front", "tier: changed"))
      const changed = yield* Effect.scoped(Compose.up(yield* load(dir, "ed-again"), { keep: true }))
      const [replaced] = yield* changed.containers("web")
      expect(replaced).not.toBe(web)
      expect((yield* docker.containers.inspect(replaced!)).Config?.Labels?.tier).toBe("changed")
    }).pipe(Effect.scoped))

  it.effect("docker compose sees our project in ps and logs, and ours lists the project it starts", () =>
    Effect.gen(function*() {
      const dir = yield* stackDir()
      yield* Effect.addFinalizer(() => Effect.orDie(Compose.down("ed-oracle", { volumes: true })))
      yield* Effect.addFinalizer(() => Effect.orDie(Compose.down("ed-theirs", { volumes: true })))
      yield* Effect.scoped(Effect.gen(function*() {
        yield* Compose.up(yield* load(dir, "ed-oracle"))
        const theirPs = dockerCompose(dir, ["-p", "ed-oracle", "ps", "-a", "--format", "{{.Service}} {{.State}}"])
        expect(theirPs.trim().split("\n").sort()).toEqual(["client running", "seed exited", "web running"])
        const theirLogs = dockerCompose(dir, ["-p", "ed-oracle", "logs", "--no-color", "client"])
        expect(theirLogs).toContain("greeting=from-dotenv")
      }))
      dockerCompose(dir, ["-p", "ed-theirs", "up", "-d", "--wait"])
      const theirs = yield* Compose.handle(yield* load(dir, "ed-theirs"))
      expect((yield* theirs.ps).map((c) => `${c.service} ${c.state}`)).toEqual([
        "client running",
        "seed exited",
        "web running"
      ])
      expect((yield* theirs.exec("client", ["sh", "-c", "echo $GREETING"])).stdout).toBe("from-dotenv\n")
    }).pipe(Effect.scoped))

  it.effect("for the same file, docker compose and ours make the same containers, networks, volumes and labels", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const dir = yield* stackDir()
      yield* Effect.addFinalizer(() => Effect.orDie(Compose.down("ed-ours", { volumes: true })))
      yield* Effect.addFinalizer(() => Effect.orDie(Compose.down("ed-cli", { volumes: true })))
      yield* Effect.scoped(Compose.up(yield* load(dir, "ed-ours"), { keep: true }))
      dockerCompose(dir, ["-p", "ed-cli", "up", "-d", "--wait"])
      const shape = (project: string) =>
        Effect.gen(function*() {
          const filters = { label: [`com.docker.compose.project=${project}`] }
          const neutral = (text: string) => text.replaceAll(project, "PROJECT")
          const containers = yield* Effect.forEach(
            yield* docker.containers.list({ all: true, filters }),
            (c) => docker.containers.inspect(c.Id)
          )
          const networks = yield* docker.networks.list({ filters })
          const volumes = (yield* docker.volumes.list({ filters })).Volumes ?? []
          return {
            containers: containers.map((c) => ({
              name: neutral(c.Name ?? ""),
              image: c.Config?.Image,
              cmd: c.Config?.Cmd,
              env: [...(c.Config?.Env ?? [])].sort(),
              labels: comparableLabels(c.Config?.Labels ?? {}, neutral),
              healthcheck: c.Config?.Healthcheck,
              restart: c.HostConfig?.RestartPolicy?.Name,
              ports: Object.keys(c.HostConfig?.PortBindings ?? {}),
              mounts: (c.Mounts ?? []).map((m) => `${m.Type} ${neutral(m.Name ?? "")} ${m.Destination} ${m.RW}`).sort(),
              networks: Object.entries(c.NetworkSettings?.Networks ?? {}).map(([name, settings]) =>
                `${neutral(name)} ${
                  [...(settings?.Aliases ?? [])].filter((alias) => !/^[0-9a-f]{12}$/.test(alias)).map(neutral).sort()
                    .join(",")
                }`
              ).sort()
            })).sort((a, b) => (a.name < b.name ? -1 : 1)),
            networks: networks.map((n) => ({
              name: neutral(n.Name ?? ""),
              labels: comparableLabels(n.Labels ?? {}, neutral)
            }))
              .sort((a, b) => (a.name < b.name ? -1 : 1)),
            volumes: volumes.map((v) => ({ name: neutral(v.Name), labels: comparableLabels(v.Labels ?? {}, neutral) }))
          }
        })
      const ours = yield* shape("ed-ours")
      const theirs = yield* shape("ed-cli")
      expect(ours).toEqual(theirs)
    }).pipe(Effect.scoped))

  it.effect("a compose file as a test layer, with the session's labels for its reaper", () =>
    Effect.gen(function*() {
      const dir = yield* stackDir()
      class Stack extends Context.Tag("Stack")<Stack, Compose.ComposeHandle>() {}
      const StackLive = Compose.layer(Stack, load(dir, "ed-layer")).pipe(
        Layer.provideMerge(TestSession.layer({ reaper: false }))
      )
      const labels = yield* Effect.scoped(Effect.gen(function*() {
        const context = yield* Layer.build(StackLive)
        const stack = Context.get(context, Stack)
        const session = Context.get(context, TestSession.TestSession)
        const docker = yield* Docker.Docker
        const [web] = yield* stack.containers("web")
        const info = yield* docker.containers.inspect(web!)
        return { labels: info.Config?.Labels ?? {}, session: session.labels }
      }))
      expect(labels.labels).toMatchObject(labels.session)
      expect(yield* leftOf("ed-layer")).toMatchObject({ containers: 0, networks: 0 })
      yield* Compose.down("ed-layer", { volumes: true })
    }).pipe(Effect.scoped))
})

/** Labels both tools set with the same meaning; the hash, the version and the image id are each tool's own. */
const comparableLabels = (labels: Readonly<Record<string, string>>, neutral: (text: string) => string) =>
  Object.fromEntries(
    Object.entries(labels)
      .filter(([key]) =>
        ![
          "com.docker.compose.config-hash",
          "com.docker.compose.version",
          "com.docker.compose.image",
          "com.docker.compose.project.config_files",
          "com.docker.compose.project.working_dir",
          "com.docker.compose.replace"
        ].includes(key)
      )
      .map(([key, value]) => [key, neutral(value)])
  )
