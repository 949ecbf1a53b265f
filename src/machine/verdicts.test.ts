import { describe, expect, it } from 'vitest';
import { canarySpec, Harness } from './harness.ts';
import type { CanaryEvent } from './types.ts';

const spec = canarySpec({
  steps: [{ setWeight: 20 }, { analysis: { templates: [{ templateName: 'step' }] } }, { setWeight: 60 }],
  analysis: { templates: [{ templateName: 'bg' }] },
  abortScaleDownDelaySeconds: 45,
});

/** A rollout of v2 at its analysis step, canary at 20%, with the background run going. */
function atAnalysis(): Harness {
  const h = new Harness(spec);
  h.rollOut('v2');
  expect(h.status.activeRunIds).toEqual(['v2-r1-s1', 'v2-r1-bg']);
  return h;
}

type VerdictOnly = Omit<Extract<CanaryEvent, { type: 'AnalysisVerdict' }>, 'type' | 'runId'>;

const stepVerdict = (verdict: VerdictOnly) =>
  ({ type: 'AnalysisVerdict', runId: 'v2-r1-s1', ...verdict }) as CanaryEvent;
const backgroundVerdict = (verdict: VerdictOnly) =>
  ({ type: 'BackgroundAnalysisVerdict', runId: 'v2-r1-bg', ...verdict }) as CanaryEvent;

describe('a failed run aborts', () => {
  it('aborts on a Failed step verdict: setWeights {canary: 0} first, then the delayed scale-down', () => {
    const h = atAnalysis();
    h.send(stepVerdict({ verdict: 'Failed', message: 'error rate 7%' }));
    expect(h.phase).toBe('Aborted');
    expect(h.effects.slice(0, 2)).toEqual([
      { type: 'setWeights', primary: 100, canary: 0 },
      { type: 'scaleCanaryDownAfter', seconds: 45 },
    ]);
    expect(h.effectsOfType('stopAnalysis').map((e) => e.runId)).toEqual(['v2-r1-s1', 'v2-r1-bg']);
    expect(h.effectsOfType('notify').map((e) => e.kind)).toEqual(['Aborted']);
    expect(h.status.message).toContain('error rate 7%');
    expect(h.status.canaryWeight).toBe(0);
  });

  it('aborts on an Error verdict with onError: Abort', () => {
    const h = atAnalysis();
    h.send(stepVerdict({ verdict: 'Error', onError: 'Abort' }));
    expect(h.phase).toBe('Aborted');
    expect(h.effects[0]).toEqual({ type: 'setWeights', primary: 100, canary: 0 });
  });

  it('aborts on an Error verdict without an onError policy', () => {
    const h = atAnalysis();
    h.send(stepVerdict({ verdict: 'Error' }));
    expect(h.phase).toBe('Aborted');
  });
});

describe('inconclusive or a paused error policy pauses', () => {
  it('pauses with InconclusiveAnalysis on an Inconclusive verdict until Promote continues', () => {
    const h = atAnalysis();
    h.send(stepVerdict({ verdict: 'Inconclusive' }));
    expect(h.phase).toBe('Paused');
    expect(h.status.pauseReason).toBe('InconclusiveAnalysis');
    expect(h.status.canaryWeight).toBe(20);
    h.tick(3_600_000);
    h.send({ type: 'CanaryReady' });
    expect(h.phase).toBe('Paused');
    expect(h.status.currentStepIndex).toBe(1);
    h.approve({ action: 'Promote', revision: 'v2' });
    expect(h.phase).toBe('Progressing');
    expect(h.status.currentStepIndex).toBe(2);
    expect(h.effects).toContainEqual({ type: 'setWeights', primary: 40, canary: 60 });
  });

  it('pauses with AnalysisError on an Error verdict with onError: Pause until Abort', () => {
    const h = atAnalysis();
    h.send(stepVerdict({ verdict: 'Error', onError: 'Pause' }));
    expect(h.phase).toBe('Paused');
    expect(h.status.pauseReason).toBe('AnalysisError');
    h.approve({ action: 'Abort', revision: 'v2' });
    expect(h.phase).toBe('Aborted');
    expect(h.effects[0]).toEqual({ type: 'setWeights', primary: 100, canary: 0 });
  });

  it('aborts from Paused when a run that is still active fails', () => {
    const h = atAnalysis();
    h.send(stepVerdict({ verdict: 'Inconclusive' }));
    h.send(backgroundVerdict({ verdict: 'Failed' }));
    expect(h.phase).toBe('Aborted');
  });
});

describe('background analysis', () => {
  it('aborts when the background run fails, whatever step is under way', () => {
    const h = atAnalysis();
    h.send(backgroundVerdict({ verdict: 'Failed' }));
    expect(h.phase).toBe('Aborted');
    expect(h.effects[0]).toEqual({ type: 'setWeights', primary: 100, canary: 0 });
    expect(h.effectsOfType('stopAnalysis').map((e) => e.runId)).toEqual(['v2-r1-s1', 'v2-r1-bg']);
  });

  it('aborts on a background Error without a Pause policy', () => {
    const h = atAnalysis();
    h.send(backgroundVerdict({ verdict: 'Error' }));
    expect(h.phase).toBe('Aborted');
  });

  it('pauses when the background run is inconclusive, and Promote returns to the same step', () => {
    const h = atAnalysis();
    h.send(backgroundVerdict({ verdict: 'Inconclusive' }));
    expect(h.phase).toBe('Paused');
    expect(h.status.pauseReason).toBe('InconclusiveAnalysis');
    h.approve({ action: 'Promote', revision: 'v2', step: 1 });
    expect(h.phase).toBe('Progressing');
    // The step's own analysis is still under way: the background pause did not complete it.
    expect(h.status.currentStepIndex).toBe(1);
    expect(h.status.activeRunIds).toEqual(['v2-r1-s1']);
  });
});

describe('verdicts of other runs', () => {
  it('ignores verdicts for runs that are not active', () => {
    const h = atAnalysis();
    const before = h.state;
    h.send(
      { type: 'AnalysisVerdict', runId: 'v1-r1-s1', verdict: 'Failed' },
      { type: 'AnalysisVerdict', runId: 'v2-r1-bg', verdict: 'Failed' },
      { type: 'BackgroundAnalysisVerdict', runId: 'v2-r1-s1', verdict: 'Failed' },
    );
    expect(h.phase).toBe('Progressing');
    expect(h.effects).toEqual([]);
    expect(h.state).toEqual(before);
  });
});
