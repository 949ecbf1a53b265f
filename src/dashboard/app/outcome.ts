import type { ActionAnswer, ApprovalItem } from '../api-types.ts';

/** What the person last asked for, and what became of it. */
export type Outcome =
  { kind: 'sending'; action: string } | { kind: 'answer'; action: string; answer: ActionAnswer };

/**
 * The line under the buttons: the request on its way, the verb's refusal, or the Approval it created
 * followed until the controller applies or rejects it (the Approval's status, read from the stream).
 */
export function outcomeText(
  outcome: Outcome,
  approvals: readonly ApprovalItem[],
): { text: string; tone: string } {
  if (outcome.kind === 'sending')
    return { text: `${outcome.action}: creating the Approval…`, tone: 'pending' };
  const { answer } = outcome;
  if (!answer.ok) return { text: `${outcome.action} refused: ${answer.error}`, tone: 'rejected' };
  const decided = approvals.find((a) => a.name === answer.approval);
  if (decided === undefined || decided.phase === 'Pending')
    return { text: `${answer.message} Waiting for the controller to decide…`, tone: 'pending' };
  const why = decided.decision === '' ? '' : `: ${decided.decision}`;
  return {
    text: `${decided.phase}: Approval ${decided.name} (${decided.action})${why}`,
    tone: decided.phase === 'Applied' ? 'applied' : 'rejected',
  };
}
