/**
 * Engine API versions (`"1.41"`) and their order.
 *
 * @since 0.1.0
 */

/**
 * The oldest Engine API version this client speaks (Docker 20.10).
 *
 * @since 0.1.0
 * @category constants
 */
export const minimum = "1.41"

/**
 * The newest Engine API version this client knows; negotiation never goes above it.
 *
 * @since 0.1.0
 * @category constants
 */
export const newest = "1.55"

/**
 * Whether a string is a version of the form `MAJOR.MINOR`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isValid = (version: string): boolean => /^\d+\.\d+$/.test(version)

/**
 * Compares two versions: negative when `a` is older than `b`, 0 when equal, positive when newer.
 *
 * @example
 * ```ts
 * import { ApiVersion } from "@effect-docker/client"
 *
 * ApiVersion.compare("1.41", "1.9") // > 0: minor versions compare as numbers
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const compare = (a: string, b: string): number => {
  const [aMajor = 0, aMinor = 0] = a.split(".").map(Number)
  const [bMajor = 0, bMinor = 0] = b.split(".").map(Number)
  return aMajor !== bMajor ? aMajor - bMajor : aMinor - bMinor
}

/**
 * The older of two versions.
 *
 * @since 0.1.0
 * @category combinators
 */
export const min = (a: string, b: string): string => (compare(a, b) <= 0 ? a : b)
