/**
 * The distribution of a metric's measured values over history: the quantiles an SRE sets a
 * threshold against, and a compact ASCII histogram of them.
 */

/** The quantiles `serin tune` reports, as fractions. */
export const REPORTED_QUANTILES = [0.001, 0.01, 0.05, 0.5, 0.95, 0.99, 0.999] as const;

/** A quantile of sorted finite values, linearly interpolated (R's type 7, numpy's default). */
export function quantile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const h = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const low = Math.floor(h);
  const a = sorted[low] as number;
  const b = sorted[Math.min(sorted.length - 1, low + 1)] as number;
  return a + (h - low) * (b - a);
}

/** Quantiles keyed by name (`p0.1`, `p1`, ..., `p99.9`). */
export interface Distribution {
  readonly count: number;
  readonly min?: number;
  readonly max?: number;
  readonly quantiles: Readonly<Record<string, number>>;
}

/** `p0.1`, `p50`, `p99.9`: a fraction as the percentile name people read. */
export function quantileName(q: number): string {
  return `p${Number((q * 100).toPrecision(6))}`;
}

/** The reported quantiles of the finite values among `values`. */
export function distributionOf(values: readonly number[]): Distribution {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const quantiles: Record<string, number> = {};
  for (const q of REPORTED_QUANTILES) {
    const value = quantile(sorted, q);
    if (value !== undefined) quantiles[quantileName(q)] = value;
  }
  const min = sorted[0];
  const max = sorted.at(-1);
  return {
    count: sorted.length,
    ...(min === undefined ? {} : { min }),
    ...(max === undefined ? {} : { max }),
    quantiles,
  };
}

/** One bar of a histogram: values in [from, to) (the last bin includes `to`). */
export interface Bin {
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

/**
 * Equal-width bins between the 0.1th and 99.9th percentiles, so one outlier does not squash the
 * rest into a single bar; values outside are counted in the first and last bins.
 */
export function histogramBins(values: readonly number[], bins = 10): Bin[] {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const low = quantile(sorted, 0.001);
  const high = quantile(sorted, 0.999);
  if (low === undefined || high === undefined) return [];
  if (high === low) return [{ from: low, to: high, count: sorted.length }];
  const width = (high - low) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const v of sorted) {
    const index = Math.min(bins - 1, Math.max(0, Math.floor((v - low) / width)));
    counts[index] = (counts[index] ?? 0) + 1;
  }
  return counts.map((count, i) => ({ from: low + i * width, to: low + (i + 1) * width, count }));
}

/** Renders bins as lines `  [from, to)  ████▌ count`, bars scaled to `width` characters. */
export function renderHistogram(
  bins: readonly Bin[],
  format: (value: number) => string,
  width = 30,
): string[] {
  const most = Math.max(0, ...bins.map((b) => b.count));
  const labels = bins.map(
    (b, i) => `[${format(b.from)}, ${format(b.to)}${i === bins.length - 1 ? ']' : ')'}`,
  );
  const pad = Math.max(0, ...labels.map((l) => l.length));
  return bins.map((b, i) => {
    const eighths = most === 0 ? 0 : Math.round((b.count / most) * width * 8);
    const bar = '█'.repeat(Math.floor(eighths / 8)) + (PARTIAL[eighths % 8] ?? '');
    return `  ${(labels[i] ?? '').padEnd(pad)}  ${bar.padEnd(width)} ${b.count}`;
  });
}

const PARTIAL = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
