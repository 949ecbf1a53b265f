/** Tukey's fence: values beyond 1.5 interquartile ranges outside the quartiles are outliers. */
export const IQR_FENCE = 1.5;

/** A sample after cleaning, with what was removed. */
export interface CleanSample {
  /** The kept values, sorted ascending, with -0 normalised to +0. */
  readonly sorted: Float64Array;
  readonly nonFinite: number;
  readonly outliers: number;
}

/**
 * Quantile of an ascending sample by linear interpolation between order statistics (Hyndman and
 * Fan type 7, the default of R and NumPy).
 */
export function quantileSorted(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const below = sorted[lo] ?? NaN;
  const above = sorted[Math.min(lo + 1, sorted.length - 1)] ?? NaN;
  return below + (h - lo) * (above - below);
}

/** Median of an ascending sample. */
export function medianSorted(sorted: Float64Array): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

/** Mean with Neumaier's compensated summation, so 100,000 points do not drift. */
export function mean(values: Float64Array): number {
  if (values.length === 0) return NaN;
  let sum = 0;
  let compensation = 0;
  for (const v of values) {
    const t = sum + v;
    compensation += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return (sum + compensation) / values.length;
}

/** Removes values outside [Q1 - 1.5·IQR, Q3 + 1.5·IQR] from an ascending sample. */
export function withoutOutliers(sorted: Float64Array): Float64Array {
  const q1 = quantileSorted(sorted, 0.25);
  const q3 = quantileSorted(sorted, 0.75);
  const spread = IQR_FENCE * (q3 - q1);
  return sorted.filter((v) => v >= q1 - spread && v <= q3 + spread);
}

/**
 * Sorts a sample and drops NaN and ±Infinity (Prometheus yields both for empty or divided-by-zero
 * series), then optionally IQR outliers.
 */
export function cleanSample(values: readonly number[] | Float64Array, removeOutliers: boolean): CleanSample {
  const finite = Float64Array.from(values)
    .filter((v) => Number.isFinite(v))
    .map((v) => v + 0)
    .sort();
  const nonFinite = values.length - finite.length;
  if (!removeOutliers) return { sorted: finite, nonFinite, outliers: 0 };
  const kept = withoutOutliers(finite);
  return { sorted: kept, nonFinite, outliers: finite.length - kept.length };
}
