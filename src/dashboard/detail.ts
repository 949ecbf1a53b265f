import type { CanaryStatus } from '../api/index.ts';
import type { KubeObject } from '../kube/index.ts';
import { statusView, type WaitingInput } from '../readmodel/index.ts';
import { actionHints } from './preview.ts';
import type {
  ApprovalItem,
  CanaryDetail,
  Comparison,
  MetricChart,
  MetricPoint,
  Permission,
  Threshold,
} from './api-types.ts';

/** A template metric as far as the page needs it. */
interface TemplateMetric {
  name: string;
  successCondition?: string;
  failureCondition?: string;
  provider?: { prometheus?: unknown; judge?: unknown };
}

/** What the Canary page is built from; the caller reads it all. */
export interface DetailInput {
  readonly canary: KubeObject;
  readonly events: readonly KubeObject[];
  readonly templates: readonly KubeObject[];
  readonly approvals: readonly KubeObject[];
  readonly weightHistory: readonly { t: number; canary: number }[];
  readonly permission: Permission;
  readonly notes: readonly string[];
  readonly now: number;
}

const THRESHOLD = /^\s*result(?:\[0\])?\s*(<=|>=|<|>)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*$/i;

/**
 * The threshold a chart draws, read from a condition of the one-comparison shape the shipped
 * templates use (`result >= 0.99`). A condition of another shape has no line to draw: null.
 */
export function thresholdOf(metric: {
  successCondition?: string | undefined;
  failureCondition?: string | undefined;
}): Threshold | null {
  const conditions = [
    ['success', metric.successCondition],
    ['failure', metric.failureCondition],
  ] as const;
  for (const [from, condition] of conditions) {
    const match = condition === undefined ? null : THRESHOLD.exec(condition);
    if (match !== null) {
      return { op: match[1] as Threshold['op'], value: Number(match[2]), from };
    }
  }
  return null;
}

/** A measured value as a number: the first of a vector; null for none, NaN or an infinity. */
export function numericValue(text: string | undefined): number | null {
  if (text === undefined) return null;
  const first = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?/i.exec(text);
  if (first === null || /^\s*\[?\s*[+-]?(Inf|NaN)/i.test(text)) return null;
  const value = Number(first[0]);
  return Number.isFinite(value) ? value : null;
}

function templateMetrics(templates: readonly KubeObject[]): Map<string, TemplateMetric> {
  const out = new Map<string, TemplateMetric>();
  for (const template of templates) {
    const metrics = (template.spec as { metrics?: TemplateMetric[] } | undefined)?.metrics ?? [];
    for (const metric of metrics) if (!out.has(metric.name)) out.set(metric.name, metric);
  }
  return out;
}

function conditionText(metric: TemplateMetric | undefined): string | null {
  if (metric === undefined) return null;
  const { successCondition: s, failureCondition: f } = metric;
  if (s !== undefined && f !== undefined) return `success: ${s} / failure: ${f}`;
  return s ?? f ?? null;
}

function currentRuns(status: CanaryStatus): NonNullable<CanaryStatus['analysis']> {
  return (status.analysis ?? [])
    .filter((run) => run.revision === status.revision)
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/** Every measurement status still holds for the current revision, grouped by metric, oldest first. */
function metricCharts(status: CanaryStatus, metrics: Map<string, TemplateMetric>): MetricChart[] {
  const points = new Map<string, MetricPoint[]>();
  for (const run of currentRuns(status)) {
    for (const metric of run.metrics) {
      const list = points.get(metric.name) ?? [];
      for (const m of metric.measurements) {
        list.push({
          t: Date.parse(m.finishedAt ?? m.startedAt),
          value: numericValue(m.value),
          phase: m.phase,
          message: m.message ?? '',
        });
      }
      points.set(metric.name, list);
    }
  }
  return [...points].map(([name, list]) => {
    const template = metrics.get(name);
    return {
      metric: name,
      condition: conditionText(template),
      threshold: template === undefined ? null : thresholdOf(template),
      points: list.sort((a, b) => a.t - b.t),
      hasHistory: template?.provider?.prometheus !== undefined,
    };
  });
}

function pick(pattern: RegExp, text: string): string | null {
  return pattern.exec(text)?.[1] ?? null;
}

/** A judge measurement's message (`High: ...; p=1.2e-11 (asymptotic), shift 30, CI [28, 31] (98%)`). */
export function comparisonOf(metric: string, point: MetricPoint): Comparison | null {
  const { message } = point;
  const pValue = pick(/\bp=([^\s,;]+)/, message);
  if (pValue === null) return null;
  const stats = message.slice(message.search(/\bp=/));
  return {
    metric,
    t: point.t,
    phase: point.phase,
    classification: pick(/^(\w+):/, message) ?? point.phase,
    pValue,
    // The statistics follow the p-value; the reason before it may quote an interval too.
    shift: pick(/\bshift ([^\s,;]+)/, stats),
    interval: pick(/\bCI (\[[^\]]*\](?: \([^)]*\))?)/, stats),
    message,
  };
}

function approvalItem(approval: KubeObject): ApprovalItem {
  const spec = approval.spec as { action?: string; approver?: string; reason?: string } | undefined;
  const status = approval.status as { phase?: string; reason?: string } | undefined;
  const phase = status?.phase === 'Applied' || status?.phase === 'Rejected' ? status.phase : 'Pending';
  return {
    name: approval.metadata.name ?? '',
    action: spec?.action ?? '',
    approver: spec?.approver ?? '',
    reason: spec?.reason ?? '',
    created: approval.metadata.creationTimestamp ?? '',
    phase,
    decision: status?.reason ?? '',
  };
}

/** Whether an Approval is about this Canary. */
export function isApprovalFor(approval: KubeObject, name: string): boolean {
  return (approval.spec as { canaryRef?: { name?: string } } | undefined)?.canaryRef?.name === name;
}

/** The Canary page's model. Pure: the caller fetches and passes it all. */
export function canaryDetail(input: DetailInput): CanaryDetail {
  const canary = input.canary as unknown as WaitingInput;
  const name = input.canary.metadata.name ?? '';
  const status: CanaryStatus = canary.status ?? {};
  const screen = statusView({
    canary,
    events: input.events,
    templates: input.templates,
    now: input.now,
    maxEvents: 20,
  });
  const metrics = metricCharts(status, templateMetrics(input.templates));
  const { view } = screen;
  return {
    namespace: input.canary.metadata.namespace ?? '',
    name,
    phase: view.phase,
    phaseText: view.pauseReason === undefined ? view.phase : `${view.phase} (${view.pauseReason})`,
    message: view.message ?? '',
    revision: view.revision ?? '-',
    stableRevision: view.stableRevision ?? '-',
    weights: view.weights,
    waiting: { short: screen.waiting.short, text: screen.waiting.text },
    steps: screen.steps.map((s) => ({ number: s.number, description: s.description, state: s.state })),
    weightHistory: input.weightHistory,
    metrics,
    comparisons: metrics.flatMap((m) =>
      m.points.map((p) => comparisonOf(m.metric, p)).filter((c): c is Comparison => c !== null),
    ),
    approvalHistory: (status.approvals ?? []).map((a) => ({
      name: a.name ?? '',
      action: a.action,
      approver: a.approver,
      time: a.time,
      result: a.result ?? '',
      reason: a.reason ?? '',
    })),
    approvals: input.approvals
      .filter((a) => isApprovalFor(a, name))
      .map(approvalItem)
      .sort((a, b) => b.created.localeCompare(a.created))
      .slice(0, 20),
    events: [...view.events].reverse().map((e) => ({
      time: e.time,
      type: e.type,
      reason: e.reason,
      message: e.message,
      count: e.count,
    })),
    permission: input.permission,
    actions: actionHints(input.canary, input.now),
    notes: input.notes,
  };
}
