/**
 * How a hijacked session tells an end the engine made from a cut connection: both arrive as the
 * end of the socket, so the engine is asked whether the process still runs.
 */
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import { DockerConnectionError, DockerStreamError } from "../DockerError.js"
import { isTransportError, type TransportError } from "../DockerTransport.js"

/**
 * Succeeds once `running` says the process ended (the engine marks it a moment after its output
 * ends, so it is asked again for up to 2 seconds) or is gone (`NotFound`: removed with its
 * container). Fails with the transport's error when the engine cannot be asked, and with
 * `DockerConnectionError` when the process still runs: the connection was cut.
 */
export const endCheck = <E extends { readonly _tag: string; readonly message: string }>(
  host: string,
  what: string,
  running: Effect.Effect<boolean, E>
): Effect.Effect<void, TransportError | DockerStreamError> =>
  running.pipe(
    Effect.flatMap((stillRunning) => stillRunning ? Effect.fail("running" as const) : Effect.void),
    Effect.retry({ schedule: Schedule.spaced("20 millis"), times: 100, while: (error) => error === "running" }),
    Effect.catchAll((error): Effect.Effect<void, TransportError | DockerStreamError> => {
      if (error === "running") {
        return Effect.fail(
          new DockerConnectionError({
            reason: "ConnectionReset",
            host,
            message: `the connection of ${what} ended while it still runs: the session was cut`
          })
        )
      }
      if (error._tag === "NotFound") return Effect.void
      if (isTransportError(error)) return Effect.fail(error)
      return Effect.fail(
        new DockerStreamError({ message: `${what} ended, and its state is unknown: ${error.message}` })
      )
    })
  )
