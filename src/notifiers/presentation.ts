import type { NotificationEvent } from '../api/notifications.ts';
import type { MetricFinding, Notification } from '../ports/index.ts';

/** How a message should look: good news, something to look at, or a failure. */
export type Tone = 'good' | 'attention' | 'bad';

const TONES: Record<NotificationEvent, Tone> = {
  Progressing: 'good',
  StepCompleted: 'good',
  WaitingForApproval: 'attention',
  Promoted: 'good',
  Aborted: 'bad',
  AnalysisFailed: 'bad',
  AnalysisInconclusive: 'attention',
  Stalled: 'bad',
  ApprovalApplied: 'good',
  ApprovalRejected: 'attention',
};

const TITLES: Record<NotificationEvent, string> = {
  Progressing: 'rollout started',
  StepCompleted: 'step completed',
  WaitingForApproval: 'waiting for approval',
  Promoted: 'promoted',
  Aborted: 'rolled back',
  AnalysisFailed: 'analysis failed',
  AnalysisInconclusive: 'analysis inconclusive',
  Stalled: 'stalled',
  ApprovalApplied: 'approval applied',
  ApprovalRejected: 'approval rejected',
};

export function toneOf(event: NotificationEvent): Tone {
  return TONES[event];
}

/** `Canary shop/podinfo rolled back`: the one line every format starts with. */
export function titleOf(notification: Notification): string {
  const { name, namespace } = notification.canary;
  return `Canary ${namespace}/${name} ${TITLES[notification.event]}`;
}

/** The facts every format shows, in order, as label and text. */
export function factsOf(notification: Notification): [string, string][] {
  const facts: [string, string][] = [
    ['Canary', notification.canary.name],
    ['Namespace', notification.canary.namespace],
    ['Revision', notification.revision ?? '-'],
    ['Phase', notification.phase],
  ];
  if (notification.step !== undefined)
    facts.push(['Step', `${notification.step.number} of ${notification.step.total}`]);
  facts.push([
    'Weights',
    `primary ${notification.weights.primary}% / canary ${notification.weights.canary}%`,
  ]);
  return facts;
}

/** `success-rate Failed: 0.81 (failure when result < 0.99)`: a metric's value against its conditions. */
export function metricLine(metric: MetricFinding): string {
  const conditions = [
    metric.successCondition === undefined ? undefined : `success when ${metric.successCondition}`,
    metric.failureCondition === undefined ? undefined : `failure when ${metric.failureCondition}`,
  ].filter((text) => text !== undefined);
  const value = metric.value === undefined ? 'no value' : metric.value;
  const against = conditions.length === 0 ? '' : ` (${conditions.join('; ')})`;
  const message = metric.message === undefined ? '' : ` — ${metric.message}`;
  return `${metric.name} ${metric.phase}: ${value}${against}${message}`;
}

/** `Promote by alice: Applied (reason: looks good)`. */
export function approvalLine(notification: Notification): string | undefined {
  const approval = notification.approval;
  if (approval === undefined) return undefined;
  const reason = approval.reason === undefined ? '' : ` — reason: ${approval.reason}`;
  const name = approval.name === undefined ? '' : ` (Approval ${approval.name})`;
  return `${approval.action} by ${approval.approver}: ${approval.result}${reason}${name}`;
}
