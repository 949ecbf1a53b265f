import { describe, expect, it } from 'vitest';
import { advance } from './advance.ts';
import { canarySpec, Harness } from './harness.ts';

const analysis = (templateName: string) => ({ analysis: { templates: [{ templateName }] } });

describe('initialisation', () => {
  it('creates the primary from the template, then becomes Idle with 100% primary on PrimaryReady', () => {
    const h = new Harness(canarySpec(), { stable: 'v1' });
    expect(h.phase).toBe('Idle');
    expect(h.status.stableRevision).toBe('v1');
    expect(h.history.slice(0, 1)).toEqual([{ type: 'promoteTemplateToPrimary', revision: 'v1' }]);
    expect(h.effects.slice(0, 2)).toEqual([
      { type: 'setWeights', primary: 100, canary: 0 },
      { type: 'scaleCanary', replicas: 0 },
    ]);
  });
});

describe('scaleDownDelaySeconds', () => {
  it('after a promotion the weight goes to 0 first and the canary is scaled down only after scaleDownDelaySeconds', () => {
    const h = new Harness(canarySpec({ steps: [{ setWeight: 50 }], scaleDownDelaySeconds: 7 }));
    h.rollOut('v2');
    h.send({ type: 'PrimaryReady', revision: 'v2' });
    expect(h.phase).toBe('Succeeded');
    const scaling = h.effects.filter((e) => e.type === 'scaleCanary' || e.type === 'scaleCanaryDownAfter');
    expect(scaling).toEqual([{ type: 'scaleCanaryDownAfter', seconds: 7 }]);
    expect(h.effects.findIndex((e) => e.type === 'setWeights')).toBeLessThan(
      h.effects.findIndex((e) => e.type === 'scaleCanaryDownAfter'),
    );
  });

  it('an abort keeps using abortScaleDownDelaySeconds', () => {
    const h = new Harness(
      canarySpec({
        steps: [{ setWeight: 50 }, { pause: {} }],
        scaleDownDelaySeconds: 7,
        abortScaleDownDelaySeconds: 3,
      }),
    );
    h.rollOut('v2');
    h.send({ type: 'Approval', action: 'Abort', revision: 'v2', approver: 'a' });
    expect(h.phase).toBe('Aborted');
    expect(h.effects).toContainEqual({ type: 'scaleCanaryDownAfter', seconds: 3 });
  });
});

describe('steps run in order', () => {
  it('scales the canary to its target before the first step, and moves traffic only once it is ready', () => {
    const h = new Harness(canarySpec({ steps: [{ setWeight: 10 }, { pause: {} }] }));
    const effects = h.send({ type: 'NewRevision', revision: 'v2' });
    expect(effects[0]).toEqual({ type: 'scaleCanary', toTarget: true });
    expect(effects.find((e) => e.type === 'setWeights')).toBeUndefined();
    expect(h.phase).toBe('Progressing');
    expect(h.send({ type: 'CanaryNotReady' }, { type: 'Tick', now: 5_000 })).toEqual([]);
    expect(h.send({ type: 'CanaryReady' })).toContainEqual({ type: 'setWeights', primary: 90, canary: 10 });
    expect(h.status.currentStepIndex).toBe(1);
  });

  it('completes a setWeight step only when the canary is ready', () => {
    const h = new Harness(canarySpec({ steps: [{ setWeight: 10 }, { setWeight: 30 }] }));
    h.send({ type: 'NewRevision', revision: 'v2' });
    h.tick(1_000);
    h.send({ type: 'CanaryNotReady' });
    h.tick(1_000);
    expect(h.status.currentStepIndex).toBe(0);
    expect(h.send({ type: 'CanaryReady' })).toContainEqual({ type: 'setWeights', primary: 70, canary: 30 });
    expect(h.status.currentStepIndex).toBe(1);
    expect(h.status.canaryWeight).toBe(30);
  });

  it('does not run through consecutive setWeight steps on one readiness report', () => {
    const h = new Harness(canarySpec({ steps: [{ setWeight: 10 }, { setWeight: 30 }, { setWeight: 60 }] }));
    h.rollOut('v2');
    expect(h.status.currentStepIndex).toBe(1);
    // The canary is still ready on the next pass: the weight set last pass is now confirmed.
    h.tick(1_000);
    expect(h.status.currentStepIndex).toBe(2);
    expect(h.effectsOfType('setWeights')).toEqual([{ type: 'setWeights', primary: 40, canary: 60 }]);
  });

  it('completes a timed pause when now − stepStartedAt ≥ duration, on the Tick clock only', () => {
    const h = new Harness(
      canarySpec({ steps: [{ setWeight: 10 }, { pause: { duration: '5m' } }, { setWeight: 50 }] }),
    );
    h.send({ type: 'Tick', now: 1_000 });
    h.rollOut('v2');
    expect(h.status.currentStepIndex).toBe(1);
    expect(h.status.stepStartedAt).toBe(new Date(1_000).toISOString());
    expect(h.effectsOfType('requeueAfter')).toEqual([{ type: 'requeueAfter', ms: 300_000 }]);
    expect(h.send({ type: 'Tick', now: 1_000 + 299_999 })).toEqual([{ type: 'requeueAfter', ms: 1 }]);
    expect(h.status.currentStepIndex).toBe(1);
    h.send({ type: 'Tick', now: 1_000 + 300_000 });
    expect(h.status.currentStepIndex).toBe(2);
  });

  it('keeps a timed pause across a restart: no time is lost and the pause is not repeated', () => {
    const spec = canarySpec({ steps: [{ pause: { duration: '1m' } }, { setWeight: 50 }] });
    const h = new Harness(spec);
    h.send({ type: 'Tick', now: 10_000 }, { type: 'NewRevision', revision: 'v2' }, { type: 'CanaryReady' });
    const saved = JSON.parse(JSON.stringify(h.state)) as typeof h.state;
    // A new controller process restores the status and carries on at a later time.
    const early = advance(saved, spec, { type: 'Tick', now: 69_999 });
    expect(early.effects).toEqual([{ type: 'requeueAfter', ms: 1 }]);
    const late = advance(early.state, spec, { type: 'Tick', now: 70_000 });
    expect(late.effects).toContainEqual({ type: 'setWeights', primary: 50, canary: 50 });
  });

  it('waits in a pause {} step for an Approval (Promote) of the current revision and step', () => {
    const h = new Harness(canarySpec({ steps: [{ setWeight: 10 }, { pause: {} }, { setWeight: 40 }] }));
    h.rollOut('v2');
    expect(h.phase).toBe('Paused');
    expect(h.status.pauseReason).toBe('Manual');
    expect(h.effectsOfType('notify').map((n) => n.kind)).toEqual(['RolloutStarted', 'WaitingForApproval']);
    h.tick(86_400_000);
    expect(h.phase).toBe('Paused');
    h.approve({ action: 'Promote', revision: 'v2', step: 1 });
    expect(h.phase).toBe('Progressing');
    expect(h.effects).toContainEqual({ type: 'setWeights', primary: 60, canary: 40 });
  });

  it('waits in an analysis step for its own run verdict', () => {
    const h = new Harness(canarySpec({ steps: [analysis('smoke'), { setWeight: 10 }] }));
    h.send({ type: 'NewRevision', revision: 'v2' });
    expect(h.effectsOfType('startAnalysis')).toEqual([
      {
        type: 'startAnalysis',
        runId: 'v2-r1-s0',
        kind: 'Step',
        revision: 'v2',
        step: 0,
        templates: [{ templateName: 'smoke' }],
        args: [],
      },
    ]);
    h.send({ type: 'CanaryReady' }, { type: 'Tick', now: 3_600_000 });
    h.send({ type: 'AnalysisVerdict', runId: 'v1-r1-s0', verdict: 'Successful' });
    expect(h.status.currentStepIndex).toBe(0);
    h.send({ type: 'AnalysisVerdict', runId: 'v2-r1-s0', verdict: 'Successful' });
    expect(h.status.currentStepIndex).toBe(1);
  });

  it('promotes after the last step: template to primary, then 100/0 and the canary scaled down after scaleDownDelaySeconds', () => {
    const h = new Harness(canarySpec({ steps: [{ setWeight: 50 }] }));
    h.send({ type: 'NewRevision', revision: 'v2' });
    expect(h.send({ type: 'CanaryReady' })).toContainEqual({
      type: 'promoteTemplateToPrimary',
      revision: 'v2',
    });
    expect(h.phase).toBe('Promoting');
    expect(h.status.canaryWeight).toBe(50);
    h.send({ type: 'PrimaryReady', revision: 'v2' });
    expect(h.phase).toBe('Succeeded');
    expect(h.effects.slice(0, 2)).toEqual([
      { type: 'setWeights', primary: 100, canary: 0 },
      { type: 'scaleCanaryDownAfter', seconds: 30 },
    ]);
    expect(h.status.stableRevision).toBe('v2');
  });

  it('ignores a PrimaryReady that names another revision while promoting', () => {
    const h = new Harness(canarySpec({ steps: [{ setWeight: 50 }] }));
    h.rollOut('v2');
    h.send({ type: 'PrimaryReady', revision: 'stable' });
    expect(h.phase).toBe('Promoting');
  });

  it('uses deterministic run ids, so replaying a step never starts a second run', () => {
    const spec = canarySpec({ steps: [analysis('a'), analysis('b')] });
    const runIds = () => {
      const h = new Harness(spec);
      h.send({ type: 'NewRevision', revision: 'v2' });
      h.send({ type: 'AnalysisVerdict', runId: 'v2-r1-s0', verdict: 'Successful' });
      return h.history.filter((e) => e.type === 'startAnalysis').map((e) => e.runId);
    };
    expect(runIds()).toEqual(['v2-r1-s0', 'v2-r1-s1']);
    expect(runIds()).toEqual(runIds());
  });

  it('starts the background analysis once, at startingStep, and stops it when promoting', () => {
    const h = new Harness(
      canarySpec({
        steps: [{ setWeight: 10 }, { setWeight: 20 }, { setWeight: 30 }],
        analysis: { templates: [{ templateName: 'bg' }], startingStep: 1 },
      }),
    );
    h.rollOut('v2');
    const started = h.effectsOfType('startAnalysis');
    expect(started).toEqual([expect.objectContaining({ runId: 'v2-r1-bg', kind: 'Background', step: 1 })]);
    h.tick(1_000);
    expect(h.effectsOfType('startAnalysis')).toEqual([]);
    expect(h.status.activeRunIds).toEqual(['v2-r1-bg']);
    h.tick(1_000);
    expect(h.phase).toBe('Promoting');
    expect(h.effects[0]).toEqual({ type: 'stopAnalysis', runId: 'v2-r1-bg' });
  });
});
