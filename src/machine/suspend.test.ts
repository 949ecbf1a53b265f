import { describe, expect, it } from 'vitest';
import { canarySpec, Harness } from './harness.ts';

const steps = [
  { setWeight: 10 },
  { analysis: { templates: [{ templateName: 'step' }] } },
  { pause: { duration: '1m' } },
  { setWeight: 50 },
];

describe('skipAnalysis', () => {
  it('promotes without analysis once the canary is ready', () => {
    const h = new Harness(
      canarySpec({ steps, analysis: { templates: [{ templateName: 'bg' }] }, skipAnalysis: true }),
    );
    h.send({ type: 'NewRevision', revision: 'v2' });
    expect(h.phase).toBe('Progressing');
    expect(h.effectsOfType('setWeights')).toEqual([]);
    h.send({ type: 'CanaryReady' });
    expect(h.phase).toBe('Promoting');
    expect(h.history.filter((e) => e.type === 'startAnalysis')).toEqual([]);
    h.send({ type: 'PrimaryReady' });
    expect(h.phase).toBe('Succeeded');
  });

  it('turned on mid-rollout stops the runs and promotes', () => {
    const h = new Harness(canarySpec({ steps }));
    h.rollOut('v2');
    expect(h.status.activeRunIds).toEqual(['v2-r1-s1']);
    h.spec = canarySpec({ steps, skipAnalysis: true });
    h.send({ type: 'SpecChanged' });
    expect(h.phase).toBe('Promoting');
    expect(h.effects[0]).toEqual({ type: 'stopAnalysis', runId: 'v2-r1-s1' });
  });
});

describe('suspend', () => {
  it('freezes progression: no step is completed or entered while suspended', () => {
    const h = new Harness(canarySpec({ steps }));
    h.send({ type: 'NewRevision', revision: 'v2' }, { type: 'Suspend' });
    h.send({ type: 'CanaryReady' }, { type: 'Tick', now: 1_000_000 });
    expect(h.status.currentStepIndex).toBe(0);
    expect(h.status.suspended).toBe(true);
    expect(h.history.filter((e) => e.type === 'startAnalysis')).toEqual([]);
    h.send({ type: 'Unsuspend' });
    expect(h.status.currentStepIndex).toBe(1);
    expect(h.effectsOfType('startAnalysis').map((e) => e.runId)).toEqual(['v2-r1-s1']);
  });

  it('defers even the first step of a new revision', () => {
    const h = new Harness(canarySpec({ steps, suspend: true }));
    h.send({ type: 'NewRevision', revision: 'v2' });
    expect(h.effectsOfType('setWeights')).toEqual([]);
    expect(h.status.stepStartedAt).toBeUndefined();
  });

  it('never blocks an abort by approval', () => {
    const h = new Harness(canarySpec({ steps }));
    h.rollOut('v2');
    h.send({ type: 'Suspend' });
    h.approve({ action: 'Abort', revision: 'v2' });
    expect(h.phase).toBe('Aborted');
    expect(h.effects[0]).toEqual({ type: 'setWeights', primary: 100, canary: 0 });
  });

  it('never blocks an abort by a failed verdict', () => {
    const h = new Harness(canarySpec({ steps }));
    h.rollOut('v2');
    h.send({ type: 'Suspend' });
    h.send({ type: 'AnalysisVerdict', runId: 'v2-r1-s1', verdict: 'Failed' });
    expect(h.phase).toBe('Aborted');
  });

  it('keeps a passing verdict that arrives while suspended and continues on Unsuspend', () => {
    const h = new Harness(canarySpec({ steps }));
    h.rollOut('v2');
    h.send({ type: 'Suspend' }, { type: 'AnalysisVerdict', runId: 'v2-r1-s1', verdict: 'Successful' });
    expect(h.status.currentStepIndex).toBe(1);
    h.send({ type: 'Unsuspend' });
    expect(h.status.currentStepIndex).toBe(2);
  });

  it('follows spec.suspend on SpecChanged', () => {
    const h = new Harness(canarySpec({ steps }));
    h.send({ type: 'NewRevision', revision: 'v2' });
    h.spec = canarySpec({ steps, suspend: true });
    h.send({ type: 'SpecChanged' }, { type: 'CanaryReady' });
    expect(h.status.suspended).toBe(true);
    expect(h.status.currentStepIndex).toBe(0);
    h.spec = canarySpec({ steps });
    h.send({ type: 'SpecChanged' });
    expect(h.status.currentStepIndex).toBe(1);
  });

  it('freezes the end of a promotion until unsuspended', () => {
    const h = new Harness(canarySpec({ steps: [{ setWeight: 50 }] }));
    h.rollOut('v2');
    h.send({ type: 'Suspend' }, { type: 'PrimaryReady' });
    expect(h.phase).toBe('Promoting');
    h.send({ type: 'Unsuspend' });
    expect(h.phase).toBe('Succeeded');
  });
});
