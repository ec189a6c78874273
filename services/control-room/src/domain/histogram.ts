/** One bucket of a Prometheus histogram: how many observations were at most `upperBound`. */
export interface Bucket {
  readonly upperBound: number;
  readonly cumulativeCount: number;
}

/**
 * The q-quantile of a histogram the way Prometheus's histogram_quantile computes it: find the bucket the
 * rank falls in and interpolate linearly within it (observations are assumed spread evenly across the
 * bucket); a rank in the +Inf bucket answers the highest finite bound. Undefined without observations.
 */
export function histogramQuantile(q: number, buckets: readonly Bucket[]): number | undefined {
  const sorted = [...buckets].sort((a, b) => a.upperBound - b.upperBound);
  if (sorted.length < 2 || sorted.at(-1)!.upperBound !== Infinity) return undefined;
  // Deltas of a scrape caught mid-update can dip; counts are cumulative, so they may only grow.
  let highest = 0;
  const counts = sorted.map(({ cumulativeCount }) => (highest = Math.max(highest, cumulativeCount)));
  const observations = counts.at(-1)!;
  if (observations <= 0) return undefined;
  const rank = q * observations;
  const index = counts.findIndex((count) => count >= rank);
  if (index === sorted.length - 1) return sorted[index - 1]!.upperBound;
  const upper = sorted[index]!.upperBound;
  if (index === 0 && upper <= 0) return upper;
  const lower = index === 0 ? 0 : sorted[index - 1]!.upperBound;
  const below = index === 0 ? 0 : counts[index - 1]!;
  return lower + (upper - lower) * ((rank - below) / (counts[index]! - below));
}
