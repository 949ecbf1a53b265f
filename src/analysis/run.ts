import type {
  AnalysisPhase,
  AnalysisRunStatus,
  AnalysisTemplateSpec,
  MeasurementPhase,
  MeasurementStatus,
  Metric,
  MetricStatus,
} from '../api/index.ts';
import { durationToMs } from '../api/index.ts';
import { assessMetric, delayAfter, isCompleted, scheduleProblems } from './assessment.ts';

/**
 * An analysis run as data. Every function here is pure: it takes the persisted
 * `AnalysisRunStatus` and returns a new one, so the controller can store it in
 * `Canary.status.analysis` and resume after a restart. Time is epoch milliseconds.
 */

/** How many measurements each metric keeps in status. */
export const DEFAULT_HISTORY_LIMIT = 10;

/** The result of one measurement, ready to be recorded. `value` is text so ±Inf survive JSON. */
export interface MeasurementOutcome {
  readonly phase: MeasurementPhase;
  readonly value?: string;
  readonly message?: string;
  readonly startedAt: number;
  readonly finishedAt: number;
  /**
   * Set when the evidence rule deferred this measurement (epoch ms from which it may count): it is
   * not recorded as a measurement; the metric says why and measures again by then.
   */
  readonly deferredUntil?: number;
}

/** What starts a run. `templates` are already resolved (the Canary's references looked up). */
export interface StartRunInput {
  readonly runId: string;
  readonly kind: AnalysisRunStatus['kind'];
  readonly revision: string;
  readonly step?: number;
  readonly templates: readonly AnalysisTemplateSpec[];
  readonly now: number;
}

export type MergeResult = { ok: true; metrics: Metric[] } | { ok: false; error: string };

/** Combines the metrics of several templates; a metric name used twice is an error. */
export function mergeMetrics(templates: readonly AnalysisTemplateSpec[]): MergeResult {
  const metrics: Metric[] = [];
  const seen = new Set<string>();
  for (const template of templates) {
    for (const metric of template.metrics) {
      if (seen.has(metric.name)) {
        return { ok: false, error: `metric "${metric.name}" is defined by more than one template` };
      }
      seen.add(metric.name);
      metrics.push(metric);
    }
  }
  if (metrics.length === 0) return { ok: false, error: 'the analysis has no metrics' };
  return { ok: true, metrics };
}

const iso = (ms: number): string => new Date(ms).toISOString();

function newMetricStatus(metric: Metric, now: number): MetricStatus {
  const delay = metric.initialDelay === undefined ? 0 : durationToMs(metric.initialDelay);
  return {
    name: metric.name,
    phase: 'Pending',
    count: 0,
    successful: 0,
    failed: 0,
    inconclusive: 0,
    error: 0,
    consecutiveSuccess: 0,
    consecutiveFailed: 0,
    consecutiveError: 0,
    nextMeasurementAt: iso(now + delay),
    ...(metric.dryRun ? { dryRun: true } : {}),
    measurements: [],
  };
}

/**
 * Starts a run: one Pending metric per template metric, each due at `now + initialDelay`. A run
 * whose templates cannot be run as written starts in phase Error with the reason.
 */
export function startRun(input: StartRunInput): AnalysisRunStatus {
  const base = {
    runId: input.runId,
    kind: input.kind,
    revision: input.revision,
    ...(input.step === undefined ? {} : { step: input.step }),
    startedAt: iso(input.now),
  };
  const merged = mergeMetrics(input.templates);
  if (!merged.ok)
    return { ...base, phase: 'Error', finishedAt: base.startedAt, message: merged.error, metrics: [] };
  const problems = merged.metrics.flatMap(scheduleProblems);
  if (problems.length > 0) {
    return { ...base, phase: 'Error', finishedAt: base.startedAt, message: problems.join('; '), metrics: [] };
  }
  return {
    ...base,
    phase: 'Running',
    metrics: merged.metrics.map((metric) => newMetricStatus(metric, input.now)),
  };
}

/** The names of the metrics due for a measurement at `now`, in template order. */
export function dueMeasurements(run: AnalysisRunStatus, metrics: readonly Metric[], now: number): string[] {
  if (isCompleted(run.phase)) return [];
  const due: string[] = [];
  for (const metric of metrics) {
    const status = run.metrics.find((m) => m.name === metric.name);
    if (status === undefined || isCompleted(status.phase) || status.nextMeasurementAt === undefined) continue;
    if (Date.parse(status.nextMeasurementAt) <= now) due.push(metric.name);
  }
  return due;
}

/** When the next measurement of the run is due (epoch ms), or undefined when none is. */
export function nextDueAt(run: AnalysisRunStatus): number | undefined {
  if (isCompleted(run.phase)) return undefined;
  let next: number | undefined;
  for (const status of run.metrics) {
    if (isCompleted(status.phase) || status.nextMeasurementAt === undefined) continue;
    const at = Date.parse(status.nextMeasurementAt);
    if (next === undefined || at < next) next = at;
  }
  return next;
}

function countMeasurement(status: MetricStatus, phase: MeasurementPhase): MetricStatus {
  switch (phase) {
    case 'Successful':
      return {
        ...status,
        count: status.count + 1,
        successful: status.successful + 1,
        consecutiveSuccess: status.consecutiveSuccess + 1,
        consecutiveFailed: 0,
        consecutiveError: 0,
      };
    case 'Failed':
      return {
        ...status,
        count: status.count + 1,
        failed: status.failed + 1,
        consecutiveSuccess: 0,
        consecutiveFailed: status.consecutiveFailed + 1,
        consecutiveError: 0,
      };
    case 'Inconclusive':
      return {
        ...status,
        count: status.count + 1,
        inconclusive: status.inconclusive + 1,
        consecutiveSuccess: 0,
        consecutiveFailed: 0,
        consecutiveError: 0,
      };
    case 'Error':
      // Errors are not measurements of the canary: they do not count toward `count`.
      return { ...status, error: status.error + 1, consecutiveError: status.consecutiveError + 1 };
  }
}

function toMeasurementStatus(outcome: MeasurementOutcome): MeasurementStatus {
  return {
    phase: outcome.phase,
    ...(outcome.value === undefined ? {} : { value: outcome.value }),
    startedAt: iso(outcome.startedAt),
    finishedAt: iso(outcome.finishedAt),
    ...(outcome.message === undefined ? {} : { message: outcome.message }),
  };
}

/** Options for `recordMeasurement`. */
export interface RecordOptions {
  /** Measurements kept per metric (default 10). */
  readonly historyLimit?: number;
}

/**
 * Records one measurement of `metric` and applies every limit: updates the counters, keeps the
 * last N measurements, re-assesses the metric and the run, and schedules the next measurement
 * (after the interval, or after 10s — at most the interval — when it was an error). A measurement
 * for a completed run or metric is ignored.
 */
export function recordMeasurement(
  run: AnalysisRunStatus,
  metric: Metric,
  outcome: MeasurementOutcome,
  options: RecordOptions = {},
): AnalysisRunStatus {
  const index = run.metrics.findIndex((m) => m.name === metric.name);
  const current = run.metrics[index];
  if (isCompleted(run.phase) || current === undefined || isCompleted(current.phase)) return run;
  if (outcome.deferredUntil !== undefined)
    return deferMeasurement(run, index, metric, outcome, outcome.deferredUntil);
  const limit = options.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  const counted = countMeasurement(current, outcome.phase);
  const withHistory: MetricStatus = {
    ...counted,
    phase: 'Running',
    measurements: [...counted.measurements, toMeasurementStatus(outcome)].slice(-limit),
  };
  const assessed = assessMetric(metric, withHistory);
  const { nextMeasurementAt: _previous, message: _oldMessage, ...rest } = withHistory;
  const message = assessed.message ?? outcome.message;
  const updated: MetricStatus = {
    ...rest,
    phase: assessed.phase,
    ...(message === undefined ? {} : { message }),
    ...(isCompleted(assessed.phase)
      ? {}
      : { nextMeasurementAt: iso(outcome.finishedAt + delayAfter(metric, outcome.phase)) }),
  };
  const metrics = run.metrics.map((m, i) => (i === index ? updated : m));
  return settleRun({ ...run, metrics }, outcome.finishedAt);
}

/**
 * A measurement the evidence rule deferred: nothing is counted and the history is unchanged; the
 * metric's message says why, and it is measured again at its next interval or as soon as the
 * evidence suffices, whichever comes first (so a failing canary is still caught at the interval).
 */
function deferMeasurement(
  run: AnalysisRunStatus,
  index: number,
  metric: Metric,
  outcome: MeasurementOutcome,
  deferredUntil: number,
): AnalysisRunStatus {
  const interval = delayAfter(metric, 'Successful');
  const next = Math.min(
    outcome.finishedAt + (interval > 0 ? interval : Number.POSITIVE_INFINITY),
    Math.max(deferredUntil, outcome.finishedAt),
  );
  const metrics = run.metrics.map((m, i) =>
    i === index
      ? {
          ...m,
          phase: 'Running' as const,
          ...(outcome.message === undefined ? {} : { message: outcome.message }),
          nextMeasurementAt: iso(next),
        }
      : m,
  );
  return { ...run, metrics };
}

const SEVERITY: readonly AnalysisPhase[] = ['Failed', 'Error', 'Inconclusive'];

/**
 * The run's phase from its metrics' phases: any Failed → Failed; else any Error → Error; else any
 * Inconclusive → Inconclusive (as soon as such a metric completes, like Argo Rollouts' terminating
 * run); else Successful once every metric is complete; else Running. Dry-run metrics never decide.
 */
export function runPhase(run: AnalysisRunStatus): AnalysisPhase {
  if (run.phase === 'Error' && run.metrics.length === 0) return 'Error';
  const decisive = run.metrics.filter((m) => m.dryRun !== true);
  for (const phase of SEVERITY) if (decisive.some((m) => m.phase === phase)) return phase;
  return run.metrics.every((m) => isCompleted(m.phase)) ? 'Successful' : 'Running';
}

function runMessage(run: AnalysisRunStatus, phase: AnalysisPhase): string | undefined {
  const parts: string[] = [];
  const culprit = run.metrics.find((m) => m.dryRun !== true && m.phase === phase && phase !== 'Successful');
  if (culprit)
    parts.push(`metric "${culprit.name}" ${phase}${culprit.message ? `: ${culprit.message}` : ''}`);
  for (const m of run.metrics) {
    if (m.dryRun === true && (m.phase === 'Failed' || m.phase === 'Error' || m.phase === 'Inconclusive')) {
      parts.push(`dry-run metric "${m.name}" ${m.phase} (ignored)`);
    }
  }
  return parts.length === 0 ? undefined : parts.join('; ');
}

// Once the run is decided, metrics still running are not measured again.
function settleRun(run: AnalysisRunStatus, now: number): AnalysisRunStatus {
  const phase = runPhase(run);
  const message = runMessage(run, phase);
  const { message: _old, ...rest } = run;
  const next: AnalysisRunStatus = { ...rest, phase, ...(message === undefined ? {} : { message }) };
  if (!isCompleted(phase)) return next;
  return {
    ...next,
    finishedAt: iso(now),
    metrics: next.metrics.map((m) => {
      if (isCompleted(m.phase)) return m;
      const { nextMeasurementAt: _drop, ...kept } = m;
      return { ...kept, message: `not measured further: the run ended ${phase}` };
    }),
  };
}

/**
 * Stops a run from outside (a background analysis when the rollout finishes, or a step that no
 * longer needs it). Metrics that have not exceeded a limit end Successful, as in Argo Rollouts;
 * a run that already completed is returned unchanged.
 */
export function terminateRun(
  run: AnalysisRunStatus,
  now: number,
  reason = 'run terminated',
): AnalysisRunStatus {
  if (isCompleted(run.phase)) return run;
  const metrics = run.metrics.map((m): MetricStatus => {
    if (isCompleted(m.phase)) return m;
    const { nextMeasurementAt: _drop, ...kept } = m;
    return { ...kept, phase: 'Successful', message: reason };
  });
  return settleRun({ ...run, metrics }, now);
}
