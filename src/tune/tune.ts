import type { AnalysisTemplateSpec, Metric } from '../api/index.ts';
import type { JudgeRunner, ResolvedArgs } from '../analysis/index.ts';
import type { MetricProvider } from '../ports/index.ts';
import { degradationName, type Degradation } from './degrade.ts';
import { distributionOf, histogramBins, type Bin, type Distribution } from './distribution.ts';
import { judgeNoteOf, type JudgeNote } from './judge-metrics.ts';
import { medianTimeToFailure, outcomeRates, type OutcomeRates, type RunRecord } from './outcomes.ts';
import type { RunPlan } from './plan.ts';
import { simulateRuns, soloTemplate } from './simulate.ts';
import {
  comparisonsOf,
  suggestThreshold,
  withThreshold,
  type Comparison,
  type Suggestion,
} from './thresholds.ts';
import type { Rate } from './wilson.ts';

/**
 * `serin tune`'s engine: the template's false-alarm rate on the stable workload's history, each
 * metric's rates, values and suggested thresholds, and detection power against injected
 * regressions. Takes its history through ports; the CLI supplies Prometheus and scratch copies.
 */

/** A copy of the history with a regression injected, served by a scratch Prometheus. */
export interface DegradedHistory {
  readonly provider: MetricProvider;
  /** Series the injection changed; 0 means the degradation does not apply to this template. */
  readonly changed: number;
  /** The templates pointed at the copy. */
  readonly templates: readonly AnalysisTemplateSpec[];
  dispose(): Promise<void>;
}

export interface TuneInput {
  readonly templates: readonly AnalysisTemplateSpec[];
  readonly args: ResolvedArgs;
  readonly provider: MetricProvider;
  readonly plan: RunPlan;
  /** Target false-alarm rate, 0..1. */
  readonly target: number;
  /**
   * The production judge runner for `judge` metrics, reading through `provider` (the history, or
   * a degraded copy of it). Without it a judge metric's measurements are Errors.
   */
  readonly judgeFor?: (provider: MetricProvider) => JudgeRunner;
  readonly degradations?: readonly Degradation[];
  readonly degraded?: (degradation: Degradation) => Promise<DegradedHistory>;
  readonly onProgress?: (stage: string, done: number, total: number) => void;
}

export interface ComparisonReport {
  readonly comparison: Comparison;
  readonly condition: string;
  /** Runs of this metric alone that end Failed with the current threshold. */
  readonly current: Rate;
  readonly suggestion?: Suggestion;
}

export interface MetricReport {
  readonly name: string;
  readonly rates: OutcomeRates;
  readonly medianTimeToFailureMs?: number;
  readonly distribution: Distribution;
  readonly histogram: readonly Bin[];
  readonly comparisons: readonly ComparisonReport[];
  /** For a judge metric: whether its two sides read the same series here, and what that means. */
  readonly judge?: JudgeNote;
}

export interface PowerRow {
  readonly degradation: string;
  /** Series changed by the injection; 0: not applicable to the template's series. */
  readonly changed: number;
  readonly verdict: { readonly failed: Rate; readonly medianTimeToFailureMs?: number };
  /** By metric; judge metrics are absent (judge-metrics.ts: the injection reaches both sides). */
  readonly metrics: Readonly<Record<string, { failed: Rate; medianTimeToFailureMs?: number }>>;
}

export interface TuneReport {
  readonly runs: number;
  readonly verdict: { readonly rates: OutcomeRates; readonly medianTimeToFailureMs?: number };
  readonly metrics: readonly MetricReport[];
  readonly power: readonly PowerRow[];
}

const failedShare = (records: readonly RunRecord[]): number =>
  records.length === 0 ? 0 : records.filter((r) => r.outcome === 'Failed').length / records.length;

function withTime(records: readonly RunRecord[]): { medianTimeToFailureMs?: number } {
  const median = medianTimeToFailure(records);
  return median === undefined ? {} : { medianTimeToFailureMs: median };
}

async function metricReport(
  input: TuneInput,
  metric: Metric,
  records: readonly RunRecord[],
): Promise<MetricReport> {
  const values = records.flatMap((r) => r.values[metric.name] ?? []);
  const judge = judgeNoteOf(metric, input.args);
  const rates = outcomeRates(records, input.plan.independence);
  const comparisons: ComparisonReport[] = [];
  for (const comparison of comparisonsOf(metric)) {
    const suggestion = await suggestThreshold({
      comparison,
      candidates: values,
      target: input.target,
      // The queries are all answered from memory: only the condition changes.
      rateOf: async (threshold) =>
        failedShare(
          await simulateRuns({
            ...input,
            templates: [soloTemplate(input.templates, withThreshold(metric, comparison, threshold))],
            windows: input.plan.windows,
          }),
        ),
    });
    comparisons.push({
      comparison,
      condition: metric[comparison.field] ?? '',
      current: rates.Failed,
      ...(suggestion === undefined ? {} : { suggestion }),
    });
  }
  return {
    name: metric.name,
    rates,
    ...withTime(records),
    distribution: distributionOf(values),
    histogram: histogramBins(values),
    comparisons,
    ...(judge === undefined ? {} : { judge }),
  };
}

async function powerRow(
  input: TuneInput,
  degradation: Degradation,
  metrics: readonly Metric[],
): Promise<PowerRow> {
  const name = degradationName(degradation);
  const degraded = await (input.degraded as NonNullable<TuneInput['degraded']>)(degradation);
  try {
    const run = (templates: readonly AnalysisTemplateSpec[]) =>
      simulateRuns({
        ...input,
        templates,
        provider: degraded.provider,
        windows: input.plan.windows,
        onRun: (done, total) => input.onProgress?.(`power: ${name}`, done, total),
      });
    const verdict = await run(degraded.templates);
    const byMetric: Record<string, { failed: Rate; medianTimeToFailureMs?: number }> = {};
    for (const metric of metrics) {
      if ('judge' in metric.provider) continue;
      const copy = degraded.templates.flatMap((t) => t.metrics).find((m) => m.name === metric.name) ?? metric;
      const records = await run([soloTemplate(degraded.templates, copy)]);
      byMetric[metric.name] = {
        failed: outcomeRates(records, input.plan.independence).Failed,
        ...withTime(records),
      };
    }
    return {
      degradation: name,
      changed: degraded.changed,
      verdict: { failed: outcomeRates(verdict, input.plan.independence).Failed, ...withTime(verdict) },
      metrics: byMetric,
    };
  } finally {
    await degraded.dispose();
  }
}

export async function tune(input: TuneInput): Promise<TuneReport> {
  const metrics = input.templates.flatMap((t) => t.metrics);
  const progress = (stage: string) => (done: number, total: number) => input.onProgress?.(stage, done, total);
  const verdict = await simulateRuns({ ...input, windows: input.plan.windows, onRun: progress('history') });
  const reports: MetricReport[] = [];
  for (const metric of metrics) {
    const records =
      metrics.length === 1
        ? verdict
        : await simulateRuns({
            ...input,
            templates: [soloTemplate(input.templates, metric)],
            windows: input.plan.windows,
            onRun: progress(`metric ${metric.name}`),
          });
    reports.push(await metricReport(input, metric, records));
  }
  const power: PowerRow[] = [];
  if (input.degraded !== undefined) {
    for (const degradation of input.degradations ?? [])
      power.push(await powerRow(input, degradation, metrics));
  }
  return {
    runs: input.plan.windows.length,
    verdict: { rates: outcomeRates(verdict, input.plan.independence), ...withTime(verdict) },
    metrics: reports,
    power,
  };
}
