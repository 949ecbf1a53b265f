import type { AnalysisRunStatus, MetricStatus } from '../api/index.ts';
import { parseValue } from '../analysis/index.ts';
import { wilson, type Rate } from './wilson.ts';

/**
 * How simulated runs ended, and the rates `serin tune` reports. Low traffic (minTraffic), no data
 * and an inconclusive threshold are separate outcomes, never mixed into the failure rate.
 */

export type RunOutcome =
  | 'Successful'
  | 'Failed'
  | 'InconclusiveLowTraffic'
  | 'InconclusiveNoData'
  | 'InconclusiveThreshold'
  | 'Error'
  | 'NoVerdict';

export const OUTCOMES: readonly RunOutcome[] = [
  'Failed',
  'InconclusiveThreshold',
  'InconclusiveLowTraffic',
  'InconclusiveNoData',
  'Error',
  'NoVerdict',
  'Successful',
];

/** What the table calls each outcome. */
export const OUTCOME_LABELS: Readonly<Record<RunOutcome, string>> = {
  Failed: 'Failed (false alarm)',
  InconclusiveThreshold: 'Inconclusive: neither condition met',
  InconclusiveLowTraffic: 'Inconclusive: low traffic (minTraffic)',
  InconclusiveNoData: 'Inconclusive: no data',
  Error: 'Error',
  NoVerdict: 'no verdict in the window',
  Successful: 'Successful',
};

/** One simulated run, reduced to what the report needs. */
export interface RunRecord {
  readonly start: number;
  readonly outcome: RunOutcome;
  /** When the verdict was reached, ms after the run's start. */
  readonly decidedAfterMs?: number;
  /** Every value measured, by metric (scalar results only). */
  readonly values: Readonly<Record<string, readonly number[]>>;
}

function inconclusiveKind(status: MetricStatus | undefined): RunOutcome {
  const message = status?.measurements.at(-1)?.message ?? '';
  if (message.startsWith('insufficient traffic')) return 'InconclusiveLowTraffic';
  if (message.startsWith('no data')) return 'InconclusiveNoData';
  return 'InconclusiveThreshold';
}

/** The outcome of a finished (or unfinished) run. */
export function outcomeOf(run: AnalysisRunStatus): RunOutcome {
  switch (run.phase) {
    case 'Successful':
    case 'Failed':
    case 'Error':
      return run.phase;
    case 'Inconclusive':
      return inconclusiveKind(run.metrics.find((m) => m.phase === 'Inconclusive' && m.dryRun !== true));
    case 'Pending':
    case 'Running':
      return 'NoVerdict';
  }
}

/** A run as a record: outcome, time to verdict, and the scalar values it measured. */
export function recordOf(run: AnalysisRunStatus, start: number): RunRecord {
  const values: Record<string, number[]> = {};
  for (const metric of run.metrics) {
    // A low-traffic measurement's value is the guard's request count, not the metric's value.
    values[metric.name] = metric.measurements
      .filter((m) => m.message?.startsWith('insufficient traffic') !== true)
      .map((m) => (m.value === undefined ? undefined : parseValue(m.value)))
      .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  }
  const finished = run.finishedAt === undefined ? undefined : Date.parse(run.finishedAt);
  const outcome = outcomeOf(run);
  return {
    start,
    outcome,
    ...(finished === undefined || outcome === 'NoVerdict' ? {} : { decidedAfterMs: finished - start }),
    values,
  };
}

/** The share of runs with each outcome, with Wilson intervals on the effective number of runs. */
export type OutcomeRates = Readonly<Record<RunOutcome, Rate>>;

/**
 * Rates over `records`. `independence` (0..1] scales the number of runs for the interval when
 * runs overlap (plan.ts); the point estimate is the plain share.
 */
export function outcomeRates(records: readonly RunRecord[], independence = 1): OutcomeRates {
  const n = records.length;
  const rates = {} as Record<RunOutcome, Rate>;
  for (const outcome of OUTCOMES) {
    const k = records.filter((r) => r.outcome === outcome).length;
    const effective = wilson(k * independence, n * independence);
    rates[outcome] = { ...effective, successes: k, trials: n, rate: n === 0 ? 0 : k / n };
  }
  return rates;
}

/** The median of the times to a Failed verdict, ms; undefined when no run failed. */
export function medianTimeToFailure(records: readonly RunRecord[]): number | undefined {
  const times = records
    .filter((r) => r.outcome === 'Failed' && r.decidedAfterMs !== undefined)
    .flatMap((r) => (r.decidedAfterMs === undefined ? [] : [r.decidedAfterMs]))
    .sort((a, b) => a - b);
  if (times.length === 0) return undefined;
  const mid = Math.floor(times.length / 2);
  return times.length % 2 === 1 ? times[mid] : ((times[mid - 1] as number) + (times[mid] as number)) / 2;
}
