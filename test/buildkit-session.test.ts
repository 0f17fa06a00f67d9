/**
 * BuildKit sessions on the real engine: a build secret read by a RUN step and found nowhere in
 * the image, a base image pulled from the password-protected registry with the credentials the
 * session hands the engine, and the host's ssh-agent forwarded to a RUN step.
 */
import { Docker, RegistryAuth } from "@effect-docker/client"
import { BuildKitSession, Tar } from "@effect-docker/node"
import { afterAll, expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as ChildProcess from "node:child_process"
import * as Crypto from "node:crypto"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { env, testLabel, transports } from "./helpers.js"
import { withLibraries } from "./support/hostPrograms.js"

const engine = transports()[0].layer
const label = { ...testLabel, suite: "buildkit-session" }
const tag = (name: string) => `effect-docker-test/buildkit-session:${name}`
const registry = () => env("EFFECT_DOCKER_TEST_AUTH_REGISTRY")
const login: RegistryAuth.AuthConfig = {
  serverAddress: env("EFFECT_DOCKER_TEST_AUTH_REGISTRY"),
  username: env("EFFECT_DOCKER_TEST_AUTH_USER"),
  password: Redacted.make(env("EFFECT_DOCKER_TEST_AUTH_PASSWORD"))
}
/** The credentials service as `docker login` to the auth registry would fill it. */
const loggedIn = Layer.succeed(RegistryAuth.RegistryCredentials, {
  get: (host) => Effect.succeed(host === login.serverAddress ? Option.some(login) : Option.none()),
  all: Effect.succeed([login])
})

/**
 * An ssh-agent of the host's OpenSSH holding one new key, stopped with the scope: its socket and
 * the key's fingerprint as `ssh-keygen -l` prints it.
 */
const sshAgent = Effect.acquireRelease(
  Effect.promise(async () => {
    const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-docker-agent-"))
    const socket = Path.join(dir, "agent.sock")
    const agent = ChildProcess.spawn("ssh-agent", ["-D", "-a", socket], { stdio: "ignore" })
    while (!Fs.existsSync(socket)) {
      if (agent.exitCode !== null) throw new Error(`ssh-agent exited with ${agent.exitCode}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    const key = Path.join(dir, "id_ed25519")
    ChildProcess.execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "forwarded", "-f", key])
    ChildProcess.execFileSync("ssh-add", [key], { env: { SSH_AUTH_SOCK: socket }, stdio: "ignore" })
    const fingerprint = ChildProcess.execFileSync("ssh-keygen", ["-l", "-f", `${key}.pub`]).toString().split(" ")[1]!
    return { agent, dir, socket, fingerprint }
  }),
  ({ agent, dir }) =>
    Effect.sync(() => {
      agent.kill()
      Fs.rmSync(dir, { recursive: true, force: true })
    })
)

layer(engine, { timeout: "180 seconds" })("BuildKit sessions against the real engine", (it) => {
  afterAll(() =>
    Effect.runPromise(Effect.provide(
      Effect.gen(function*() {
        const docker = yield* Docker.Docker
        const images = yield* docker.images.list({ filters: { reference: ["effect-docker-test/buildkit-session*"] } })
        yield* Effect.forEach(images, (image) => Effect.ignore(docker.images.remove(image.Id, { force: true })))
        yield* Effect.ignore(docker.images.remove(`${registry()}/effect-docker/session-base:v1`, { force: true }))
      }),
      engine
    ))
  )

  it.effect("a secret read by a RUN step, in no layer of the image and not in its history", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const secret = `s3cret-${Date.now()}`
      // The step checks the secret against its digest, passed as a build argument (which, unlike
      // the secret, is in the history).
      const digest = Crypto.createHash("sha256").update(secret).digest("hex")
      const id = yield* BuildKitSession.build(
        Tar.fromFiles({
          "Dockerfile": [
            "FROM busybox",
            "ARG DIGEST",
            "RUN --mount=type=secret,id=token test \"$(sha256sum < /run/secrets/token | cut -d' ' -f1)\" = \"$DIGEST\" && " +
            "wc -c < /run/secrets/token > /token-length",
            "RUN ls /run/secrets > /after 2>&1 || echo none > /after"
          ].join("\n")
        }),
        {
          tags: [tag("secret")],
          labels: label,
          buildArgs: { DIGEST: digest },
          secrets: { token: Redacted.make(secret) }
        }
      )
      expect(id).toMatch(/^sha256:/)
      const seen = yield* docker.containers.run({
        image: id,
        cmd: ["cat", "/token-length", "/after"],
        labels: label,
        remove: true
      })
      expect(seen.split("\n")[0]!.trim()).toBe(String(secret.length))
      // The secret's mount is gone after its step, and its value is in no byte of the saved image.
      // (20.10 leaves an empty /run/secrets, 28.5 none.)
      expect(seen.split("\n").slice(1).join("\n")).not.toContain("token")
      const saved = yield* Stream.runFold(
        docker.images.get(id),
        "",
        (text, chunk) => text + Buffer.from(chunk).toString("latin1")
      )
      expect(saved.length).toBeGreaterThan(0)
      expect(saved).not.toContain(secret)
      const history = yield* docker.images.history(id)
      expect(JSON.stringify(history)).not.toContain(secret)
    }))

  it.effect("a base image from the password-protected registry, with the session's credentials", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const base = `${registry()}/effect-docker/session-base:v1`
      yield* docker.images.tag("busybox", { repo: `${registry()}/effect-docker/session-base`, tag: "v1" })
      yield* docker.images.push(base, { registryAuth: RegistryAuth.encode(login) })
      yield* docker.images.remove(base)
      const context = () => Tar.fromFiles({ Dockerfile: `FROM ${base}\nRUN echo pulled > /pulled\n` })

      // Without credentials the registry refuses the pull.
      const refused = yield* Effect.flip(
        BuildKitSession.build(context(), { tags: [tag("anonymous")], labels: label, pull: true })
      )
      expect(refused._tag).toBe("BuildError")
      expect(refused.message).toMatch(/401|unauthorized|authorization/i)

      const id = yield* BuildKitSession.build(context(), { tags: [tag("pulled")], labels: label, pull: true }).pipe(
        Effect.provide(loggedIn)
      )
      const pulled = yield* docker.containers.run({ image: id, cmd: ["cat", "/pulled"], labels: label, remove: true })
      expect(pulled).toBe("pulled\n")
    }))

  it.effect("the host's ssh-agent forwarded to a RUN step that lists its keys", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const { fingerprint, socket } = yield* sshAgent
      const context = () =>
        Tar.fromFiles({
          ...withLibraries("/usr/bin/ssh-add", "root"),
          "Dockerfile": [
            "FROM busybox",
            "COPY root/ /",
            "RUN --mount=type=ssh ssh-add -l > /keys"
          ].join("\n")
        })
      const id = yield* BuildKitSession.build(context(), {
        tags: [tag("ssh")],
        labels: label,
        noCache: true,
        ssh: { default: socket }
      })
      const keys = yield* docker.containers.run({ image: id, cmd: ["cat", "/keys"], labels: label, remove: true })
      expect(keys).toContain(fingerprint)
      expect(keys).toContain("forwarded (ED25519)")

      // Without the agent, the step has no socket to list keys from.
      const refused = yield* Effect.flip(
        BuildKitSession.build(context(), { tags: [tag("no-ssh")], labels: label, noCache: true })
      )
      expect(refused._tag).toBe("BuildError")
    }).pipe(Effect.scoped))
})
