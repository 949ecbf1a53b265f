import type { AnalysisRunStatus, AnalysisTemplateSpec, Metric } from '../api/index.ts';
import type { Clock, MetricProvider } from '../ports/index.ts';
import { effectiveCount, isCompleted } from './assessment.ts';
import { measure, type JudgeRunner, type ResolvedArgs } from './measure.ts';
import type { WebRunner } from './web-request.ts';
import {
  dueMeasurements,
  mergeMetrics,
  nextDueAt,
  recordMeasurement,
  startRun,
  terminateRun,
} from './run.ts';
import type { MeasurementOutcome } from './run.ts';

/**
 * Drives one analysis run to its verdict outside the controller: live (on a clock) for
 * `serin analyze`, or replayed over past data (a backtest). Both use the same pure bookkeeping as
 * the controller, so a template behaves the same everywhere.
 */

/** Called after each recorded measurement. */
export type MeasurementListener = (event: {
  readonly metric: Metric;
  readonly outcome: MeasurementOutcome;
  readonly run: AnalysisRunStatus;
}) => void;

/** What both runners need. */
export interface RunnerInput {
  readonly templates: readonly AnalysisTemplateSpec[];
  readonly args: ResolvedArgs;
  readonly provider: MetricProvider;
  readonly namespace?: string;
  readonly judge?: JudgeRunner;
  /** Sends web metrics' requests; without it, a web metric's measurement is an Error. */
  readonly web?: WebRunner;
  readonly onMeasurement?: MeasurementListener;
  readonly runId?: string;
  /** Measurements kept per metric (default 10, as in status); backtests may keep them all. */
  readonly historyLimit?: number;
  /** When the canary started receiving traffic (epoch ms): applies the evidence rule (evidence.ts). */
  readonly trafficSince?: number;
  /** When an earlier revision's canary traffic last ended (epoch ms): the evidence rule's second clause. */
  readonly previousTrafficUntil?: number;
}

function metricsOf(run: AnalysisRunStatus, templates: readonly AnalysisTemplateSpec[]): Metric[] {
  const merged = mergeMetrics(templates);
  return merged.ok ? merged.metrics.filter((m) => run.metrics.some((s) => s.name === m.name)) : [];
}

async function takeDue(
  run: AnalysisRunStatus,
  input: RunnerInput,
  now: number,
  options: { at?: number; finishedAt?: () => number },
): Promise<AnalysisRunStatus> {
  const metrics = metricsOf(run, input.templates);
  const due = dueMeasurements(run, metrics, now);
  const outcomes = await Promise.all(
    due.map(async (name) => {
      const metric = metrics.find((m) => m.name === name) as Metric;
      const outcome = await measure(metric, {
        provider: input.provider,
        args: input.args,
        now,
        ...(options.at === undefined ? {} : { at: options.at }),
        ...(options.finishedAt === undefined ? {} : { finishedAt: options.finishedAt }),
        ...(input.namespace === undefined ? {} : { namespace: input.namespace }),
        ...(input.judge === undefined ? {} : { judge: input.judge }),
        ...(input.web === undefined ? {} : { web: input.web }),
        ...(input.trafficSince === undefined ? {} : { trafficSince: input.trafficSince }),
        ...(input.previousTrafficUntil === undefined
          ? {}
          : { previousTrafficUntil: input.previousTrafficUntil }),
      });
      return { metric, outcome };
    }),
  );
  let current = run;
  for (const { metric, outcome } of outcomes) {
    const before = current;
    current = recordMeasurement(
      current,
      metric,
      outcome,
      input.historyLimit === undefined ? {} : { historyLimit: input.historyLimit },
    );
    if (current !== before) input.onMeasurement?.({ metric, outcome, run: current });
  }
  return current;
}

/** Options of a live run. */
export interface LiveRunInput extends RunnerInput {
  readonly clock: Clock;
  /** Stops the run: running metrics are terminated (Successful unless a limit was exceeded). */
  readonly signal?: AbortSignal;
}

/**
 * Runs the templates live until the run completes or `signal` aborts. Each query is evaluated at
 * the measurement's own time (`time=`), so a later backtest over the same range sees the same data.
 */
export async function runLive(input: LiveRunInput): Promise<AnalysisRunStatus> {
  const { clock, signal } = input;
  let run = startRun({
    runId: input.runId ?? 'analyze',
    kind: 'Step',
    revision: 'cli',
    templates: input.templates,
    now: clock.now(),
  });
  while (!isCompleted(run.phase)) {
    if (signal?.aborted === true) return terminateRun(run, clock.now(), 'stopped');
    const now = clock.now();
    run = await takeDue(run, input, now, { at: now, finishedAt: () => clock.now() });
    const next = nextDueAt(run);
    if (next === undefined) break;
    await clock.sleep(Math.max(0, next - clock.now()), signal);
  }
  return run;
}

/** Options of a backtest. */
export interface BacktestInput extends RunnerInput {
  /** Start of the replay, epoch ms: the run starts here. */
  readonly from: number;
  /** End of the replay, epoch ms: a run still going is terminated here. */
  readonly to: number;
  /** Interval for metrics that define none (one-shot metrics), so they are replayed across the window. */
  readonly stepMs?: number;
}

function withStep(
  templates: readonly AnalysisTemplateSpec[],
  stepMs: number | undefined,
): AnalysisTemplateSpec[] {
  if (stepMs === undefined) return [...templates];
  const interval = `${Math.max(1, Math.round(stepMs))}ms`;
  return templates.map((t) => ({
    ...t,
    metrics: t.metrics.map((m) => (m.interval === undefined ? { ...m, interval, count: m.count ?? 0 } : m)),
  }));
}

// A metric without an end would have run until the rollout finished: end it like the controller
// does. A metric that still had measurements to take leaves the run undecided.
function endOfWindow(
  run: AnalysisRunStatus,
  templates: readonly AnalysisTemplateSpec[],
  to: number,
): AnalysisRunStatus {
  const metrics = metricsOf(run, templates);
  const pending = run.metrics.filter((s) => !isCompleted(s.phase));
  const bounded = pending.filter((s) => {
    const metric = metrics.find((m) => m.name === s.name);
    return metric !== undefined && effectiveCount(metric) !== undefined;
  });
  if (bounded.length === 0) return terminateRun(run, to, 'backtest window ended');
  const names = bounded.map((s) => `"${s.name}"`).join(', ');
  return { ...run, message: `no verdict: the window ended before ${names} took all its measurements` };
}

/**
 * Replays the run over `[from, to]`: every measurement is taken at its scheduled time, with the
 * queries evaluated at that time through Prometheus' `time=` parameter. Returns the run as it
 * would have ended, with `finishedAt` telling when the verdict would have been reached; a run
 * still `Running` means the window ended before a verdict.
 */
export async function runBacktest(input: BacktestInput): Promise<AnalysisRunStatus> {
  const templates = withStep(input.templates, input.stepMs);
  const replay = { ...input, templates };
  let run = startRun({
    runId: input.runId ?? 'backtest',
    kind: 'Step',
    revision: 'backtest',
    templates,
    now: input.from,
  });
  let now = input.from;
  while (!isCompleted(run.phase)) {
    run = await takeDue(run, replay, now, { at: now });
    const next = nextDueAt(run);
    if (next === undefined) break;
    if (next > input.to) return endOfWindow(run, templates, input.to);
    now = Math.max(next, now);
  }
  return run;
}
