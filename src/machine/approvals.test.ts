import { describe, expect, it } from 'vitest';
import { canarySpec, Harness } from './harness.ts';

const spec = canarySpec({
  steps: [
    { setWeight: 10 },
    { pause: {} },
    { analysis: { templates: [{ templateName: 'step' }] } },
    { setWeight: 50 },
  ],
  analysis: { templates: [{ templateName: 'bg' }] },
});

/** v2 waiting at its approval step (index 1), canary at 10%. */
function atApprovalStep(): Harness {
  const h = new Harness(spec);
  h.rollOut('v2');
  expect(h.phase).toBe('Paused');
  return h;
}

describe('approvals are checked', () => {
  it('PromoteFull skips the remaining steps and analysis and goes to Promoting', () => {
    const h = new Harness(spec);
    h.send({ type: 'NewRevision', revision: 'v2' });
    h.approve({ action: 'PromoteFull', revision: 'v2' });
    expect(h.phase).toBe('Promoting');
    expect(h.effectsOfType('stopAnalysis').map((e) => e.runId)).toEqual(['v2-r1-bg']);
    expect(h.effects).toContainEqual({ type: 'promoteTemplateToPrimary', revision: 'v2' });
    expect(h.effectsOfType('startAnalysis')).toEqual([]);
    expect(h.effectsOfType('recordApproval')).toEqual([
      expect.objectContaining({
        result: 'Applied',
        approval: expect.objectContaining({ action: 'PromoteFull' }),
      }),
    ]);
    h.send({ type: 'PrimaryReady' });
    expect(h.phase).toBe('Succeeded');
  });

  it('PromoteFull from a paused step goes to Promoting', () => {
    const h = atApprovalStep();
    h.approve({ action: 'PromoteFull', revision: 'v2', step: 1 });
    expect(h.phase).toBe('Promoting');
  });

  it('Abort aborts from Progressing', () => {
    const h = new Harness(spec);
    h.send({ type: 'NewRevision', revision: 'v2' });
    h.approve({ action: 'Abort', revision: 'v2', reason: 'bad dashboards' });
    expect(h.phase).toBe('Aborted');
    expect(h.effects[0]).toEqual({ type: 'setWeights', primary: 100, canary: 0 });
    expect(h.effects.at(-1)).toEqual(expect.objectContaining({ type: 'recordApproval', result: 'Applied' }));
  });

  it('Abort aborts from Paused', () => {
    const h = atApprovalStep();
    h.approve({ action: 'Abort', revision: 'v2' });
    expect(h.phase).toBe('Aborted');
  });

  it('Abort aborts from Promoting', () => {
    const h = atApprovalStep();
    h.approve({ action: 'PromoteFull', revision: 'v2' });
    h.approve({ action: 'Abort', revision: 'v2' });
    expect(h.phase).toBe('Aborted');
    expect(h.effects[0]).toEqual({ type: 'setWeights', primary: 100, canary: 0 });
  });

  it('Retry restarts an Aborted revision from step 0 with a new attempt and new run ids', () => {
    const h = atApprovalStep();
    h.approve({ action: 'Abort', revision: 'v2' });
    h.approve({ action: 'Retry', revision: 'v2' });
    expect(h.phase).toBe('Progressing');
    expect(h.status.currentStepIndex).toBe(0);
    expect(h.status.attempt).toBe(2);
    expect(h.effects[0]).toEqual({ type: 'scaleCanary', toTarget: true });
    // The canary was scaled down by the abort: traffic returns only once it is ready again.
    expect(h.effects.filter((e) => e.type === 'setWeights' && e.canary > 0)).toEqual([]);
    expect(h.send({ type: 'CanaryReady' })).toContainEqual({ type: 'setWeights', primary: 90, canary: 10 });
    expect(h.status.activeRunIds).toEqual(['v2-r2-bg']);
  });

  it('Retry restarts a Failed revision', () => {
    const h = new Harness(canarySpec({ steps: [{ setWeight: 10 }], progressDeadlineSeconds: 60 }));
    h.send({ type: 'NewRevision', revision: 'v2' });
    h.tick(60_000);
    expect(h.phase).toBe('Failed');
    h.approve({ action: 'Retry', revision: 'v2' });
    expect(h.phase).toBe('Progressing');
  });

  it('ignores and reports an approval for a different revision', () => {
    const h = atApprovalStep();
    const before = h.state;
    h.approve({ action: 'Promote', revision: 'v1', step: 1 });
    expect(h.state).toEqual(before);
    expect(h.effects).toEqual([
      expect.objectContaining({ type: 'recordApproval', result: 'Rejected' }),
      expect.objectContaining({ type: 'emitEvent', reason: 'ApprovalRejected', severity: 'Warning' }),
    ]);
    expect(h.effectsOfType('recordApproval')[0]?.reason).toContain('revision v1');
  });

  it('ignores and reports an approval for a different step', () => {
    const h = atApprovalStep();
    const before = h.state;
    h.approve({ action: 'Promote', revision: 'v2', step: 3 });
    expect(h.state).toEqual(before);
    // Steps counted from 1 in messages, as the CLI shows them: spec.step 3 is step 4.
    expect(h.effectsOfType('recordApproval')[0]?.reason).toMatch(
      /^approval is for step 4, the canary is at step \d+$/,
    );
    expect(h.effectsOfType('emitEvent')).toHaveLength(1);
  });

  it('never applies an Abort for a different revision', () => {
    const h = atApprovalStep();
    h.approve({ action: 'Abort', revision: 'v9' });
    expect(h.phase).toBe('Paused');
    expect(h.effectsOfType('setWeights')).toEqual([]);
  });

  it('rejects an approval that does not apply to the phase', () => {
    const h = new Harness(spec);
    h.approve({ action: 'Abort', revision: 'stable' });
    expect(h.phase).toBe('Idle');
    expect(h.effectsOfType('recordApproval')[0]?.reason).toContain('does not apply while the canary is Idle');
    h.send({ type: 'NewRevision', revision: 'v2' });
    for (const action of ['Promote', 'Resume', 'Retry'] as const) {
      h.approve({ action, revision: 'v2' });
      expect(h.effectsOfType('recordApproval')[0]?.result).toBe('Rejected');
    }
    expect(h.phase).toBe('Progressing');
  });

  it('Pause pauses a progressing rollout and Resume returns to the same step', () => {
    const h = new Harness(canarySpec({ steps: [{ setWeight: 10 }, { setWeight: 30 }] }));
    h.send({ type: 'NewRevision', revision: 'v2' });
    h.approve({ action: 'Pause', revision: 'v2', step: 0 });
    expect(h.phase).toBe('Paused');
    expect(h.status.pauseReason).toBe('Manual');
    h.send({ type: 'CanaryReady' }, { type: 'Tick', now: 3_600_000 });
    expect(h.status.currentStepIndex).toBe(0);
    h.approve({ action: 'Resume', revision: 'v2' });
    // The canary became ready while paused: the step completes once resumed.
    expect(h.status.currentStepIndex).toBe(1);
  });
});
