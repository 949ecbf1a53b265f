import type { ApprovalAction } from '../api/index.ts';
import { event, isoOf } from './context.ts';
import type { ApprovalInput, Effect, MachineContext, MachineEvent } from './types.ts';

/** The approval carried by an event, without the event's own fields. */
export function approvalOf(event: Extract<MachineEvent, { type: 'Approval' }>): ApprovalInput {
  const approval: { -readonly [K in keyof ApprovalInput]: ApprovalInput[K] } = {
    action: event.action,
    revision: event.revision,
    approver: event.approver,
  };
  if (event.step !== undefined) approval.step = event.step;
  if (event.name !== undefined) approval.name = event.name;
  if (event.reason !== undefined) approval.reason = event.reason;
  return approval;
}

/**
 * Why an approval does not concern the rollout under way, or null when it does: it must name the
 * current revision and, when it names a step, the current step.
 */
export function mismatchOf(context: MachineContext, approval: ApprovalInput): string | null {
  if (context.revision === null || approval.revision !== context.revision) {
    return `approval is for revision ${approval.revision}, the canary is at ${context.revision ?? 'none'}`;
  }
  if (approval.step !== undefined && approval.step !== context.stepIndex) {
    // Counted from 1, as `serin status` and `serin get` show steps (spec.step counts from 0).
    return `approval is for step ${approval.step + 1}, the canary is at step ${context.stepIndex + 1}`;
  }
  return null;
}

/** Whether the event is an approval with this action for the rollout under way. */
export function isApproval(context: MachineContext, event: MachineEvent, actions: readonly ApprovalAction[]) {
  if (event.type !== 'Approval' || !actions.includes(event.action)) return false;
  return mismatchOf(context, approvalOf(event)) === null;
}

/** The audit record of an applied approval. */
export function applied(context: MachineContext, event: MachineEvent): Effect[] {
  if (event.type !== 'Approval') return [];
  const approval = approvalOf(event);
  return [{ type: 'recordApproval', approval, result: 'Applied', time: isoOf(context.now) }];
}

/** The audit record and the Warning event of an ignored approval; nothing else happens. */
export function rejected(
  context: MachineContext,
  event: MachineEvent,
  phase: string,
  why?: string,
): Effect[] {
  if (event.type !== 'Approval') return [];
  const approval = approvalOf(event);
  const reason =
    mismatchOf(context, approval) ?? why ?? `${approval.action} does not apply while the canary is ${phase}`;
  return [
    { type: 'recordApproval', approval, result: 'Rejected', reason, time: isoOf(context.now) },
    buildRejectionEvent(approval, reason),
  ];
}

function buildRejectionEvent(approval: ApprovalInput, reason: string): Effect {
  const who = approval.name === undefined ? approval.approver : `${approval.name} by ${approval.approver}`;
  return event('ApprovalRejected', `ignored ${approval.action} (${who}): ${reason}`, 'Warning');
}
