import type { ApprovalAction } from '../api/index.ts';

/**
 * What each verb is for, as a refusal ends. Only words: whether an action applies is the machine's
 * decision (previewApproval in src/machine), asked on the Canary's own state before anything is
 * created, so the verbs can never disagree with the controller.
 */
export const ACTION_PURPOSE: Record<ApprovalAction, string> = {
  Promote: 'promote continues a paused rollout',
  Resume: 'resume continues a paused rollout',
  PromoteFull: 'promote --full skips the remaining steps of a rollout under way',
  Abort: 'abort stops a rollout under way',
  Pause: 'pause holds a progressing rollout',
  Retry: 'retry restarts an aborted or failed rollout, or one paused by a failed analysis',
};
