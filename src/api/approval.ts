import { z } from 'zod';
import { API_VERSION, ObjectMeta, ObjectName } from './common.ts';

export const APPROVAL_ACTIONS = ['Promote', 'PromoteFull', 'Abort', 'Retry', 'Pause', 'Resume'] as const;
export const ApprovalAction = z.enum(APPROVAL_ACTIONS);
export type ApprovalAction = z.infer<typeof ApprovalAction>;

/** An auditable record of a human decision about one revision (and step) of a Canary. */
export const ApprovalSpec = z.object({
  canaryRef: z.object({ name: ObjectName }),
  action: ApprovalAction,
  revision: z.string().min(1),
  step: z.number().int().min(0).optional(),
  approver: z.string().min(1),
  reason: z.string().optional(),
});
export type ApprovalSpec = z.infer<typeof ApprovalSpec>;

export const ApprovalStatus = z.object({
  phase: z.enum(['Applied', 'Rejected']).optional(),
  reason: z.string().optional(),
  appliedAt: z.string().optional(),
});
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
