import type { JudgeResult, PerSide } from '../../judge/index.ts';

/** A statistic as people read it: 4 significant digits, `-` when absent, p-values in e-notation when tiny. */
export function formatStatistic(value: number | null | undefined): string {
  if (value === undefined || value === null) return '-';
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && Math.abs(value) < 1e-4) return value.toExponential(2);
  return String(Number(value.toPrecision(4)));
}

/** An interval as `[lower, upper]`, or `-`. */
export function formatInterval(interval: readonly [number, number] | undefined): string {
  return interval === undefined ? '-' : `[${formatStatistic(interval[0])}, ${formatStatistic(interval[1])}]`;
}

function counts(result: JudgeResult, series: PerSide<number> | undefined): string {
  const parts = [`n baseline ${result.n.baseline}, canary ${result.n.canary}`];
  const { nonFinite, outliers } = result.removed;
  if (nonFinite.baseline + nonFinite.canary > 0) {
    parts.push(`non-finite removed ${nonFinite.baseline}/${nonFinite.canary}`);
  }
  if (outliers.baseline + outliers.canary > 0) {
    parts.push(`outliers removed ${outliers.baseline}/${outliers.canary}`);
  }
  if (series !== undefined && (series.baseline > 1 || series.canary > 1)) {
    parts.push(`series pooled ${series.baseline}/${series.canary}`);
  }
  return parts.join(', ');
}

/**
 * The judge's verdict in one line, for measurement messages and progress output, e.g.
 * `High: increase: 98% CI [28, 31] is outside the tolerance band ±5; p=1.2e-11 (asymptotic),
 * shift 30, CI [28, 31] (98%), mean ratio 2.5, CLES 1, n baseline 21, canary 21`. Without a test
 * (NoData, Error) it is the reason and the counts.
 */
export function summarizeJudgement(result: JudgeResult, series?: PerSide<number>): string {
  if (result.method === 'none') return `${result.reason} (${counts(result, series)})`;
  const confidence = result.confidence === undefined ? '' : ` (${formatStatistic(result.confidence * 100)}%)`;
  const stats = [
    `p=${formatStatistic(result.pValue)} (${result.method})`,
    `shift ${formatStatistic(result.estimate)}`,
    `CI ${formatInterval(result.ci)}${confidence}`,
    `mean ratio ${formatStatistic(result.effectSize?.meanRatio)}`,
    `CLES ${formatStatistic(result.effectSize?.cles)}`,
    counts(result, series),
    ...result.warnings,
  ];
  return `${result.classification}: ${result.reason}; ${stats.join(', ')}`;
}
