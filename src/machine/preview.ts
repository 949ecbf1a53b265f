import type { CanarySpec } from '../api/index.ts';
import { advance } from './advance.ts';
import type { ApprovalInput, PersistedMachine } from './types.ts';

/** What the machine would record for an approval: applied, or rejected with the reason it gives. */
export type ApprovalPreview =
  { readonly result: 'Applied' } | { readonly result: 'Rejected'; readonly reason: string };

/**
 * Asks the machine, without acting, what it would do with an approval at `now`: the same pure
 * transition the controller runs, on the state the Canary's status holds. A verb that refuses
 * before creating anything asks this, so its rules are the machine's own and never a copy.
 * Throws MachineStateError when the persisted state cannot be restored.
 */
export function previewApproval(
  persisted: PersistedMachine,
  spec: CanarySpec,
  approval: ApprovalInput,
  now: number,
): ApprovalPreview {
  const { effects } = advance(persisted, spec, { type: 'Approval', ...approval, now });
  for (const effect of effects) {
    if (effect.type !== 'recordApproval') continue;
    return effect.result === 'Applied'
      ? { result: 'Applied' }
      : { result: 'Rejected', reason: effect.reason ?? 'rejected' };
  }
  // Every state records a decision on an approval; a stopped machine records none.
  return { result: 'Rejected', reason: 'the rollout has ended' };
}
