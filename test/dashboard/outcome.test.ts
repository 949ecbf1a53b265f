import { describe, expect, it } from 'vitest';
import { outcomeText } from '../../src/dashboard/app/outcome.ts';
import { canaryDetail } from '../../src/dashboard/detail.ts';
import type { KubeObject } from '../../src/kube/index.ts';

/** The Canary page's data with one Approval, as the controller left it. */
function approvalsWith(status: Record<string, string> | undefined) {
  const canary = {
    apiVersion: 'serin.dev/v1alpha1',
    kind: 'Canary',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { steps: [{ setWeight: 20 }, { pause: {} }] },
    status: { phase: 'Paused', currentStepIndex: 1, canaryWeight: 20 },
  } as unknown as KubeObject;
  const approval: KubeObject = {
    apiVersion: 'serin.dev/v1alpha1',
    kind: 'Approval',
    metadata: { name: 'web-promote-x1', namespace: 'shop', creationTimestamp: '2026-01-02T00:02:00Z' },
    spec: { canaryRef: { name: 'web' }, action: 'Promote', approver: 'ann', revision: 'abc' },
    ...(status === undefined ? {} : { status }),
  };
  return canaryDetail({
    canary,
    events: [],
    templates: [],
    approvals: [approval],
    weightHistory: [],
    permission: { allowed: true, reason: '' },
    notes: [],
    now: Date.parse('2026-01-02T00:03:00Z'),
  }).approvals;
}

describe('the outcome line under the action buttons', () => {
  const created = {
    kind: 'answer',
    action: 'Promote',
    answer: { ok: true, approval: 'web-promote-x1', message: 'Approval web-promote-x1 created.' },
  } as const;

  it('waits while the controller has not decided, then says Rejected with the controller’s reason', () => {
    expect(outcomeText(created, approvalsWith(undefined))).toEqual({
      text: 'Approval web-promote-x1 created. Waiting for the controller to decide…',
      tone: 'pending',
    });
    const rejected = approvalsWith({
      phase: 'Rejected',
      reason: 'approval is for revision abc, the canary is at def',
    });
    expect(outcomeText(created, rejected)).toEqual({
      text: 'Rejected: Approval web-promote-x1 (Promote): approval is for revision abc, the canary is at def',
      tone: 'rejected',
    });
  });

  it('says Applied when the controller applied it, and a refusal by the verb before anything was created', () => {
    expect(outcomeText(created, approvalsWith({ phase: 'Applied' }))).toEqual({
      text: 'Applied: Approval web-promote-x1 (Promote)',
      tone: 'applied',
    });
    expect(
      outcomeText({ kind: 'answer', action: 'Promote', answer: { ok: false, error: 'not paused' } }, []),
    ).toEqual({ text: 'Promote refused: not paused', tone: 'rejected' });
  });
});
