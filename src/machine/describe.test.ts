import { describe, expect, it } from 'vitest';
import { CanaryStatus } from '../api/index.ts';
import { canarySpec, Harness } from './harness.ts';

describe('describe', () => {
  it('reports what status shows for a rollout under way', () => {
    const h = new Harness(
      canarySpec({
        steps: [{ setWeight: 25 }, { pause: { duration: '10m' } }],
        analysis: { templates: [{ templateName: 'bg' }] },
      }),
      { stable: 'v1' },
    );
    h.send(
      { type: 'Tick', now: Date.UTC(2025, 0, 1) },
      { type: 'NewRevision', revision: 'v2' },
      { type: 'CanaryReady' },
    );
    expect(h.status).toEqual({
      phase: 'Progressing',
      revision: 'v2',
      stableRevision: 'v1',
      currentStepIndex: 1,
      stepStartedAt: '2025-01-01T00:00:00.000Z',
      canaryWeight: 25,
      message: 'v2 step 2/2: paused until 2025-01-01T00:10:00.000Z',
      activeRunIds: ['v2-r1-bg'],
      backgroundRunId: 'v2-r1-bg',
      attempt: 1,
      suspended: false,
    });
  });

  it('gives the pause reason only while paused, and the abort reason once aborted', () => {
    const h = new Harness(canarySpec({ steps: [{ analysis: { templates: [{ templateName: 't' }] } }] }));
    h.send({ type: 'NewRevision', revision: 'v2' });
    h.send({
      type: 'AnalysisVerdict',
      runId: 'v2-r1-s0',
      verdict: 'Error',
      onError: 'Pause',
      message: 'no data',
    });
    expect(h.status).toMatchObject({ phase: 'Paused', pauseReason: 'AnalysisError' });
    expect(h.status.message).toContain('no data');
    h.approve({ action: 'Abort', revision: 'v2' });
    expect(h.status.pauseReason).toBeUndefined();
    expect(h.status.message).toBe('aborted by alice');
  });

  it('produces fields that fit CanaryStatus', () => {
    const h = new Harness(canarySpec());
    h.rollOut('v2');
    const { phase, revision, stableRevision, currentStepIndex, stepStartedAt, canaryWeight, message } =
      h.status;
    const status = {
      phase,
      revision,
      stableRevision,
      currentStepIndex,
      stepStartedAt,
      canaryWeight,
      message,
      machine: h.state,
    };
    expect(CanaryStatus.safeParse(status).success).toBe(true);
  });
});
