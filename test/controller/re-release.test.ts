import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.ts';
import { approve, release, startRollout, status, toIdle } from './rollout-helpers.ts';

let h: Harness;
afterEach(async () => h.stop());

const SECOND = 1000;

/** From the end of step 0 to the end of the analysis step: the 1 m pause, then two measurements. */
async function throughAnalysis(h: Harness, successRate: number): Promise<void> {
  h.clock.advance(61 * SECOND);
  await h.pass();
  expect((await status(h)).currentStepIndex).toBe(2);
  h.provider.set('success_rate', successRate);
  await h.pass();
  h.clock.advance(10 * SECOND);
  await h.pass();
}

describe('a revision released again', () => {
  it('measures again: an earlier rollout of the same revision never lends it its Successful run', async () => {
    h = await startHarness();
    await toIdle(h);

    // First rollout of 2.0: the analysis passes, then on-call aborts at the manual pause.
    await startRollout(h, 'podinfo:2.0');
    await throughAnalysis(h, 0.99);
    const first = await status(h);
    const firstRun = first.analysis?.at(-1);
    expect(firstRun).toMatchObject({ phase: 'Successful' });
    await h.pass();
    await h.pass();
    expect(await status(h)).toMatchObject({ phase: 'Paused', currentStepIndex: 4 });
    await approve(h, 'Abort');
    await h.pass();
    expect((await status(h)).phase).toBe('Aborted');

    // The team goes back to the stable template, then releases 2.0 again while it is now broken
    // (a dependency changed): the analysis must read today's 0.5, not last rollout's 0.99.
    await release(h, 'podinfo:1.0');
    await h.pass();
    await h.pass();
    expect((await status(h)).phase).toBe('Idle');
    await startRollout(h, 'podinfo:2.0');
    expect((await status(h)).revision).toBe(first.revision);
    await throughAnalysis(h, 0.5);

    const again = await status(h);
    const runs = again.analysis ?? [];
    const secondRun = runs.at(-1);
    expect(secondRun?.runId).not.toBe(firstRun?.runId);
    expect(secondRun?.metrics[0]?.measurements.map((m) => m.value)).toContain('0.5');
    expect(again.phase).toBe('Aborted');
    expect(await h.weights()).toEqual({ primary: 100, canary: 0 });
  });
});
