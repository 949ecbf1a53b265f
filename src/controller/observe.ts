import type { Approval, ApprovalRecord, Canary } from '../api/index.ts';
import type { CanaryEvent, MachineStatus } from '../machine/index.ts';
import type { ReconcileContext } from './gather.ts';
import { currentRevision } from './references.ts';
import { REVISION_ANNOTATION, isDeploymentReady } from './workloads.ts';

const ROLLOUT_PHASES = new Set(['Progressing', 'Paused']);

/** Approvals for this Canary that have not been applied or rejected yet, oldest first. */
export function pendingApprovals(
  approvals: readonly Approval[],
  recorded: readonly ApprovalRecord[] | undefined,
): Approval[] {
  // An Approval already in the Canary's audit trail was decided even if writing its own status failed.
  const decided = new Set((recorded ?? []).map((record) => record.name).filter((name) => name !== undefined));
  return approvals
    .filter((approval) => approval.status?.phase === undefined && !decided.has(approval.metadata.name ?? ''))
    .sort(
      (a, b) =>
        (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
        (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
    );
}

function approvalEvent(approval: Approval, now: number): CanaryEvent {
  const { action, revision, step, approver, reason } = approval.spec;
  return {
    type: 'Approval',
    action,
    revision,
    approver,
    now,
    ...(step === undefined ? {} : { step }),
    ...(reason === undefined ? {} : { reason }),
    ...(approval.metadata.name === undefined ? {} : { name: approval.metadata.name }),
  };
}

function specEvents(canary: Canary, machine: MachineStatus, now: number): CanaryEvent[] {
  const events: CanaryEvent[] = [];
  const generation = canary.metadata.generation;
  const observed = canary.status?.observedGeneration;
  if (generation !== undefined && observed !== undefined && generation !== observed) {
    events.push({ type: 'SpecChanged', now });
  }
  if (canary.spec.suspend !== machine.suspended) {
    events.push({ type: canary.spec.suspend ? 'Suspend' : 'Unsuspend', now });
  }
  return events;
}

/** Readiness of the primary (while initializing or promoting) and of the canary (during a rollout). */
function workloadEvents(
  ctx: ReconcileContext,
  machine: MachineStatus,
  revision: string,
  now: number,
): CanaryEvent[] {
  const events: CanaryEvent[] = [];
  const primaryRevision = ctx.primary?.metadata.annotations?.[REVISION_ANNOTATION];
  const primaryReady = ctx.primary !== undefined && isDeploymentReady(ctx.primary);
  const awaitedPrimary = machine.phase === 'Initializing' ? primaryRevision : machine.revision;
  const awaitsPrimary = machine.phase === 'Initializing' || machine.phase === 'Promoting';
  if (awaitsPrimary && primaryReady && primaryRevision !== undefined && primaryRevision === awaitedPrimary) {
    events.push({ type: 'PrimaryReady', revision: primaryRevision, now });
  }
  if (ctx.target && ROLLOUT_PHASES.has(machine.phase) && revision === machine.revision) {
    events.push({ type: isDeploymentReady(ctx.target) ? 'CanaryReady' : 'CanaryNotReady', revision, now });
  }
  return events;
}

/**
 * The events that describe the world as this pass sees it, in the order the machine takes them.
 * Analysis verdicts and the closing Tick are added by the pass itself.
 */
export function observe(input: {
  readonly canary: Canary;
  readonly ctx: ReconcileContext;
  readonly machine: MachineStatus;
  readonly now: number;
}): CanaryEvent[] {
  const { canary, ctx, machine, now } = input;
  if (!ctx.target) return [];
  const revision = currentRevision(ctx.target, ctx.refs);
  const events = specEvents(canary, machine, now);
  if (machine.phase === 'Initializing') return [...events, ...workloadEvents(ctx, machine, revision, now)];
  const known = machine.revision ?? machine.stableRevision;
  if (revision !== known && revision !== machine.pendingRevision)
    events.push({ type: 'NewRevision', revision, now });
  events.push(...workloadEvents(ctx, machine, revision, now));
  for (const approval of pendingApprovals(ctx.approvals, canary.status?.approvals)) {
    events.push(approvalEvent(approval, now));
  }
  return events;
}
