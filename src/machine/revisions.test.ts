import { describe, expect, it } from 'vitest';
import { canarySpec, Harness } from './harness.ts';

const spec = canarySpec({
  steps: [{ setWeight: 10 }, { analysis: { templates: [{ templateName: 'step' }] } }, { setWeight: 50 }],
  analysis: { templates: [{ templateName: 'bg' }] },
});

describe('a new revision mid-rollout', () => {
  it('sets canary weight 0 first, stops the runs and restarts at step 0 for the new revision', () => {
    const h = new Harness(spec);
    h.rollOut('v2');
    expect(h.status.activeRunIds).toEqual(['v2-r1-s1', 'v2-r1-bg']);
    h.send({ type: 'NewRevision', revision: 'v3' });
    expect(h.effects.slice(0, 3)).toEqual([
      { type: 'setWeights', primary: 100, canary: 0 },
      { type: 'stopAnalysis', runId: 'v2-r1-s1' },
      { type: 'stopAnalysis', runId: 'v2-r1-bg' },
    ]);
    expect(h.effects[3]).toEqual({ type: 'scaleCanary', toTarget: true });
    expect(h.phase).toBe('Progressing');
    expect(h.status.revision).toBe('v3');
    expect(h.status.currentStepIndex).toBe(0);
    expect(h.status.activeRunIds).toEqual(['v3-r2-bg']);
  });

  it('restarts from Paused too', () => {
    const h = new Harness(spec);
    h.rollOut('v2');
    h.send({ type: 'AnalysisVerdict', runId: 'v2-r1-s1', verdict: 'Inconclusive' });
    expect(h.phase).toBe('Paused');
    h.send({ type: 'NewRevision', revision: 'v3' });
    expect(h.effects[0]).toEqual({ type: 'setWeights', primary: 100, canary: 0 });
    expect(h.phase).toBe('Progressing');
    expect(h.status.pauseReason).toBeUndefined();
  });

  it('a repeated NewRevision for the revision under way changes nothing', () => {
    const h = new Harness(spec);
    h.rollOut('v2');
    const before = h.state;
    h.send({ type: 'NewRevision', revision: 'v2' });
    expect(h.effects).toEqual([]);
    expect(h.state).toEqual(before);
  });

  it('a new revision equal to the stable one returns to Idle with the canary scaled to zero after scaleDownDelaySeconds', () => {
    const h = new Harness(spec, { stable: 'v1' });
    h.rollOut('v2');
    h.send({ type: 'NewRevision', revision: 'v1' });
    expect(h.phase).toBe('Idle');
    expect(h.effects[0]).toEqual({ type: 'setWeights', primary: 100, canary: 0 });
    expect(h.effects).toContainEqual({ type: 'scaleCanaryDownAfter', seconds: 30 });
    expect(h.status.activeRunIds).toEqual([]);
  });

  it('a new revision during Promoting waits for the promotion, then rolls out', () => {
    const h = new Harness(canarySpec({ steps: [{ setWeight: 50 }] }));
    h.rollOut('v2');
    expect(h.phase).toBe('Promoting');
    h.send({ type: 'NewRevision', revision: 'v3' });
    expect(h.effects).toEqual([]);
    expect(h.status.pendingRevision).toBe('v3');
    h.send({ type: 'PrimaryReady' });
    expect(h.phase).toBe('Progressing');
    expect(h.status.stableRevision).toBe('v2');
    expect(h.status.revision).toBe('v3');
    expect(h.effectsOfType('notify').map((e) => e.kind)).toEqual(['Succeeded', 'RolloutStarted']);
  });

  it('a new revision after Succeeded or Aborted starts a new rollout', () => {
    const h = new Harness(canarySpec({ steps: [{ setWeight: 50 }] }));
    h.rollOut('v2');
    h.send({ type: 'PrimaryReady' });
    expect(h.phase).toBe('Succeeded');
    h.send({ type: 'NewRevision', revision: 'v3' });
    expect(h.phase).toBe('Progressing');
    h.approve({ action: 'Abort', revision: 'v3' });
    h.send({ type: 'NewRevision', revision: 'v4' });
    expect(h.phase).toBe('Progressing');
    expect(h.status.revision).toBe('v4');
    expect(h.status.attempt).toBe(1);
  });
});
