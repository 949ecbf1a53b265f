import { describe, expect, it } from 'vitest';
import { advanceSnapshot, restore } from './advance.ts';
import { canarySpec, Harness } from './harness.ts';
import type { CanaryEvent } from './types.ts';

const spec = canarySpec({
  steps: [{ setWeight: 30 }, { analysis: { templates: [{ templateName: 't' }] } }],
  analysis: { templates: [{ templateName: 'bg' }] },
  progressDeadlineSeconds: 60,
});

/** Every event except a new revision and Retry, for the revision the machine is at. */
function otherEvents(revision: string): CanaryEvent[] {
  const approvals = (['Promote', 'PromoteFull', 'Abort', 'Pause', 'Resume'] as const).map(
    (action): CanaryEvent => ({ type: 'Approval', action, revision, approver: 'bob' }),
  );
  return [
    { type: 'CanaryReady' },
    { type: 'CanaryNotReady' },
    { type: 'PrimaryReady' },
    { type: 'Tick', now: 10_000_000 },
    { type: 'AnalysisVerdict', runId: `${revision}-s1-a1`, verdict: 'Successful' },
    { type: 'AnalysisVerdict', runId: `${revision}-s1-a1`, verdict: 'Failed' },
    { type: 'BackgroundAnalysisVerdict', runId: `${revision}-bg-a1`, verdict: 'Failed' },
    { type: 'SpecChanged' },
    { type: 'Suspend' },
    { type: 'Unsuspend' },
    { type: 'NewRevision', revision },
    ...approvals,
  ];
}

function finishedIn(phase: 'Succeeded' | 'Aborted' | 'Failed'): Harness {
  const h = new Harness(spec);
  h.send({ type: 'NewRevision', revision: 'v2' });
  if (phase === 'Failed') h.tick(60_000);
  if (phase === 'Aborted') h.approve({ action: 'Abort', revision: 'v2' });
  if (phase === 'Succeeded') {
    h.approve({ action: 'PromoteFull', revision: 'v2' });
    h.send({ type: 'PrimaryReady' });
  }
  expect(h.phase).toBe(phase);
  return h;
}

describe('finished phases are final', () => {
  for (const phase of ['Succeeded', 'Aborted', 'Failed'] as const) {
    it(`once ${phase}, no event other than NewRevision or Retry changes anything`, () => {
      const h = finishedIn(phase);
      const before = h.status;
      for (const event of otherEvents('v2')) {
        h.send(event);
        expect(h.phase).toBe(phase);
        const { suspended: _s, ...rollout } = h.status;
        const { suspended: _b, ...expected } = before;
        expect(rollout).toEqual(expected);
        // Only the audit trail of a refused approval is allowed out.
        expect(h.effects.filter((e) => e.type !== 'recordApproval' && e.type !== 'emitEvent')).toEqual([]);
        for (const record of h.effectsOfType('recordApproval')) expect(record.result).toBe('Rejected');
      }
    });
  }

  it('Succeeded refuses Retry', () => {
    const h = finishedIn('Succeeded');
    h.approve({ action: 'Retry', revision: 'v2' });
    expect(h.phase).toBe('Succeeded');
    expect(h.effectsOfType('recordApproval')[0]?.result).toBe('Rejected');
  });

  it('a snapshot that is no longer active accepts no event', () => {
    const h = finishedIn('Succeeded');
    const snapshot = restore(h.state, spec);
    const stopped = { ...snapshot, status: 'done' } as typeof snapshot;
    const result = advanceSnapshot(stopped, spec, { type: 'NewRevision', revision: 'v3' });
    expect(result.snapshot).toBe(stopped);
    expect(result.effects).toEqual([]);
  });
});
