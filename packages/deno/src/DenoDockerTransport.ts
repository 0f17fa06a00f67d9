/**
 * `DockerTransport` for Deno over a Unix socket, plain TCP or TCP with TLS: requests through Deno's
 * own `fetch` (with an `HttpClient`: a Unix proxy, the CA and the client certificate), hijacked
 * connections (attach, exec with stdin) over `Deno.connect` and `Deno.connectTls`, half-close
 * included (`FetchTransport`). Deno needs `--allow-net` for TCP and `--allow-read --allow-write`
 * for a Unix socket.
 *
 * @since 0.2.0
 */
import type { DockerConfigError } from "@effect-docker/client/DockerError"
import { DockerTransport } from "@effect-docker/client/DockerTransport"
import * as FetchTransport from "@effect-docker/client/FetchTransport"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Deno from "./internal/deno.js"

/**
 * The same options as `@effect-docker/node`'s transport, but `ssh`: `host`, `tls` (CA, client
 * certificate and key; Deno cannot turn the certificate check off per client, nor check another
 * name, and says so with `DockerConfigError`), `poolSize`, `connectTimeout`, `requestTimeout`.
 *
 * @example
 * ```ts
 * import type { DenoDockerTransport } from "@effect-docker/deno"
 *
 * const options: DenoDockerTransport.Options = { host: "unix:///var/run/docker.sock", poolSize: 8 }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type Options = FetchTransport.Options

/**
 * Builds the transport; Deno's connections live until the scope closes. Fails with
 * `DockerConfigError` outside Deno.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { DenoDockerTransport } from "@effect-docker/deno"
 *
 * const program = Effect.scoped(Effect.flatMap(
 *   DenoDockerTransport.make({ host: "unix:///var/run/docker.sock" }),
 *   (transport) => transport.request({ method: "GET", path: "/_ping", query: "", headers: {} })
 * ))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<DockerTransport["Type"], DockerConfigError, Scope.Scope> =>
  Effect.flatMap(Deno.deno, (api) => FetchTransport.make(options, Deno.sockets(api)))

/**
 * The Deno transport as a layer.
 *
 * @example
 * ```ts
 * import { DenoDockerTransport } from "@effect-docker/deno"
 *
 * const transport = DenoDockerTransport.layer({ host: "tcp://127.0.0.1:2375" })
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<DockerTransport, DockerConfigError> =>
  Layer.scoped(DockerTransport, make(options))
