/** Summary statistics for benchmark samples: small, exact, no interpolation. */

/** min / median / p99 / max of a set of samples (ms). */
export interface Summary {
  readonly n: number;
  readonly min: number;
  readonly median: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * The nearest-rank percentile: the smallest sample such that at least `p`% of the samples are at or
 * below it. No interpolation, so every figure printed is a time that was actually observed; with
 * fewer than 100 samples p99 is the maximum.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}

/** The median as the mean of the two middle samples for an even count. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] ?? Number.NaN) + upper) / 2;
}

export function summarize(samples: readonly number[]): Summary {
  return {
    n: samples.length,
    min: percentile(samples, 0),
    median: median(samples),
    p99: percentile(samples, 99),
    max: percentile(samples, 100),
  };
}
