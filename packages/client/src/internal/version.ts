/**
 * This package's version, and the `User-Agent` every request carries.
 *
 * @since 0.1.0
 */

/**
 * Kept equal to `package.json`'s version by a unit test.
 *
 * @since 0.1.0
 */
export const version = "0.1.0"

/**
 * @since 0.1.0
 */
export const userAgent = `effect-docker/${version}`
