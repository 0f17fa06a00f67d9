/** The statistics every benchmark reports: the median of its rounds, with their least and most. */

/** The median of the samples (the upper one of an even count). */
export const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** The median, least and most of the samples. */
export const summary = (xs: ReadonlyArray<number>) => ({
  median: median(xs),
  min: Math.min(...xs),
  max: Math.max(...xs)
})
