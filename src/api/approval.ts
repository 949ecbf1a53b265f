import { z } from 'zod';
import { API_VERSION, ObjectMeta, ObjectName } from './common.ts';

export const APPROVAL_ACTIONS = ['Promote', 'PromoteFull', 'Abort', 'Retry', 'Pause', 'Resume'] as const;
export const ApprovalAction = z
  .enum(APPROVAL_ACTIONS)
  .describe(
    'The decision: Promote (end a pause step), PromoteFull (skip the remaining steps), Abort, Retry (restart an aborted, failed or analysis-paused rollout), Pause or Resume.',
  );
export type ApprovalAction = z.infer<typeof ApprovalAction>;

/** An auditable record of a human decision about one revision (and step) of a Canary. */
export const ApprovalSpec = z
  .object({
    canaryRef: z
      .object({ name: ObjectName.describe("Name of the Canary, in the Approval's namespace.") })
      .describe('The Canary this decision is about.'),
    action: ApprovalAction,
    revision: z
      .string()
      .min(1)
      .describe(
        "The Canary's status.revision the decision is for, e.g. bd5ccb6e57; another revision rejects it.",
      ),
    step: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe(
        'Index of the step (counted from 0) the decision is for; another step rejects it. Default: whatever step the Canary is at.',
      ),
    approver: z
      .string()
      .min(1)
      .describe('Who decides, recorded in the Canary status, e.g. alice@example.com.'),
    reason: z
      .string()
      .optional()
      .describe('Why; required by PromoteFull out of a failed analysis. Shown in status and Events.'),
  })
  .describe('An auditable human decision about one revision (and step) of a Canary.');
export type ApprovalSpec = z.infer<typeof ApprovalSpec>;

export const ApprovalStatus = z
  .object({
    phase: z
      .enum(['Applied', 'Rejected'])
      .optional()
      .describe('Applied or Rejected by the controller; absent while not yet handled.'),
    reason: z.string().optional().describe('Why it was rejected, e.g. "the canary is at step 4".'),
    appliedAt: z
      .string()
      .optional()
      .describe('When the controller handled it (RFC 3339 time, e.g. 2026-01-02T15:04:05Z).'),
  })
  .describe('What the controller did with the Approval; written by the controller only.');
export type ApprovalStatus = z.infer<typeof ApprovalStatus>;

export const Approval = z.object({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('Approval'),
  metadata: ObjectMeta.refine((meta) => meta.name !== undefined || meta.generateName !== undefined, {
    message: 'needs name or generateName',
  }),
  spec: ApprovalSpec,
  status: ApprovalStatus.optional(),
});
export type Approval = z.infer<typeof Approval>;
