import { describe, expect, it } from 'vitest';
import { canarySpec, Harness } from './harness.ts';
import { previewApproval } from './preview.ts';

const spec = canarySpec({ steps: [{ setWeight: 10 }, { pause: {} }, { setWeight: 50 }] });

describe('previewApproval', () => {
  it('answers what the machine would record, without changing the state it was given', () => {
    const h = new Harness(spec);
    h.rollOut('v2');
    expect(h.phase).toBe('Paused');
    const saved = JSON.stringify(h.state);

    const promote = previewApproval(h.state, spec, { action: 'Promote', revision: 'v2', approver: 'x' }, 1);
    expect(promote).toEqual({ result: 'Applied' });
    expect(JSON.stringify(h.state)).toBe(saved);
    // The machine, sent the same approval, agrees.
    h.approve({ action: 'Promote', revision: 'v2' });
    expect(h.effectsOfType('recordApproval').map((r) => r.result)).toEqual(['Applied']);
  });

  it('gives the machine’s own reason for a rejection: phase, revision or step', () => {
    const h = new Harness(spec);
    h.send({ type: 'NewRevision', revision: 'v2' });
    expect(h.phase).toBe('Progressing');
    const ask = (approval: { action: 'Promote' | 'Pause'; revision: string; step?: number }) =>
      previewApproval(h.state, spec, { ...approval, approver: 'x' }, 1);
    expect(ask({ action: 'Promote', revision: 'v2' })).toEqual({
      result: 'Rejected',
      reason: 'Promote does not apply while the canary is Progressing',
    });
    expect(ask({ action: 'Pause', revision: 'v1' })).toEqual({
      result: 'Rejected',
      reason: 'approval is for revision v1, the canary is at v2',
    });
    expect(ask({ action: 'Pause', revision: 'v2', step: 2 })).toEqual({
      result: 'Rejected',
      reason: 'approval is for step 3, the canary is at step 1',
    });
    expect(ask({ action: 'Pause', revision: 'v2', step: 0 })).toEqual({ result: 'Applied' });
  });
});
