/**
 * The suite of each parallel vitest worker of test/testcontainers.test.ts (web1..3.worker.ts run
 * it, one file per worker process): each has its own session and web server, and writes what it
 * saw for the parent test to compare.
 */
import { NodeDocker } from "@effect-docker/node"
import { TestContainer, TestSession, Wait } from "@effect-docker/testcontainers"
import { expect, layer } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Fs from "node:fs"
import * as Path from "node:path"

class Web extends Context.Tag("Web")<Web, TestContainer.StartedTestContainer>() {}

const Session = TestSession.layer().pipe(
  Layer.provideMerge(NodeDocker.layer({ host: `unix://${process.env.EFFECT_DOCKER_TEST_SOCKET!}` }))
)
const WebLive = TestContainer.layer(Web, {
  image: process.env.EFFECT_DOCKER_TEST_IMAGE!,
  cmd: ["sh", "-c", "echo $WORKER > /www/index.html && exec httpd -f -p 80 -h /www"],
  env: { WORKER: process.env.VITEST_POOL_ID ?? "" },
  files: [{ target: "/www/.keep", content: "" }],
  exposedPorts: [80],
  wait: Wait.forHttp("/", 80)
}).pipe(Layer.provideMerge(Session))

layer(WebLive, { timeout: "120 seconds" })("a worker's own web server", (it) => {
  it.effect("answers this worker through its own published port", () =>
    Effect.gen(function*() {
      const web = yield* Web
      const session = yield* TestSession.TestSession
      const endpoint = yield* web.endpoint(80)
      const body = yield* Effect.promise(() => fetch(`http://${endpoint}/`).then((response) => response.text()))
      expect(body.trim()).toBe(process.env.VITEST_POOL_ID)
      Fs.writeFileSync(
        Path.join(process.env.WORKERS_OUT!, `${Path.basename(expect.getState().testPath!)}.json`),
        JSON.stringify({
          session: session.id,
          container: web.id,
          endpoint,
          worker: process.env.VITEST_POOL_ID,
          pid: process.pid
        })
      )
    }))
})
