/**
 * The engine's progress streams (pull, push, build, load): one JSON object per line, where an
 * `error` / `errorDetail` line means the operation failed although the HTTP status was 200.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { bodyStream, type DockerEngine, type EngineRequest } from "./DockerEngine.js"
import { CreateImageInfo } from "./generated/Schemas.js"
import * as JsonLines from "./JsonLines.js"
import * as RegistryAuth from "./RegistryAuth.js"

/**
 * One line of a progress stream.
 *
 * @since 0.1.0
 * @category models
 */
export type ProgressEvent = CreateImageInfo

/**
 * Parses a progress byte stream into events; a line that is not a progress object fails the
 * stream with `DockerStreamError`, one longer than `maxLineBytes` with `DockerLimitError`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const events = <E, R>(bytes: Stream.Stream<Uint8Array, E, R>, maxLineBytes?: number) =>
  JsonLines.decode(CreateImageInfo, "a progress line", { maxLineBytes })(bytes)

/**
 * The error an event reports, if any.
 *
 * @since 0.1.0
 * @category combinators
 */
export const errorMessage = (event: ProgressEvent): string | undefined => event.errorDetail?.message ?? event.error

/**
 * Fails a progress stream at its first error event, with the error `onError` makes of its
 * message (and the event, for its `errorDetail.code`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const failOnError =
  <E>(onError: (message: string, event: ProgressEvent) => E) =>
  <R, E2>(events: Stream.Stream<ProgressEvent, E2, R>): Stream.Stream<ProgressEvent, E | E2, R> =>
    Stream.mapEffect(events, (event) => {
      const message = errorMessage(event)
      return message === undefined ? Effect.succeed(event) : Effect.fail(onError(message, event))
    })

/**
 * The progress stream of a registry transfer (pull, push, plugin install): `request` sent with the
 * `X-Registry-Auth` for `image` (see `RegistryAuth.header`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const transfer = (
  engine: DockerEngine["Type"],
  request: EngineRequest,
  auth: {
    readonly image: string
    readonly explicit: Redacted.Redacted<string> | undefined
    readonly credentials: RegistryAuth.RegistryCredentials["Type"] | undefined
  }
) =>
  events(
    Stream.unwrap(Effect.map(
      RegistryAuth.header(auth.credentials, auth.image, auth.explicit),
      (headers) => bodyStream(engine, { ...request, headers: { ...request.headers, ...headers } })
    )),
    engine.limits.lineBytes
  )
