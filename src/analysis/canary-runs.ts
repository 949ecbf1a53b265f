import type { AnalysisRunStatus, AnalysisTemplateSpec, Canary, Metric, MetricStatus } from '../api/index.ts';
import type { CanaryEvent } from '../machine/index.ts';
import type { MetricProvider, SecretReader } from '../ports/index.ts';
import { builtinArgsFor, resolveArgs } from './args.ts';
import { dedupingProvider } from './instant-query.ts';
import { measure, type JudgeRunner } from './measure.ts';
import type { WebRunner } from './web-request.ts';
import { dueMeasurements, mergeMetrics, nextDueAt, recordMeasurement } from './run.ts';
import { analysisRefOf, resolveTemplates } from './template-refs.ts';

/**
 * A Canary's analysis runs, pass by pass: take the due measurements of the runs the machine waits
 * for, and turn finished runs into the machine's verdict events. The controller's reconcile pass
 * and `serin replay` both drive runs through these, so a replay measures exactly as the
 * controller would have.
 */

/** What measuring needs from outside the pass. */
export interface AnalysisDeps {
  readonly provider: MetricProvider;
  readonly secrets?: SecretReader;
  readonly judge?: JudgeRunner;
  /** Sends web metrics' requests; without it, a web metric's measurement is an Error. */
  readonly web?: WebRunner;
  /** Called per measurement, for the controller's own metrics. */
  readonly onMeasurement?: (metric: string, phase: string, timing: MeasurementTiming) => void;
  /** Aborts queries not yet answered (the pass lost its lease); they come back as errors. */
  readonly signal?: AbortSignal;
}

/**
 * When a measurement was due and when it started (epoch ms); `startedAt - dueAt` is its lateness.
 * Due is the metric's `nextMeasurementAt`: the run start plus initialDelay for the first one.
 */
export interface MeasurementTiming {
  readonly dueAt: number;
  readonly startedAt: number;
}

export interface MeasureRunsInput {
  readonly canary: Canary;
  readonly runs: readonly AnalysisRunStatus[];
  /** Runs the machine is waiting for; only these are measured. */
  readonly activeRunIds: readonly string[];
  readonly templates: ReadonlyMap<string, AnalysisTemplateSpec | undefined>;
  readonly now: number;
  readonly clock: () => number;
  /** Since when the canary has had traffic (epoch ms), for the evidence rule; undefined at weight 0. */
  readonly trafficSince?: number;
  /** When an earlier revision's canary traffic last ended (epoch ms), for the evidence rule. */
  readonly previousTrafficUntil?: number;
}

async function measureRun(
  run: AnalysisRunStatus,
  input: MeasureRunsInput,
  deps: AnalysisDeps,
  provider: MetricProvider,
): Promise<AnalysisRunStatus> {
  const ref = analysisRefOf(input.canary, run);
  const specs = ref && resolveTemplates(ref, input.templates);
  if (!ref || !specs) return run;
  const merged = mergeMetrics(specs);
  if (!merged.ok) return run;
  const due = dueMeasurements(run, merged.metrics, input.now);
  if (due.length === 0) return run;
  const args = await resolveArgs({
    templates: specs,
    ...(ref.args ? { supplied: ref.args } : {}),
    builtins: builtinArgsFor(input.canary, run.revision),
    ...(deps.secrets ? { secrets: deps.secrets } : {}),
    namespace: input.canary.metadata.namespace ?? 'default',
  });
  const dueAt = new Map(run.metrics.map((status) => [status.name, dueTime(status, input.now)] as const));
  const byName = new Map(merged.metrics.map((metric) => [metric.name, metric] as const));
  const metrics = due
    .map((name) => byName.get(name))
    .filter((metric): metric is Metric => metric !== undefined);
  const outcomes = await Promise.all(
    metrics.map(async (metric) => {
      if (!args.ok) {
        return {
          metric,
          outcome: {
            phase: 'Error' as const,
            message: args.error,
            startedAt: input.now,
            finishedAt: input.now,
          },
        };
      }
      const outcome = await measure(metric, {
        provider,
        args: args.args,
        now: input.now,
        finishedAt: input.clock,
        namespace: input.canary.metadata.namespace ?? 'default',
        ...(deps.judge ? { judge: deps.judge } : {}),
        ...(deps.web ? { web: deps.web } : {}),
        ...(deps.signal ? { signal: deps.signal } : {}),
        ...(input.trafficSince === undefined ? {} : { trafficSince: input.trafficSince }),
        ...(input.previousTrafficUntil === undefined
          ? {}
          : { previousTrafficUntil: input.previousTrafficUntil }),
      });
      return { metric, outcome };
    }),
  );
  let next = run;
  for (const { metric, outcome } of outcomes) {
    deps.onMeasurement?.(metric.name, outcome.phase, {
      dueAt: dueAt.get(metric.name) ?? outcome.startedAt,
      startedAt: outcome.startedAt,
    });
    next = recordMeasurement(next, metric, outcome);
  }
  return next;
}

function dueTime(status: MetricStatus, now: number): number {
  const due = status.nextMeasurementAt === undefined ? NaN : Date.parse(status.nextMeasurementAt);
  return Number.isNaN(due) ? now : due;
}

/** Takes every due measurement of the active runs. Runs that are not active are returned as they are. */
export async function measureRuns(input: MeasureRunsInput, deps: AnalysisDeps): Promise<AnalysisRunStatus[]> {
  const provider = dedupingProvider(deps.provider);
  return Promise.all(
    input.runs.map((run) =>
      input.activeRunIds.includes(run.runId) ? measureRun(run, input, deps, provider) : Promise.resolve(run),
    ),
  );
}

const VERDICTS = new Set(['Successful', 'Failed', 'Inconclusive', 'Error']);

/**
 * The verdicts of finished runs the machine is still waiting for. Level-triggered: a verdict is
 * delivered on every pass until the machine stops waiting for the run.
 */
export function verdictEvents(input: {
  readonly canary: Canary;
  readonly runs: readonly AnalysisRunStatus[];
  readonly activeRunIds: readonly string[];
  readonly templates: ReadonlyMap<string, AnalysisTemplateSpec | undefined>;
  readonly now: number;
}): CanaryEvent[] {
  const events: CanaryEvent[] = [];
  for (const run of input.runs) {
    if (!input.activeRunIds.includes(run.runId) || !VERDICTS.has(run.phase)) continue;
    const verdict = run.phase as 'Successful' | 'Failed' | 'Inconclusive' | 'Error';
    const message = verdictMessage(run, input);
    events.push({
      type: run.kind === 'Background' ? 'BackgroundAnalysisVerdict' : 'AnalysisVerdict',
      runId: run.runId,
      verdict,
      onError: onErrorOf(run, input),
      now: input.now,
      ...(message === undefined ? {} : { message }),
    });
  }
  return events;
}

function metricsOf(
  run: AnalysisRunStatus,
  input: { canary: Canary; templates: ReadonlyMap<string, AnalysisTemplateSpec | undefined> },
): Metric[] {
  const ref = analysisRefOf(input.canary, run);
  const specs = ref && resolveTemplates(ref, input.templates);
  return specs ? specs.flatMap((spec) => spec.metrics) : [];
}

/**
 * What on-call reads: the metric that decided, its last value against the condition, and the limit
 * it crossed, e.g. `success-rate Failed: 0.81 (successCondition: result >= 0.95); failed (1) > failureLimit (0)`.
 */
function verdictMessage(
  run: AnalysisRunStatus,
  input: { canary: Canary; templates: ReadonlyMap<string, AnalysisTemplateSpec | undefined> },
): string | undefined {
  const culprit = run.metrics.find((m) => m.dryRun !== true && m.phase === run.phase);
  if (!culprit || run.phase === 'Successful') return run.message;
  const metric = metricsOf(run, input).find((m) => m.name === culprit.name);
  const last = culprit.measurements.at(-1);
  const condition = metric?.successCondition
    ? `successCondition: ${metric.successCondition}`
    : metric?.failureCondition
      ? `failureCondition: ${metric.failureCondition}`
      : undefined;
  const measured = last ? [last.value ?? last.phase, condition].filter((part) => part !== undefined) : [];
  const detail = [
    measured.length > 0 ? `${measured[0] ?? ''}${measured[1] ? ` (${measured[1]})` : ''}` : undefined,
    last?.message,
    culprit.message,
  ]
    .filter((part, index, all) => part !== undefined && part !== '' && all.indexOf(part) === index)
    .join('; ');
  return `${culprit.name} ${run.phase}: ${detail}`;
}

/** An Error verdict pauses only when every metric that errored asks for it; otherwise it aborts. */
function onErrorOf(
  run: AnalysisRunStatus,
  input: { canary: Canary; templates: ReadonlyMap<string, AnalysisTemplateSpec | undefined> },
): 'Abort' | 'Pause' {
  const metrics = metricsOf(run, input);
  const errored = run.metrics.filter((m) => m.phase === 'Error' && m.dryRun !== true);
  if (errored.length === 0) return 'Abort';
  const pauses = errored.every(
    (status) => metrics.find((metric) => metric.name === status.name)?.onError === 'Pause',
  );
  return pauses ? 'Pause' : 'Abort';
}

/** When the next measurement of any active run is due (epoch ms). */
export function nextMeasurementAt(
  runs: readonly AnalysisRunStatus[],
  activeRunIds: readonly string[],
): number | undefined {
  const times = runs
    .filter((run) => activeRunIds.includes(run.runId))
    .map(nextDueAt)
    .filter((at) => at !== undefined);
  return times.length === 0 ? undefined : Math.min(...times);
}
