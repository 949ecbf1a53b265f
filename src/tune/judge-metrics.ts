import { judgeComparisons, type Metric } from '../api/index.ts';
import { renderTemplate, type ResolvedArgs } from '../analysis/index.ts';

/**
 * What `serin tune` says about a `judge` metric. The judge compares the canary with a baseline
 * measured at the same time; tune runs it unchanged (the production judge runner, its range
 * queries through the same cache and rate limit) over the history the `--arg` values select.
 *
 * - When every comparison's `baselineQuery` and `canaryQuery` render to the same query, both sides
 *   read the same series: each measurement compares a sample with itself and is Pass by
 *   construction, so its 0% false-alarm rate says nothing (`sameSeries`).
 * - Otherwise it is an A/A test of the two groups the args select, e.g. two stable workloads or
 *   two sets of pods: a fair false-alarm rate for the judge (`twoSides`).
 *
 * Detection power is not measured for judge metrics: the regressions are injected into every
 * series the template reads, both sides alike, so the judge would see no difference.
 */
export interface JudgeNote {
  readonly kind: 'sameSeries' | 'twoSides';
  readonly text: string;
}

export const JUDGE_POWER_NOTE =
  'judge metrics: not measured (the regression is injected into both sides alike)';

/** The note for a judge metric, undefined for any other metric. */
export function judgeNoteOf(metric: Metric, args: ResolvedArgs): JudgeNote | undefined {
  if (!('judge' in metric.provider)) return undefined;
  const same = judgeComparisons(metric.provider.judge).every((comparison) => {
    const baseline = renderTemplate(comparison.baselineQuery, args.values);
    const canary = renderTemplate(comparison.canaryQuery, args.values);
    return baseline.ok && canary.ok && baseline.value.trim() === canary.value.trim();
  });
  return same
    ? {
        kind: 'sameSeries',
        text:
          'judge metric: baseline and canary render to the same query with these --arg values, so every ' +
          'measurement compares the history with itself and passes by construction; pass args that select ' +
          'two groups of stable pods or workloads to measure its false-alarm rate (docs/tuning.md)',
      }
    : {
        kind: 'twoSides',
        text:
          'judge metric: an A/A test, canaryQuery and baselineQuery on the two groups these --arg values ' +
          'select, judged by the production judge; a Failed run is a false alarm of the judge itself',
      };
}
