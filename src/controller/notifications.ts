import type {
  AnalysisRunStatus,
  AnalysisTemplateSpec,
  ApprovalRecord,
  Canary,
  CanaryStatus,
} from '../api/index.ts';
import {
  NOTIFICATION_LIMITS,
  eventsOf,
  type CanaryNotifications,
  type NotificationEvent,
} from '../api/notifications.ts';
import type { MetricFinding, Notification } from '../ports/index.ts';
import type { PendingEvent } from './act.ts';

/** What a pass knows when it commits: the status before and after, and what the machine said. */
export interface PassFacts {
  readonly canary: Canary;
  readonly before: CanaryStatus | undefined;
  readonly after: CanaryStatus;
  /** The machine's `notify` effects of this pass, in order. */
  readonly notices: readonly { readonly kind: string; readonly message: string }[];
  readonly events: readonly PendingEvent[];
  readonly templates: ReadonlyMap<string, AnalysisTemplateSpec | undefined>;
  readonly now: number;
}

/** A notification before it is stamped with the Canary's facts: the event and what is particular to it. */
interface Draft {
  readonly event: NotificationEvent;
  readonly message: string;
  /** The step counted from 0, when the event belongs to one. */
  readonly stepIndex?: number;
  /** What tells two events of the same kind at the same step apart (an Approval's name, a reason). */
  readonly discriminator?: string;
  readonly metrics?: readonly MetricFinding[];
  readonly approval?: Notification['approval'];
}

const TERMINAL = new Set(['Successful', 'Failed', 'Inconclusive', 'Error']);

function rolloutOf(status: CanaryStatus | undefined): number {
  const value = status?.machine?.context.rollout;
  return typeof value === 'number' ? value : 0;
}

/** The metric's conditions, from whichever template of the Canary defines a metric of that name. */
function conditionsOf(
  templates: PassFacts['templates'],
  name: string,
): Pick<MetricFinding, 'successCondition' | 'failureCondition'> {
  for (const spec of templates.values()) {
    const metric = spec?.metrics.find((m) => m.name === name);
    if (metric)
      return {
        ...(metric.successCondition === undefined ? {} : { successCondition: metric.successCondition }),
        ...(metric.failureCondition === undefined ? {} : { failureCondition: metric.failureCondition }),
      };
  }
  return {};
}

/** Runs that reached a verdict in this pass (terminal now, not before), stopped runs left out. */
function concludedRuns(facts: PassFacts): AnalysisRunStatus[] {
  const before = new Map((facts.before?.analysis ?? []).map((run) => [run.runId, run.phase]));
  return (facts.after.analysis ?? []).filter(
    (run) =>
      TERMINAL.has(run.phase) &&
      before.get(run.runId) !== run.phase &&
      run.message !== 'stopped by the rollout' &&
      run.metrics.length > 0,
  );
}

/** The metrics that decided: those of runs concluded in this pass, the failing ones when any failed. */
function findingsOf(facts: PassFacts, good: boolean): MetricFinding[] {
  const runs = concludedRuns(facts).filter((run) => (run.phase === 'Successful') === good);
  const metrics = runs.flatMap((run) => run.metrics);
  const deciding = good ? metrics : metrics.filter((m) => m.phase !== 'Successful');
  return (deciding.length === 0 ? metrics : deciding).map((metric) => {
    const last = metric.measurements.at(-1);
    const message = metric.message ?? last?.message;
    return {
      name: metric.name,
      phase: metric.phase,
      ...(last?.value === undefined ? {} : { value: last.value }),
      ...conditionsOf(facts.templates, metric.name),
      ...(message === undefined ? {} : { message }),
    };
  });
}

/** The machine's notify kinds as the events people subscribe to; undefined: not announced. */
function fromNotice(facts: PassFacts, notice: { kind: string; message: string }): Draft | undefined {
  const stepIndex = facts.after.currentStepIndex ?? facts.before?.currentStepIndex;
  const at = stepIndex === undefined ? {} : { stepIndex };
  switch (notice.kind) {
    case 'RolloutStarted':
      return { event: 'Progressing', message: notice.message, stepIndex: 0 };
    case 'WaitingForApproval':
      return { event: 'WaitingForApproval', message: notice.message, ...at };
    case 'Succeeded':
      return { event: 'Promoted', message: notice.message, metrics: findingsOf(facts, true) };
    case 'Aborted':
    case 'Failed':
      return { event: 'Aborted', message: notice.message, ...at, metrics: findingsOf(facts, false) };
    case 'Paused':
      return fromPause(facts, notice.message, at);
    default:
      // Promoting, and kinds this controller does not know yet, are not announced.
      return undefined;
  }
}

function fromPause(facts: PassFacts, message: string, at: { stepIndex?: number }): Draft | undefined {
  switch (facts.after.pauseReason) {
    case 'AnalysisFailed':
    case 'AnalysisError':
      return { event: 'AnalysisFailed', message, ...at, metrics: findingsOf(facts, false) };
    case 'InconclusiveAnalysis':
      return { event: 'AnalysisInconclusive', message, ...at, metrics: findingsOf(facts, false) };
    case 'Manual':
    case undefined:
      // A Manual pause comes from an Approval (Pause): ApprovalApplied says so.
      return undefined;
  }
}

/** Steps finished in this pass: the step index moved on within one rollout, or the rollout reached promotion. */
function completedSteps(facts: PassFacts): Draft[] {
  const { before, after } = facts;
  if (before?.revision === undefined || before.revision !== after.revision) return [];
  if (rolloutOf(before) !== rolloutOf(after)) return [];
  const from = before.currentStepIndex;
  if (from === undefined || (before.phase !== 'Progressing' && before.phase !== 'Paused')) return [];
  const total = facts.canary.spec.steps.length;
  const promoted = after.phase === 'Promoting' || after.phase === 'Succeeded';
  const to = promoted ? total : (after.currentStepIndex ?? from);
  const drafts: Draft[] = [];
  const metrics = findingsOf(facts, true);
  for (let index = from; index < Math.min(to, total); index++) {
    drafts.push({
      event: 'StepCompleted',
      message: `${after.revision ?? ''} step ${index + 1} of ${total} completed`,
      stepIndex: index,
      ...(index === to - 1 && metrics.length > 0 ? { metrics } : {}),
    });
  }
  return drafts;
}

function approvalKey(record: ApprovalRecord): string {
  return JSON.stringify([record.name, record.approver, record.action, record.revision, record.time]);
}

/** Approvals the machine decided in this pass: records in status that were not there before. */
function decidedApprovals(facts: PassFacts): Draft[] {
  const seen = new Set((facts.before?.approvals ?? []).map(approvalKey));
  return (facts.after.approvals ?? [])
    .filter((record) => !seen.has(approvalKey(record)))
    .map((record) => {
      const applied = record.result !== 'Rejected';
      const reason = record.reason === undefined ? '' : `: ${record.reason}`;
      return {
        event: applied ? 'ApprovalApplied' : 'ApprovalRejected',
        message: `${record.action} by ${record.approver} ${applied ? 'applied' : 'rejected'} for ${record.revision}${reason}`,
        ...(record.step === undefined ? {} : { stepIndex: record.step }),
        discriminator: record.name ?? record.time,
        approval: {
          approver: record.approver,
          action: record.action,
          result: applied ? 'Applied' : 'Rejected',
          ...(record.name === undefined ? {} : { name: record.name }),
          ...(record.reason === undefined ? {} : { reason: record.reason }),
        },
      } satisfies Draft;
    });
}

function stalledFromEvents(facts: PassFacts): Draft[] {
  return facts.events
    .filter((event) => event.reason === 'InitializationStalled')
    .map((event) => ({ event: 'Stalled', message: event.message, discriminator: event.reason }));
}

/** What a person can run now: the exact CLI commands for the rollout's wait. */
function commandsFor(event: NotificationEvent, canary: Canary): string[] {
  const target = `${canary.metadata.name} -n ${canary.metadata.namespace ?? 'default'}`;
  switch (event) {
    case 'WaitingForApproval':
    case 'AnalysisInconclusive':
      return [`serin promote ${target}`, `serin abort ${target}`];
    case 'AnalysisFailed':
      return [`serin retry ${target}`, `serin abort ${target}`];
    case 'Progressing':
    case 'StepCompleted':
    case 'Promoted':
    case 'Aborted':
    case 'Stalled':
    case 'ApprovalApplied':
    case 'ApprovalRejected':
      return [];
  }
}

/** The dedup key: (event, revision and its rollout serial, step or what else tells the event apart). */
export function notificationKey(
  draft: Pick<Draft, 'event' | 'stepIndex' | 'discriminator'>,
  revision: string | undefined,
  rollout: number,
): string {
  const step = draft.stepIndex === undefined ? '-' : String(draft.stepIndex + 1);
  const extra = draft.discriminator === undefined ? '' : `:${draft.discriminator}`;
  return `${draft.event}/${revision ?? '-'}#${rollout}/${step}${extra}`;
}

function stamp(facts: PassFacts, draft: Draft): Notification {
  const { canary, after } = facts;
  const revision = after.revision ?? facts.before?.revision;
  const canaryWeight = after.canaryWeight ?? 0;
  const total = canary.spec.steps.length;
  return {
    id: notificationKey(draft, revision, rolloutOf(after)),
    event: draft.event,
    time: new Date(facts.now).toISOString(),
    canary: { name: canary.metadata.name, namespace: canary.metadata.namespace ?? 'default' },
    ...(revision === undefined ? {} : { revision }),
    phase: after.phase ?? 'Initializing',
    ...(draft.stepIndex === undefined || draft.stepIndex >= total
      ? {}
      : { step: { number: draft.stepIndex + 1, total } }),
    weights: { primary: 100 - canaryWeight, canary: canaryWeight },
    message: draft.message,
    metrics: draft.metrics ?? [],
    ...(draft.approval === undefined ? {} : { approval: draft.approval }),
    commands: commandsFor(draft.event, canary),
  };
}

/** The events at least one of the Canary's receivers is told about. */
export function subscribedEvents(spec: CanaryNotifications): Set<NotificationEvent> {
  return new Set(spec.receivers.flatMap((subscription) => eventsOf(spec, subscription)));
}

/**
 * Everything worth telling about a pass, in the order it happened: approvals first (they caused
 * what follows), then completed steps, then the machine's own notices.
 */
export function passNotifications(facts: PassFacts): Notification[] {
  const drafts = [
    ...decidedApprovals(facts),
    ...completedSteps(facts),
    ...facts.notices.map((notice) => fromNotice(facts, notice)).filter((d) => d !== undefined),
    ...stalledFromEvents(facts),
  ];
  return drafts.map((draft) => stamp(facts, draft));
}

/** A Stalled notification for a problem a person must fix (writeProblem with stalled: true). */
export function stalledNotification(
  canary: Canary,
  status: CanaryStatus,
  problem: { reason: string; message: string },
  now: number,
): Notification {
  return stamp(
    { canary, before: status, after: status, notices: [], events: [], templates: new Map(), now },
    { event: 'Stalled', message: problem.message, discriminator: problem.reason },
  );
}

/**
 * Keeps the notifications the Canary subscribes to and has not sent yet, and the status that
 * records them as sent (the newest keys, bounded). The keys go out in the pass's one status patch:
 * a pass whose patch fails is decided again and notifies then; one whose patch succeeded never
 * notifies again, even from another controller process.
 */
export function dedupe(
  spec: CanaryNotifications | undefined,
  status: CanaryStatus,
  notifications: readonly Notification[],
): { fresh: Notification[]; status: CanaryStatus } {
  if (spec === undefined || notifications.length === 0) return { fresh: [], status };
  const wanted = subscribedEvents(spec);
  const sent = status.notifications?.sent ?? [];
  const known = new Set(sent);
  const fresh: Notification[] = [];
  for (const notification of notifications) {
    if (!wanted.has(notification.event) || known.has(notification.id)) continue;
    known.add(notification.id);
    fresh.push(notification);
  }
  if (fresh.length === 0) return { fresh, status };
  const keys = [...sent, ...fresh.map((n) => n.id)].slice(-NOTIFICATION_LIMITS.sentKeys);
  return { fresh, status: { ...status, notifications: { ...status.notifications, sent: keys } } };
}
