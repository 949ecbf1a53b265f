import type { ApprovalAction, CanaryPhase, PauseReason } from '../api/index.ts';

/** What an action needs from the Canary's state (and the verb's flags) to apply. */
export interface ApprovalRule {
  readonly phases: readonly CanaryPhase[];
  /** The sentence a refusal ends with: what the verb is for. */
  readonly does: string;
  /** A finer refusal within an allowed phase, or null. */
  readonly refuse?: (state: {
    phase: CanaryPhase;
    pauseReason: PauseReason | undefined;
    reason: string | undefined;
  }) => string | null;
}

const FAILED_ANALYSIS =
  'a rollout paused by a failed analysis is left by retry, abort, or promote --full with --reason';

/**
 * Where each action applies, as docs/state-machine.md ("Approvals", "Pause on failure") states the
 * machine's rules. The controller stays the authority (it rejects an Approval that does not apply
 * and records why); this copy only lets a verb refuse before it creates anything, with a sentence a
 * person can act on. When the machine's rules change, this table and its test follow.
 */
export const APPROVAL_RULES: Record<ApprovalAction, ApprovalRule> = {
  Promote: {
    phases: ['Paused'],
    does: 'promote continues a paused rollout',
    refuse: ({ pauseReason }) => (pauseReason === 'AnalysisFailed' ? FAILED_ANALYSIS : null),
  },
  Resume: {
    phases: ['Paused'],
    does: 'resume continues a paused rollout',
    refuse: ({ pauseReason }) => (pauseReason === 'AnalysisFailed' ? FAILED_ANALYSIS : null),
  },
  PromoteFull: {
    phases: ['Progressing', 'Paused'],
    does: 'promote --full skips the remaining steps of a rollout under way',
    refuse: ({ pauseReason, reason }) =>
      pauseReason === 'AnalysisFailed' && (reason ?? '').trim() === ''
        ? 'promoting over a failed analysis needs --reason (it is kept in the audit trail)'
        : null,
  },
  Abort: { phases: ['Progressing', 'Paused', 'Promoting'], does: 'abort stops a rollout under way' },
  Pause: { phases: ['Progressing'], does: 'pause holds a progressing rollout' },
  Retry: {
    phases: ['Aborted', 'Failed', 'Paused'],
    does: 'retry restarts an aborted or failed rollout, or one paused by a failed analysis',
    // In Paused the machine takes a Retry only after a failed analysis (AnalysisFailed).
    refuse: ({ phase, pauseReason }) =>
      phase !== 'Paused' || pauseReason === 'AnalysisFailed'
        ? null
        : `retry restarts an aborted or failed rollout, or one paused by a failed analysis; this one is paused (${pauseReason ?? 'no reason given'})`,
  },
};
