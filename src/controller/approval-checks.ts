import type { PassDraft } from './act.ts';
import { liveReader } from './cluster-reader.ts';
import type { ReconcilerDeps } from './deps.ts';
import { canaryNameOf, undecided, type InvalidApproval } from './approval-split.ts';

export { splitApprovals, type InvalidApproval } from './approval-split.ts';

/**
 * Approvals the API server stored but serin cannot read: an installed CRD older than the controller
 * (or none) admits anything. Such an Approval is rejected with the field in its reason and never
 * reaches the machine; one that names no Canary, or one that does not exist, is rejected too, so
 * that no decision a person made waits forever without a word (issue 17, the fuzz suite).
 */

/** Rejects this pass's invalid Approvals: their status and a Warning Event, written with the pass. */
export function rejectInvalid(draft: PassDraft, invalid: readonly InvalidApproval[], now: number): void {
  for (const approval of invalid) {
    draft.approvals.push({
      name: approval.name,
      phase: 'Rejected',
      reason: approval.reason,
      time: new Date(now).toISOString(),
    });
    draft.events.push({
      type: 'Warning',
      reason: 'ApprovalRejected',
      message: `ignored Approval ${approval.name}: ${approval.reason}`,
    });
  }
}

/**
 * A Canary that does not exist: its undecided Approvals are rejected (`spec.canaryRef.name` names
 * nothing), each with a Warning Event on the Approval.
 */
export async function rejectOrphans(
  deps: Pick<ReconcilerDeps, 'client' | 'reader' | 'recorder' | 'signal'>,
  key: { namespace: string; name: string },
  now: number,
): Promise<void> {
  const opts = deps.signal ? { signal: deps.signal } : {};
  // Through the pass's reader: the Controller's answers from its Approvals cache, indexed by Canary.
  const items = await (deps.reader ?? liveReader(deps.client)).approvals(key.namespace, key.name);
  const reason = `Canary "${key.name}" not found in namespace ${key.namespace} (spec.canaryRef.name)`;
  for (const approval of items) {
    if (canaryNameOf(approval) !== key.name || !undecided(approval)) continue;
    const name = approval.metadata.name ?? '';
    await deps.client.mergePatch(
      { apiVersion: 'serin.dev/v1alpha1', kind: 'Approval', namespace: key.namespace, name },
      { status: { phase: 'Rejected', appliedAt: new Date(now).toISOString(), reason } },
      { ...opts, subresource: 'status' },
    );
    await deps.recorder.record(approval, {
      type: 'Warning',
      reason: 'ApprovalRejected',
      message: `ignored Approval ${name}: ${reason}`,
    });
  }
}
