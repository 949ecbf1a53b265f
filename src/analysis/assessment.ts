import { durationToMs } from '../api/index.ts';
import type { AnalysisPhase, Metric, MetricStatus } from '../api/index.ts';

/**
 * The limit rules that turn a metric's counters into its phase. Argo Rollouts' AnalysisRun
 * semantics (analysis/analysis.go `assessMetricStatus`) plus serin's `consecutiveFailureLimit`.
 */

/** After an error, the next attempt comes this soon (or after the interval, if shorter). */
export const ERROR_RETRY_MS = 10_000;

/** A metric's verdict so far and why. */
export interface MetricAssessment {
  readonly phase: AnalysisPhase;
  readonly message?: string;
}

const COMPLETED: ReadonlySet<AnalysisPhase> = new Set(['Successful', 'Failed', 'Inconclusive', 'Error']);

/** Whether a phase is final. */
export function isCompleted(phase: AnalysisPhase): boolean {
  return COMPLETED.has(phase);
}

/**
 * How many measurements a metric takes: `count`; or unbounded (undefined) with an interval and no
 * or zero count; or exactly one with neither.
 */
export function effectiveCount(metric: Metric): number | undefined {
  if (metric.count !== undefined && metric.count > 0) return metric.count;
  return metric.interval === undefined ? 1 : undefined;
}

/** The metric's interval in ms, if it has one. */
export function intervalMs(metric: Metric): number | undefined {
  return metric.interval === undefined ? undefined : durationToMs(metric.interval);
}

/** How long to wait after a measurement with the given phase before the next one. */
export function delayAfter(metric: Metric, phase: MetricStatus['measurements'][number]['phase']): number {
  const interval = intervalMs(metric);
  if (phase === 'Error') return Math.min(ERROR_RETRY_MS, interval ?? ERROR_RETRY_MS);
  return interval ?? 0;
}

/**
 * Schedule problems that make a metric impossible to run as written (checked when a run starts).
 */
export function scheduleProblems(metric: Metric): string[] {
  const problems: string[] = [];
  const count = metric.count ?? 0;
  if (count > 1 && metric.interval === undefined) {
    problems.push(`metric "${metric.name}": count ${count} needs an interval between measurements`);
  }
  if (metric.interval !== undefined && durationToMs(metric.interval) <= 0) {
    problems.push(`metric "${metric.name}": interval must be longer than 0`);
  }
  if (metric.consecutiveSuccessLimit !== undefined && count > 0 && metric.consecutiveSuccessLimit > count) {
    problems.push(
      `metric "${metric.name}": consecutiveSuccessLimit ${metric.consecutiveSuccessLimit} can never be reached in count ${count}`,
    );
  }
  return problems;
}

function failedVerdict(metric: Metric, status: MetricStatus): string | undefined {
  const limit = metric.failureLimit;
  const consecutive = metric.consecutiveFailureLimit;
  if (consecutive !== undefined) {
    if (status.consecutiveFailed >= consecutive) {
      return `${status.consecutiveFailed} consecutive failed measurements reached consecutiveFailureLimit (${consecutive})`;
    }
    // With consecutiveFailureLimit, the default failureLimit 0 is no total cap; a positive one is.
    if (limit > 0 && status.failed > limit) return `failed (${status.failed}) > failureLimit (${limit})`;
    return undefined;
  }
  if (limit >= 0 && status.failed > limit) return `failed (${status.failed}) > failureLimit (${limit})`;
  return undefined;
}

/**
 * Applies the limits, in Argo Rollouts' order: failures, inconclusives, consecutive errors, then
 * consecutive successes and count. A completed metric keeps its phase.
 */
export function assessMetric(metric: Metric, status: MetricStatus): MetricAssessment {
  if (isCompleted(status.phase)) return { phase: status.phase, ...messageOf(status) };
  if (status.measurements.length === 0 && status.count === 0 && status.error === 0)
    return { phase: 'Pending' };
  const failed = failedVerdict(metric, status);
  if (failed !== undefined) return { phase: 'Failed', message: failed };
  if (status.inconclusive > metric.inconclusiveLimit) {
    return {
      phase: 'Inconclusive',
      message: `inconclusive (${status.inconclusive}) > inconclusiveLimit (${metric.inconclusiveLimit})`,
    };
  }
  if (status.consecutiveError > metric.consecutiveErrorLimit) {
    return {
      phase: 'Error',
      message: `consecutive errors (${status.consecutiveError}) > consecutiveErrorLimit (${metric.consecutiveErrorLimit})`,
    };
  }
  const successes = metric.consecutiveSuccessLimit;
  if (successes !== undefined && status.consecutiveSuccess >= successes) {
    return {
      phase: 'Successful',
      message: `${status.consecutiveSuccess} consecutive successful measurements`,
    };
  }
  const count = effectiveCount(metric);
  if (count !== undefined && status.count >= count) {
    if (successes !== undefined) {
      return {
        phase: 'Inconclusive',
        message: `count (${count}) reached without ${successes} consecutive successful measurements`,
      };
    }
    return { phase: 'Successful', message: `count (${count}) reached` };
  }
  return { phase: 'Running' };
}

function messageOf(status: MetricStatus): { message?: string } {
  return status.message === undefined ? {} : { message: status.message };
}
