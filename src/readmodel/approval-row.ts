import type { ApprovalSpec, ApprovalStatus } from '../api/index.ts';
import { ageText } from './age.ts';

/** One Approval as a line of `serin get approvals`; every cell is text. */
export interface ApprovalRow {
  readonly name: string;
  readonly namespace: string;
  readonly canary: string;
  readonly action: string;
  readonly revision: string;
  /** From 1, as the status screen counts; `-` when the Approval names no step. */
  readonly step: string;
  readonly approver: string;
  /** Applied, Rejected, or Pending while the controller has not looked at it. */
  readonly result: string;
  readonly age: string;
  // wide
  readonly reason: string;
  readonly why: string;
}

/** An Approval as the API returns it (not validated: a row must show even a malformed one). */
export interface ApprovalLike {
  readonly metadata: {
    readonly name?: string | undefined;
    readonly namespace?: string | undefined;
    readonly creationTimestamp?: string | undefined;
  };
  readonly spec?: Partial<ApprovalSpec> | undefined;
  readonly status?: ApprovalStatus | undefined;
}

/** The row of one Approval at `now` (epoch ms). */
export function approvalRow(approval: ApprovalLike, now: number): ApprovalRow {
  const spec = approval.spec ?? {};
  return {
    name: approval.metadata.name ?? '',
    namespace: approval.metadata.namespace ?? '',
    canary: spec.canaryRef?.name ?? '-',
    action: spec.action ?? '-',
    revision: spec.revision ?? '-',
    step: spec.step === undefined ? '-' : String(spec.step + 1),
    approver: spec.approver ?? '-',
    result: approval.status?.phase ?? 'Pending',
    age: ageText(approval.metadata.creationTimestamp, now),
    reason: spec.reason ?? '',
    why: approval.status?.reason ?? '',
  };
}
