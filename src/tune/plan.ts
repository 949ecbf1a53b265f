import { durationToMs, type AnalysisTemplateSpec, type Metric } from '../api/index.ts';
import { effectiveCount } from '../analysis/index.ts';

/**
 * Where `serin tune` slides its simulated analysis runs over history. Each run is the template as
 * the controller would run it (initialDelay, interval, count, limits), started at `start`.
 *
 * By default runs do not overlap: the next run starts one interval after the previous run's last
 * measurement, so every instant of history is measured by exactly one run and the runs are as
 * independent as the history allows (the Wilson interval assumes independent runs). A shorter
 * `--stride` gives overlapping runs; their interval is then computed on the effective number of
 * runs, `runs × stride / default stride`, because overlapping runs share measurements.
 */

/** One simulated run: it starts at `start`; a run still undecided at `end` has no verdict. */
export interface RunWindow {
  readonly start: number;
  readonly end: number;
}

export interface RunPlan {
  readonly windows: readonly RunWindow[];
  /** From a run's start to its last scheduled measurement (the slowest metric's). */
  readonly spanMs: number;
  readonly strideMs: number;
  /** The stride at which runs do not overlap. */
  readonly independentStrideMs: number;
  /** Share of a run that is its own (1 when runs do not overlap). */
  readonly independence: number;
}

export interface PlanInput {
  readonly templates: readonly AnalysisTemplateSpec[];
  /** History, epoch ms. */
  readonly from: number;
  readonly to: number;
  readonly strideMs?: number;
  /** How long a metric without `count` runs before it is ended as the controller would (default 10m). */
  readonly runLengthMs?: number;
}

export const DEFAULT_RUN_LENGTH_MS = 10 * 60_000;

const intervalOf = (m: Metric): number => (m.interval === undefined ? 0 : durationToMs(m.interval));
const delayOf = (m: Metric): number => (m.initialDelay === undefined ? 0 : durationToMs(m.initialDelay));

/** From a run's start to the metric's last scheduled measurement; undefined for an unbounded metric. */
export function metricSpanMs(metric: Metric): number | undefined {
  const count = effectiveCount(metric);
  if (count === undefined) return undefined;
  return delayOf(metric) + (count - 1) * intervalOf(metric);
}

/** The windows of the runs over the history. */
export function planRuns(input: PlanInput): RunPlan {
  const metrics = input.templates.flatMap((t) => t.metrics);
  const runLength = input.runLengthMs ?? DEFAULT_RUN_LENGTH_MS;
  const spans = metrics.map(metricSpanMs);
  const bounded = spans.filter((s): s is number => s !== undefined);
  const unbounded = spans.some((s) => s === undefined);
  const tail = Math.max(0, ...metrics.map(intervalOf)) || 10_000;
  const spanMs = Math.max(unbounded ? runLength : 0, ...bounded, 0);
  // A bounded run gets one more interval for an error's retry; an unbounded one ends at runLength.
  const lengthMs = Math.max(unbounded ? runLength : 0, bounded.length > 0 ? Math.max(...bounded) + tail : 0);
  const independentStrideMs = unbounded ? Math.max(runLength, lengthMs) : spanMs + tail;
  const strideMs = Math.max(1, input.strideMs ?? independentStrideMs);
  const windows: RunWindow[] = [];
  for (let start = input.from; start + lengthMs <= input.to; start += strideMs) {
    windows.push({ start, end: start + lengthMs });
  }
  return {
    windows,
    spanMs,
    strideMs,
    independentStrideMs,
    independence: Math.min(1, strideMs / independentStrideMs),
  };
}
