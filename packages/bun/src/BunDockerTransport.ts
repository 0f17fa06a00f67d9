/**
 * `DockerTransport` for Bun over a Unix socket, plain TCP or TCP with TLS: requests through Bun's
 * own `fetch` (with `unix` and `tls`), hijacked connections (attach, exec with stdin) over
 * `Bun.connect`, half-close included (`FetchTransport`).
 *
 * @since 0.2.0
 */
import type { DockerConfigError } from "@effect-docker/client/DockerError"
import { DockerTransport } from "@effect-docker/client/DockerTransport"
import * as FetchTransport from "@effect-docker/client/FetchTransport"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Bun from "./internal/bun.js"

/**
 * The same options as `@effect-docker/node`'s transport, but `ssh`: `host`, `tls` (CA, client
 * certificate and key), `poolSize`, `connectTimeout`, `requestTimeout`.
 *
 * @example
 * ```ts
 * import type { BunDockerTransport } from "@effect-docker/bun"
 *
 * const options: BunDockerTransport.Options = { host: "unix:///var/run/docker.sock", poolSize: 8 }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type Options = FetchTransport.Options

/**
 * Builds the transport; Bun's connections live until the scope closes. Fails with
 * `DockerConfigError` outside Bun.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { BunDockerTransport } from "@effect-docker/bun"
 *
 * const program = Effect.scoped(Effect.flatMap(
 *   BunDockerTransport.make({ host: "unix:///var/run/docker.sock" }),
 *   (transport) => transport.request({ method: "GET", path: "/_ping", query: "", headers: {} })
 * ))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<DockerTransport["Type"], DockerConfigError, Scope.Scope> =>
  Effect.flatMap(Bun.bun, (api) => FetchTransport.make(options, Bun.sockets(api)))

/**
 * The Bun transport as a layer.
 *
 * @example
 * ```ts
 * import { BunDockerTransport } from "@effect-docker/bun"
 *
 * const transport = BunDockerTransport.layer({ host: "tcp://127.0.0.1:2375" })
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<DockerTransport, DockerConfigError> =>
  Layer.scoped(DockerTransport, make(options))
