import { afterEach, describe, expect, it } from 'vitest';
import { canary, startHarness, type Harness } from './harness.ts';
import { approve, replicas, startRollout, status, toIdle } from './rollout-helpers.ts';

let h: Harness;
afterEach(async () => h.stop());

const SECOND = 1000;

describe('onFailure: Pause through the controller', () => {
  it('a Failed analysis sets the canary weight to 0, keeps its pods and waits Paused (AnalysisFailed); Retry starts attempt 2', async () => {
    h = await startHarness({ canary: canary({ onFailure: 'Pause' }) });
    await toIdle(h);
    await startRollout(h);
    h.clock.advance(61 * SECOND);
    await h.pass();
    h.provider.set('success_rate', 0.81);
    await h.pass();
    expect(await status(h)).toMatchObject({
      phase: 'Paused',
      pauseReason: 'AnalysisFailed',
      canaryWeight: 0,
    });
    expect(await h.weights()).toEqual({ primary: 100, canary: 0 });
    h.clock.advance(600 * SECOND);
    await h.pass();
    // No scale-down is scheduled: the pods stay for a person to look at.
    expect(await replicas(h, 'podinfo')).toBe(2);
    expect((await status(h)).canaryScaleDownAt).toBeUndefined();

    h.provider.set('success_rate', 0.99);
    await approve(h, 'Retry');
    await h.pass();
    const retried = await status(h);
    expect(retried.phase).toBe('Progressing');
    expect(retried.approvals?.at(-1)).toMatchObject({ action: 'Retry', result: 'Applied' });
    // The retried attempt sees its canary ready on the next pass, and only then gets traffic.
    await h.pass();
    expect(await h.weights()).toEqual({ primary: 80, canary: 20 });
  });
});
