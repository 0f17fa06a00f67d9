// The test containers guide's example (docs/testcontainers.md), run against the test setup's
// engines: a web server per file, a one-shot container per test.
import { NodeDocker } from "@effect-docker/node"
import { TestContainer, TestSession, Wait } from "@effect-docker/testcontainers"
import { expect, layer } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"

class Web extends Context.Tag("Web")<Web, TestContainer.StartedTestContainer>() {}

// One session (and one reaper) for the file, on the engine of DOCKER_HOST.
const Session = TestSession.layer().pipe(Layer.provideMerge(NodeDocker.layerFromEnv()))

// Per file: started before the file's first test, removed after its last.
const WebLive = TestContainer.layer(Web, {
  image: "busybox",
  cmd: ["httpd", "-f", "-p", "80", "-h", "/www"],
  files: [{ target: "/www/index.html", content: "hello\n" }],
  exposedPorts: [80],
  wait: Wait.forHttp("/index.html", 80)
}).pipe(Layer.provideMerge(Session))

layer(WebLive, { timeout: "60 seconds" })("the web server", (it) => {
  it.effect("answers", () =>
    Effect.gen(function*() {
      const endpoint = yield* (yield* Web).endpoint(80)
      const response = yield* Effect.promise(() => fetch(`http://${endpoint}/index.html`))
      expect(response.status).toBe(200)
      expect(yield* Effect.promise(() => response.text())).toBe("hello\n")
    }))

  // Per test: a container of its own, removed when the test ends.
  it.scoped("a fresh container for one test", () =>
    Effect.gen(function*() {
      const job = yield* TestContainer.start({ image: "busybox", cmd: ["true"], wait: Wait.forOneShot() })
      expect((yield* job.inspect).State?.ExitCode).toBe(0)
    }))
})
