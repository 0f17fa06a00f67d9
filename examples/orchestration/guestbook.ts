/**
 * An orchestration program: a small guestbook system on a user network of its own.
 *
 * - `seed`, a one-shot job, writes the first entry into a shared volume (ready: it exited 0);
 * - `web` serves the volume over HTTP (ready: port 8080 listening, and its health check healthy);
 * - `writer` appends an entry every 200 ms, and says so in its log (ready: a log line);
 * - `reader` reaches `web` through the network by its alias (ready: a command that gets a 200 from it).
 *
 * Each is started only once what it depends on is ready. The program then reads the guestbook
 * through the network, and everything (containers, network, volume) is torn down by the scope,
 * however the program ends. Run it with `pnpm tsx examples/orchestration/guestbook.ts`.
 */
import { Docker, Readiness } from "@effect-docker/client"
import { NodeDocker } from "@effect-docker/node"
import { Console, Effect } from "effect"

/** An HTTP GET spoken by hand with busybox's nc (its wget is not in every build); prints the body. */
const httpGet = (host: string, path: string) => [
  "sh",
  "-c",
  `printf 'GET ${path} HTTP/1.0\\r\\nHost: ${host}\\r\\n\\r\\n' | nc -w 3 ${host} 8080 | sed '1,/^\\r$/d'`
]

/** Exits 0 when `host` serves the guestbook on 8080 (a 200 for /index.txt). */
const answers = (host: string) => [
  "sh",
  "-c",
  `printf 'HEAD /index.txt HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${host} 8080 | grep -q '^HTTP/1.[01] 200'`
]

/**
 * Starts the system in dependency order and returns what the guestbook holds once the writer
 * has added `entries` entries. Everything it creates carries `labels`.
 */
export const guestbook = (options: { readonly entries: number; readonly labels?: Record<string, string> }) =>
  Effect.scoped(Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const labels = { app: "guestbook", ...options.labels }
    const name = `guestbook-${Date.now().toString(36)}`

    yield* docker.networks.scoped({ Name: name, Labels: labels })
    const book = yield* docker.volumes.scoped({ Labels: labels })
    const common = {
      image: "busybox",
      labels,
      network: name,
      volumes: [`${book.Name}:/book`],
      stopTimeout: 1
    }

    yield* docker.containers.scoped({
      ...common,
      name: `${name}-seed`,
      cmd: ["sh", "-c", "echo 'first entry: the book is open' > /book/index.txt"],
      readiness: Readiness.exited({ exitCode: 0 })
    })
    yield* Console.log("seed: done")

    const web = yield* docker.containers.scoped({
      ...common,
      name: `${name}-web`,
      networkAliases: ["web"],
      cmd: ["httpd", "-f", "-p", "8080", "-h", "/book"],
      healthcheck: { test: answers("127.0.0.1"), interval: "250 millis", retries: 20 },
      readiness: Readiness.all(Readiness.listening(8080), Readiness.healthy({ timeout: "30 seconds" }))
    })
    yield* Console.log(`web: ${web.State?.Health?.Status}, listening on web:8080`)

    yield* docker.containers.scoped({
      ...common,
      name: `${name}-writer`,
      cmd: [
        "sh",
        "-c",
        `i=1; while [ $i -le ${options.entries} ]; do echo "entry $i" >> /book/index.txt; ` +
        `echo "wrote entry $i"; i=$((i+1)); sleep 0.2; done; echo "writer finished"; sleep 3600`
      ],
      readiness: Readiness.logLine("writer finished", { timeout: "30 seconds" })
    })
    yield* Console.log(`writer: ${options.entries} entries written`)

    const reader = yield* docker.containers.scoped({
      ...common,
      name: `${name}-reader`,
      volumes: [],
      cmd: ["sleep", "3600"],
      readiness: Readiness.command(answers("web"))
    })
    const page = yield* docker.exec.run(reader.Id, { cmd: httpGet("web", "/index.txt") })
    yield* Console.log(`reader: the guestbook has ${page.stdout.trim().split("\n").length} lines`)
    return page.stdout
  }))

// Run as a program (not when a test imports it).
if (import.meta.url === `file://${process.argv[1]}`) {
  guestbook({ entries: 5 }).pipe(
    Effect.tap((page) => Console.log(page)),
    Effect.provide(NodeDocker.layerFromEnv()),
    Effect.runPromise
  ).catch((error) => {
    console.error(error)
    process.exit(1)
  })
}
