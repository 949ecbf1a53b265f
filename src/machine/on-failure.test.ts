import { describe, expect, it } from 'vitest';
import type { CanarySpecInput } from '../api/index.ts';
import { canarySpec, Harness } from './harness.ts';
import type { CanaryEvent } from './types.ts';

function specWith(fields: Partial<CanarySpecInput> = {}, stepOnFailure?: 'Abort' | 'Pause') {
  return canarySpec({
    steps: [
      { setWeight: 20 },
      {
        analysis: {
          templates: [{ templateName: 'step' }],
          ...(stepOnFailure === undefined ? {} : { onFailure: stepOnFailure }),
        },
      },
      { setWeight: 60 },
    ],
    analysis: { templates: [{ templateName: 'bg' }] },
    ...fields,
  });
}

/** v2 at its analysis step (canary 20%), background run going. */
function atAnalysis(spec = specWith({ onFailure: 'Pause' })): Harness {
  const h = new Harness(spec);
  h.rollOut('v2');
  expect(h.status.activeRunIds).toEqual(['v2-r1-s1', 'v2-r1-bg']);
  return h;
}

const failed = (runId = 'v2-r1-s1'): CanaryEvent => ({
  type: 'AnalysisVerdict',
  runId,
  verdict: 'Failed',
  message: 'error rate 7%',
});

describe('onFailure: Pause', () => {
  it('a Failed analysis sets the canary weight to 0 first, keeps the canary pods and waits Paused (AnalysisFailed)', () => {
    const h = atAnalysis();
    h.send(failed());
    expect(h.phase).toBe('Paused');
    expect(h.status.pauseReason).toBe('AnalysisFailed');
    expect(h.effects[0]).toEqual({ type: 'setWeights', primary: 100, canary: 0 });
    expect(h.status.canaryWeight).toBe(0);
    // Pods are kept for a person to look at: nothing scales the canary.
    expect(h.effectsOfType('scaleCanary')).toEqual([]);
    expect(h.effectsOfType('scaleCanaryDownAfter')).toEqual([]);
    expect(h.effectsOfType('stopAnalysis').map((e) => e.runId)).toEqual(['v2-r1-s1', 'v2-r1-bg']);
    expect(h.status.message).toContain('error rate 7%');
  });

  it('the default onFailure is Abort', () => {
    const h = atAnalysis(specWith());
    h.send(failed());
    expect(h.phase).toBe('Aborted');
  });

  it("a step's own onFailure overrides the Canary's, both ways", () => {
    const pauses = atAnalysis(specWith({ onFailure: 'Abort' }, 'Pause'));
    pauses.send(failed());
    expect(pauses.phase).toBe('Paused');
    const aborts = atAnalysis(specWith({ onFailure: 'Pause' }, 'Abort'));
    aborts.send(failed());
    expect(aborts.phase).toBe('Aborted');
  });

  it("the background analysis follows its own onFailure, else the Canary's", () => {
    const h = atAnalysis(specWith({ analysis: { templates: [{ templateName: 'bg' }], onFailure: 'Pause' } }));
    h.send({ type: 'BackgroundAnalysisVerdict', runId: 'v2-r1-bg', verdict: 'Failed' });
    expect(h.phase).toBe('Paused');
    expect(h.status.pauseReason).toBe('AnalysisFailed');
  });

  it('Promote and Resume do not leave a pause for a failed analysis; nothing moves the weight', () => {
    const h = atAnalysis();
    h.send(failed());
    for (const action of ['Promote', 'Resume'] as const) {
      h.approve({ action, revision: 'v2' });
      expect(h.phase).toBe('Paused');
      expect(h.effectsOfType('recordApproval')[0]).toMatchObject({
        result: 'Rejected',
        reason: 'a failed analysis is left by Retry, Abort, or PromoteFull with a reason',
      });
    }
    h.send({ type: 'CanaryReady', revision: 'v2' }, { type: 'Tick', now: 10_000_000 });
    expect(h.effectsOfType('setWeights')).toEqual([]);
    expect(h.status.canaryWeight).toBe(0);
  });

  it('Retry restarts the revision at step 0 with a new attempt', () => {
    const h = atAnalysis();
    h.send(failed());
    h.approve({ action: 'Retry', revision: 'v2' });
    expect(h.phase).toBe('Progressing');
    expect(h.status.pauseReason).toBeUndefined();
    h.send({ type: 'CanaryReady', revision: 'v2' });
    expect(h.status.activeRunIds).toEqual(['v2-r2-s1', 'v2-r2-bg']);
  });

  it('PromoteFull without a reason is rejected; with one it promotes', () => {
    const h = atAnalysis();
    h.send(failed());
    h.approve({ action: 'PromoteFull', revision: 'v2' });
    expect(h.phase).toBe('Paused');
    expect(h.effectsOfType('recordApproval')[0]).toMatchObject({
      result: 'Rejected',
      reason: 'PromoteFull over a failed analysis needs a reason',
    });
    h.approve({ action: 'PromoteFull', revision: 'v2', reason: 'the errors came from a dependency outage' });
    expect(h.phase).toBe('Promoting');
  });

  it('Abort ends it like an abort: the delayed scale-down follows', () => {
    const h = atAnalysis();
    h.send(failed());
    h.approve({ action: 'Abort', revision: 'v2' });
    expect(h.phase).toBe('Aborted');
    expect(h.effectsOfType('scaleCanaryDownAfter')).toEqual([{ type: 'scaleCanaryDownAfter', seconds: 30 }]);
  });
});
