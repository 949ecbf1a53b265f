import { afterEach, describe, expect, it } from 'vitest';
import { canary, startHarness, type Harness } from './harness.ts';
import { approve, image, startRollout, status, toIdle } from './rollout-helpers.ts';

let h: Harness;
afterEach(async () => h.stop());

const SECOND = 1000;

/** 1.0 stable; 2.0 promoted with PromoteFull: the primary already has 2.0's template, not yet ready. */
async function promoting(spec: Parameters<typeof canary>[0] = {}): Promise<void> {
  h = await startHarness({ canary: canary(spec) });
  await toIdle(h);
  await startRollout(h);
  await approve(h, 'PromoteFull');
  await h.pass();
  expect((await status(h)).phase).toBe('Promoting');
  expect(await image(h, 'podinfo-primary')).toBe('podinfo:2.0');
}

describe('an abort during Promoting against the simulator', () => {
  it('an Abort while Promoting gives the primary back the stable template it had', async () => {
    await promoting();
    const stable = (await status(h)).stableRevision;
    await approve(h, 'Abort');
    await h.pass();
    expect((await status(h)).phase).toBe('Aborted');
    expect(await image(h, 'podinfo-primary')).toBe('podinfo:1.0');
    const primary = await h.get('Deployment', 'podinfo-primary');
    expect(primary?.metadata.annotations?.['serin.dev/revision']).toBe(stable);
    expect(await h.weights()).toEqual({ primary: 100, canary: 0 });
    expect((await h.events()).map((e) => e.reason)).toContain('PrimaryRestored');
    // The restored primary rolls out and serves; the next passes leave it alone.
    await h.markRolledOut('podinfo-primary');
    await h.pass();
    expect(await image(h, 'podinfo-primary')).toBe('podinfo:1.0');
    expect((await status(h)).phase).toBe('Aborted');
  });

  it('a promotion that misses progressDeadlineSeconds fails and the primary goes back to stable', async () => {
    await promoting({ progressDeadlineSeconds: 120 });
    h.clock.advance(121 * SECOND);
    await h.pass();
    expect((await status(h)).phase).toBe('Failed');
    expect(await image(h, 'podinfo-primary')).toBe('podinfo:1.0');
    expect(await h.weights()).toEqual({ primary: 100, canary: 0 });
  });

  it('a Retry after the undone promotion promotes the revision again', async () => {
    await promoting();
    await approve(h, 'Abort');
    await h.pass();
    await approve(h, 'Retry');
    await h.pass();
    await h.markRolledOut('podinfo');
    await h.pass();
    await approve(h, 'PromoteFull');
    await h.pass();
    expect(await image(h, 'podinfo-primary')).toBe('podinfo:2.0');
    await h.markRolledOut('podinfo-primary');
    await h.pass();
    expect((await status(h)).phase).toBe('Succeeded');
  });
});
