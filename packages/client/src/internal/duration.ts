/**
 * Durations given as options, checked: `Duration.decode` turns `NaN` and negative numbers into
 * zero, which a timeout would read as "wait forever".
 */
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Option from "effect/Option"

/** The duration in milliseconds (`Infinity` for an infinite one), or why it is not one. */
export const toMillis = (input: Duration.DurationInput): Either.Either<number, string> => {
  if (typeof input === "number" && !(input >= 0)) return Either.left(`${input} is not a duration`)
  if (typeof input === "bigint" && input < 0n) return Either.left(`${input} is negative`)
  if (typeof input === "string" && /^\s*-/.test(input)) return Either.left(`${input} is negative`)
  return Option.match(Duration.decodeUnknown(input), {
    onNone: () => Either.left(`${String(input)} is not a duration`),
    onSome: (duration) => Either.right(Duration.toMillis(duration))
  })
}

/** Whole seconds, rounded up, as the engine's second-granular parameters take them. */
export const toSeconds = (input: Duration.DurationInput): Either.Either<number, string> =>
  Either.map(toMillis(input), (millis) => Math.ceil(millis / 1000))
