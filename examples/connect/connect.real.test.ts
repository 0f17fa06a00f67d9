// The connection example against the test setup's engine: over TLS, through a context, over SSH,
// and a push with a config.json's credentials to the registry that requires them.
import { Docker } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as Path from "node:path"
import { env } from "../../test/helpers.js"
import { overSsh, overTls, pushAndPull, registryLogin, throughContext } from "./connect.js"

layer(NodeDocker.layerFromEnv(), { excludeTestServices: true, timeout: "60 seconds" })(
  "the connection example",
  (it) => {
    it.effect("reaches the same engine over TLS, through a context and over SSH", () =>
      Effect.gen(function*() {
        const tls = env("EFFECT_DOCKER_TEST_TLS")
        const certs = env("EFFECT_DOCKER_TEST_CERTS")
        const viaTls = yield* overTls(tls, certs)
        expect(viaTls).toMatch(new RegExp(`^Docker \\S+ \\(API 1\\.\\d+\\) at ${tls}$`))
        const viaContext = yield* throughContext("example", tls, certs)
        expect(viaContext).toBe(viaTls)
        const sshDir = env("EFFECT_DOCKER_TEST_SSH_DIR")
        const viaSsh = yield* overSsh(
          env("EFFECT_DOCKER_TEST_SSH"),
          Path.join(sshDir, "id_ed25519"),
          Path.join(sshDir, "known_hosts")
        )
        expect(viaSsh).toMatch(/^Docker \S+ \(API 1\.\d+\) at ssh:\/\//)
        expect(viaSsh.split(" at ")[0]).toBe(viaTls.split(" at ")[0])
      }))

    it.scoped("pushes and pulls back with the credentials of a config.json", () =>
      Effect.gen(function*() {
        const docker = yield* Docker.Docker
        const registry = env("EFFECT_DOCKER_TEST_AUTH_REGISTRY")
        const repo = `${registry}/effect-docker/example-push`
        const tag = `run-${Date.now()}`
        const busybox = yield* docker.images.inspect("busybox:latest")
        yield* Effect.acquireRelease(
          docker.images.tag("busybox:latest", { repo, tag }),
          () => Effect.ignore(docker.images.remove(`${repo}:${tag}`))
        )
        const login = registryLogin(registry, {
          username: env("EFFECT_DOCKER_TEST_AUTH_USER"),
          password: env("EFFECT_DOCKER_TEST_AUTH_PASSWORD")
        })
        const withLogin = NodeDocker.layer({ host: `unix://${env("EFFECT_DOCKER_TEST_SOCKET")}` }).pipe(
          Layer.provide(login)
        )
        const pulled = yield* pushAndPull(`${repo}:${tag}`).pipe(Effect.provide(withLogin))
        expect(pulled.Id).toBe(busybox.Id)
        expect(pulled.RepoTags).toContain(`${repo}:${tag}`)
      }))
  }
)
