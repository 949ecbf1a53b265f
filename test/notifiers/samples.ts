import type { Notification } from '../../src/ports/index.ts';

/** Notifications as the controller builds them, for the golden payloads (fixed times and values). */
export const ABORTED: Notification = {
  id: 'Aborted/7d9f8c6b5#2/3',
  event: 'Aborted',
  time: '2026-11-22T10:04:10.000Z',
  canary: { name: 'podinfo', namespace: 'shop' },
  revision: '7d9f8c6b5',
  phase: 'Aborted',
  step: { number: 3, total: 5 },
  weights: { primary: 100, canary: 0 },
  message: 'analysis run 7d9f8c6b5-s2-r2 Failed: success-rate failed 1 time (limit 0)',
  metrics: [
    {
      name: 'success-rate',
      phase: 'Failed',
      value: '0.81',
      successCondition: 'result >= 0.99',
      message: 'success-rate failed 1 time (limit 0)',
    },
  ],
  commands: [],
};

export const WAITING: Notification = {
  id: 'WaitingForApproval/7d9f8c6b5#2/5',
  event: 'WaitingForApproval',
  time: '2026-11-22T10:06:00.000Z',
  canary: { name: 'podinfo', namespace: 'shop' },
  revision: '7d9f8c6b5',
  phase: 'Paused',
  step: { number: 5, total: 5 },
  weights: { primary: 50, canary: 50 },
  message: '7d9f8c6b5 step 5 waits for approval',
  metrics: [],
  commands: ['serin promote podinfo -n shop', 'serin abort podinfo -n shop'],
  dashboardUrl: 'https://serin.example.com/canaries/shop/podinfo',
};

export const APPROVED: Notification = {
  id: 'ApprovalApplied/7d9f8c6b5#2/5:podinfo-promote-x7k2p',
  event: 'ApprovalApplied',
  time: '2026-11-22T10:09:30.000Z',
  canary: { name: 'podinfo', namespace: 'shop' },
  revision: '7d9f8c6b5',
  phase: 'Promoting',
  step: { number: 5, total: 5 },
  weights: { primary: 50, canary: 50 },
  message: 'Promote by oncall@example.com applied for 7d9f8c6b5: dashboards are green',
  metrics: [],
  approval: {
    approver: 'oncall@example.com',
    action: 'Promote',
    result: 'Applied',
    name: 'podinfo-promote-x7k2p',
    reason: 'dashboards are green',
  },
  commands: [],
};

export const SAMPLES = [ABORTED, WAITING, APPROVED] as const;
