import { JUDGE_DEFAULT_CONDITION } from '../analysis/index.ts';
import { JudgeScoring, type AnalysisRunStatus, type CanaryStep, type MetricStatus } from '../api/index.ts';
import type {
  AnalysisView,
  CanaryLike,
  CanaryView,
  EventLike,
  EventView,
  JudgeLike,
  MetricView,
  StepView,
  TemplateLike,
  TemplateRefLike,
} from './types.ts';

/** What {@link canaryView} reads. */
export interface CanaryViewInput {
  readonly canary: CanaryLike;
  /** Events of the Canary's namespace; those about other objects are ignored. */
  readonly events?: readonly EventLike[];
  /** Templates the analyses use, to show each measurement next to its condition. */
  readonly templates?: readonly TemplateLike[];
  /** How many of the newest Events to keep (default 5). */
  readonly maxEvents?: number;
}

/** Describes one rollout step the way a person would say it. */
export function describeStep(step: CanaryStep): string {
  if ('setWeight' in step) return `set weight ${step.setWeight}%`;
  if ('pause' in step) {
    return step.pause.duration === undefined ? 'wait for approval' : `pause ${step.pause.duration}`;
  }
  return `analysis ${step.analysis.templates.map(refName).join(', ')}`;
}

function refName(ref: TemplateRefLike): string {
  return ref.templateName ?? ref.clusterTemplateName ?? '?';
}

function stepView(canary: CanaryLike): StepView | undefined {
  const index = canary.status?.currentStepIndex;
  const total = canary.spec.steps.length;
  if (index === undefined || index < 0 || index >= total) return undefined;
  const step = canary.spec.steps[index];
  return step === undefined ? undefined : { number: index + 1, total, description: describeStep(step) };
}

/** The newest run of the current revision: older revisions' results would mislead. */
function currentRun(canary: CanaryLike): AnalysisRunStatus | undefined {
  const revision = canary.status?.revision;
  const runs = (canary.status?.analysis ?? []).filter((run) => run.revision === revision);
  return runs.reduce<AnalysisRunStatus | undefined>(
    (newest, run) => (newest === undefined || run.startedAt >= newest.startedAt ? run : newest),
    undefined,
  );
}

/** The templates a run uses: the step's, or the background analysis's. */
function templatesOf(canary: CanaryLike, run: AnalysisRunStatus): readonly string[] | undefined {
  if (run.kind === 'Background') return canary.spec.analysis?.templates.map(refName);
  const step = run.step === undefined ? undefined : canary.spec.steps[run.step];
  return step !== undefined && 'analysis' in step ? step.analysis.templates.map(refName) : undefined;
}

function conditionOf(metric: string, templates: readonly TemplateLike[]): string | undefined {
  for (const template of templates) {
    const found = template.spec?.metrics?.find((m) => m.name === metric);
    if (found === undefined) continue;
    const { successCondition: success, failureCondition: failure } = found;
    const judge = found.provider?.judge;
    if (judge?.comparisons !== undefined) return scoringOf(judge);
    if (success !== undefined && failure !== undefined) return `success: ${success} / failure: ${failure}`;
    if (judge !== undefined && failure === undefined) return success ?? JUDGE_DEFAULT_CONDITION;
    if (success !== undefined) return success;
    return failure === undefined ? undefined : `fails if ${failure}`;
  }
  return undefined;
}

// The score's thresholds, with the schema's defaults filled in.
function scoringOf(judge: JudgeLike): string {
  const parsed = JudgeScoring.safeParse(judge.scoring ?? {});
  if (!parsed.success) return 'score (invalid scoring)';
  return `score >= ${parsed.data.pass} (Inconclusive from ${parsed.data.marginal})`;
}

function metricView(metric: MetricStatus, templates: readonly TemplateLike[]): MetricView {
  const latest = metric.measurements.at(-1);
  return {
    name: metric.name,
    phase: metric.phase,
    condition: conditionOf(metric.name, templates),
    latest:
      latest === undefined
        ? undefined
        : {
            phase: latest.phase,
            value: latest.value,
            message: latest.message,
            startedAt: latest.startedAt,
          },
    count: metric.count,
    failed: metric.failed,
  };
}

function analysisView(canary: CanaryLike, templates: readonly TemplateLike[]): AnalysisView | undefined {
  const run = currentRun(canary);
  return run === undefined ? undefined : runView(canary, run, templates);
}

/** One analysis run as shown, each metric next to the condition its template gives it. */
export function runView(
  canary: CanaryLike,
  run: AnalysisRunStatus,
  templates: readonly TemplateLike[],
): AnalysisView {
  const names = templatesOf(canary, run);
  // Prefer the run's own templates; a metric name can repeat across unrelated templates.
  const own = names === undefined ? [] : templates.filter((t) => names.includes(t.metadata.name ?? ''));
  const searched = [...own, ...templates];
  return {
    runId: run.runId,
    kind: run.kind,
    phase: run.phase,
    message: run.message,
    metrics: run.metrics.map((metric) => metricView(metric, searched)),
  };
}

function eventTime(event: EventLike): string {
  return event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? '';
}

function eventViews(canary: CanaryLike, events: readonly EventLike[], max: number): EventView[] {
  const name = canary.metadata.name;
  return events
    .filter((event) => event.involvedObject?.kind === 'Canary' && event.involvedObject.name === name)
    .map((event) => ({
      id: event.metadata?.name ?? `${event.reason ?? ''}/${event.message ?? ''}`,
      time: eventTime(event),
      type: event.type ?? 'Normal',
      reason: event.reason ?? '',
      message: event.message ?? '',
      count: event.count ?? 1,
    }))
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0))
    .slice(-max);
}

/** Builds what a person sees about one Canary from the Canary, its Events and its templates. */
export function canaryView(input: CanaryViewInput): CanaryView {
  const { canary } = input;
  const status = canary.status;
  const canaryWeight = Math.min(100, Math.max(0, status?.canaryWeight ?? 0));
  return {
    name: canary.metadata.name ?? '',
    namespace: canary.metadata.namespace,
    phase: status?.phase ?? 'Unknown',
    pauseReason: status?.phase === 'Paused' ? status.pauseReason : undefined,
    message: status?.message,
    revision: status?.revision,
    stableRevision: status?.stableRevision,
    step: stepView(canary),
    weights: { primary: 100 - canaryWeight, canary: canaryWeight },
    analysis: analysisView(canary, input.templates ?? []),
    events: eventViews(canary, input.events ?? [], input.maxEvents ?? 5),
  };
}
