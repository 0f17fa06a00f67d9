/**
 * Wait strategies: what a test container must show before the test gets it. Each is a value that
 * composes ({@link all}, {@link withTimeout}), built on the client's `Readiness`: a failure is a
 * `DockerReadinessError` that names the condition, says why, and carries the container's last logs.
 *
 * Those that look from this process (a reachable port, an HTTP answer) go through the host and
 * the published port, as the test itself will; the others look inside the container.
 *
 * @example
 * ```ts
 * import { Wait } from "@effect-docker/testcontainers"
 *
 * const ready = Wait.all(
 *   Wait.forLogMessage(/ready to accept connections/, { times: 2 }),
 *   Wait.forListeningPort(5432)
 * )
 * ```
 *
 * @since 0.2.0
 */
import { Readiness } from "@effect-docker/client"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Ports from "./internal/ports.js"
import * as Probe from "./internal/probe.js"

/**
 * What a strategy knows besides the container: where this process reaches its published ports.
 *
 * @since 0.2.0
 * @category models
 */
export interface WaitContext {
  readonly host: string
}

/**
 * A wait strategy.
 *
 * @since 0.2.0
 * @category models
 */
export interface Wait {
  readonly description: string
  /** The readiness condition for a container whose ports are reached at `context.host`. */
  readonly readiness: (context: WaitContext) => Readiness.Readiness
}

/**
 * TLS settings of {@link forHttp}: the CA that signed the server's certificate, or `insecure`.
 *
 * @since 0.2.0
 * @category models
 */
export type TlsOptions = Probe.TlsOptions

/**
 * A client `Readiness` as a strategy.
 *
 * @example
 * ```ts
 * import { Readiness } from "@effect-docker/client"
 * import { Wait } from "@effect-docker/testcontainers"
 *
 * const healthy = Wait.fromReadiness(Readiness.healthy({ timeout: "2 minutes" }))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const fromReadiness = (readiness: Readiness.Readiness): Wait => ({
  description: readiness.description,
  readiness: () => readiness
})

/**
 * A line of the container's output matches `pattern`, `times` times (lines written before the
 * wait began count).
 *
 * @example
 * ```ts
 * import { Wait } from "@effect-docker/testcontainers"
 *
 * const started = Wait.forLogMessage(/started on port \d+/)
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const forLogMessage = (
  pattern: RegExp | string,
  options: Readiness.Options & { readonly times?: number } = {}
): Wait => fromReadiness(Readiness.logLine(pattern, options))

/**
 * The engine reports the container `healthy` (its image's `HEALTHCHECK` or the definition's `healthcheck`).
 *
 * @example
 * ```ts
 * import { Wait } from "@effect-docker/testcontainers"
 *
 * const healthy = Wait.forHealthCheck({ timeout: "90 seconds" })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const forHealthCheck = (options: Readiness.Options = {}): Wait => fromReadiness(Readiness.healthy(options))

/**
 * `cmd`, run in the container, exits 0.
 *
 * @example
 * ```ts
 * import { Wait } from "@effect-docker/testcontainers"
 *
 * const accepting = Wait.forSuccessfulCommand(["pg_isready", "-U", "postgres"])
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const forSuccessfulCommand = (cmd: ReadonlyArray<string>, options: Readiness.Options = {}): Wait =>
  fromReadiness(Readiness.command(cmd, options))

/**
 * A one-shot container (a migration, a set-up job) exits with `exitCode` (default 0).
 *
 * @example
 * ```ts
 * import { Wait } from "@effect-docker/testcontainers"
 *
 * const migrated = Wait.forOneShot({ timeout: "5 minutes" })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const forOneShot = (options: Omit<Readiness.Options, "interval"> & { readonly exitCode?: number } = {}): Wait =>
  fromReadiness(Readiness.exited({ ...options, exitCode: options.exitCode ?? 0 }))

/** Polls `check` with the published host port of `port`; a port that is not published cannot become ready. */
const throughHostPort = (
  description: string,
  port: number | string,
  check: (hostPort: number) => Effect.Effect<boolean>,
  options: Readiness.Options
) =>
  Readiness.poll(description, (_, info) => {
    const hostPort = Ports.hostPort(info, port)
    if (hostPort === undefined) {
      return Effect.fail(
        new Readiness.NotReady({
          reason: "Unsupported",
          detail: `port ${port} is not published (published: ${Ports.published(info).join(", ") || "none"})`
        })
      )
    }
    return check(hostPort)
  }, options)

/**
 * The published port of `port` takes a TCP connection from this process. Through the engine's
 * port forwarding a connection may open before the server listens: {@link forListeningPort} also
 * looks inside.
 *
 * @example
 * ```ts
 * import { Wait } from "@effect-docker/testcontainers"
 *
 * const reachable = Wait.forReachablePort(6379)
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const forReachablePort = (port: number | string, options: Readiness.Options = {}): Wait => ({
  description: `port ${port} reachable from this process`,
  readiness: (context) =>
    throughHostPort(
      `port ${port} reachable at ${context.host}`,
      port,
      (hostPort) => Probe.connects(context.host, hostPort, 1000),
      options
    )
})

/**
 * A process in the container listens on TCP `port` (read inside, from `/proc/net/tcp`: the image
 * needs `cat`), and its published port takes a connection from this process.
 *
 * @example
 * ```ts
 * import { Wait } from "@effect-docker/testcontainers"
 *
 * const listening = Wait.forListeningPort(8080)
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const forListeningPort = (port: number, options: Readiness.Options = {}): Wait => {
  const reachable = forReachablePort(port, options)
  return {
    description: `port ${port} listening and reachable`,
    readiness: (context) => Readiness.all(Readiness.listening(port, options), reachable.readiness(context))
  }
}

/**
 * Options of {@link forHttp}.
 *
 * @since 0.2.0
 * @category models
 */
export interface HttpOptions extends Readiness.Options {
  /** Default `GET`. */
  readonly method?: string | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** The status to wait for, or a test of it; default 200. */
  readonly status?: number | ((status: number) => boolean) | undefined
  /** A test of the body (its first MiB, as text). */
  readonly body?: ((body: string) => boolean) | undefined
  /** HTTPS, with the CA to trust or `insecure`; `true` for the system's CAs. */
  readonly tls?: TlsOptions | true | undefined
  /** How long one request may take; default 2 seconds. */
  readonly requestTimeout?: Duration.DurationInput | undefined
}

/**
 * An HTTP request from this process to the published port of `port` is answered as expected.
 *
 * @example
 * ```ts
 * import { Wait } from "@effect-docker/testcontainers"
 *
 * const registry = Wait.forHttp("/v2/", 5000, { status: (status) => status === 200 || status === 401 })
 * const api = Wait.forHttp("/health", 8443, { tls: { insecure: true }, body: (body) => body.includes("ok") })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const forHttp = (path: string, port: number, options: HttpOptions = {}): Wait => {
  const status = options.status ?? 200
  const statusHolds = typeof status === "number" ? (answer: number) => answer === status : status
  const tls = options.tls === true ? {} : options.tls
  const timeoutMillis = Duration.toMillis(options.requestTimeout ?? Duration.seconds(2))
  const scheme = tls === undefined ? "http" : "https"
  return {
    description: `${scheme} ${options.method ?? "GET"} ${path} on port ${port} answered`,
    readiness: (context) =>
      throughHostPort(
        `${scheme} ${options.method ?? "GET"} ${path} answered at ${context.host} (port ${port})`,
        port,
        (hostPort) =>
          Probe.request({
            host: context.host,
            port: hostPort,
            path,
            method: options.method ?? "GET",
            headers: options.headers ?? {},
            tls,
            timeoutMillis
          }).pipe(
            Effect.tap((answer) =>
              Effect.logDebug("wait for http", answer._tag === "Answer" ? answer.status : answer.reason)
            ),
            Effect.map((answer) =>
              answer._tag === "Answer" && statusHolds(answer.status) &&
              (options.body === undefined || options.body(answer.body))
            )
          ),
        options
      )
  }
}

/**
 * Every strategy, awaited together; the first that fails fails all.
 *
 * @example
 * ```ts
 * import { Wait } from "@effect-docker/testcontainers"
 *
 * const ready = Wait.all(Wait.forLogMessage("listening"), Wait.forHttp("/", 80))
 * ```
 *
 * @since 0.2.0
 * @category combinators
 */
export const all = (...strategies: ReadonlyArray<Wait>): Wait => ({
  description: strategies.map((strategy) => strategy.description).join(" and "),
  readiness: (context) => Readiness.all(...strategies.map((strategy) => strategy.readiness(context)))
})

/**
 * The strategy within `timeout` as a whole.
 *
 * @example
 * ```ts
 * import { Wait } from "@effect-docker/testcontainers"
 *
 * const patient = Wait.withTimeout(Wait.forHealthCheck(), "3 minutes")
 * ```
 *
 * @since 0.2.0
 * @category combinators
 */
export const withTimeout = (strategy: Wait, timeout: Duration.DurationInput): Wait => ({
  description: strategy.description,
  readiness: (context) => Readiness.withTimeout(strategy.readiness(context), timeout)
})
