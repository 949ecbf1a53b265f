import { parseKind, type Approval } from '../api/index.ts';
import type { KubeObject } from '../kube/index.ts';

/**
 * Which of a Canary's Approvals serin can read (src/controller/approval-checks.ts rejects the
 * others). Apart from approval-checks.ts so that gather.ts needs nothing of a pass's draft.
 */

/** An Approval for this Canary that does not validate. */
export interface InvalidApproval {
  readonly name: string;
  readonly reason: string;
}

export const canaryNameOf = (object: KubeObject): unknown =>
  (object.spec as { canaryRef?: { name?: unknown } } | undefined)?.canaryRef?.name;

export const undecided = (object: KubeObject): boolean =>
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
