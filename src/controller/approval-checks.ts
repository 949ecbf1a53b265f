import { parseKind, type Approval } from '../api/index.ts';
import type { KubeObject } from '../kube/index.ts';
import type { PassDraft } from './act.ts';
import { liveReader } from './cluster-reader.ts';
import type { ReconcilerDeps } from './deps.ts';

/**
 * Approvals the API server stored but serin cannot read: an installed CRD older than the controller
 * (or none) admits anything. Such an Approval is rejected with the field in its reason and never
 * reaches the machine; one that names no Canary, or one that does not exist, is rejected too, so
 * that no decision a person made waits forever without a word (issue 17, the fuzz suite).
 */

/** An Approval for this Canary that does not validate. */
export interface InvalidApproval {
  readonly name: string;
  readonly reason: string;
}

const canaryNameOf = (object: KubeObject): unknown =>
  (object.spec as { canaryRef?: { name?: unknown } } | undefined)?.canaryRef?.name;

const undecided = (object: KubeObject): boolean =>
  (object.status as { phase?: unknown } | undefined)?.phase === undefined;

/** This Canary's Approvals, valid ones apart from the undecided ones that do not validate. */
export function splitApprovals(
  items: readonly KubeObject[],
  canary: string,
): { valid: Approval[]; invalid: InvalidApproval[] } {
  const valid: Approval[] = [];
  const invalid: InvalidApproval[] = [];
  for (const item of items) {
    if (canaryNameOf(item) !== canary) continue;
    const parsed = parseKind('Approval', item);
    if (parsed.ok) valid.push(parsed.value);
    else if (undecided(item)) {
      const issue = parsed.issues[0];
      invalid.push({
        name: item.metadata.name ?? '',
        reason: `invalid spec: ${issue?.path ?? 'spec'}: ${issue?.message ?? 'invalid'}`,
      });
    }
  }
  return { valid, invalid };
}

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
