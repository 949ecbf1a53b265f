/**
 * When a pass asks to look at the Canary again (WorkResult.requeueAfterMs) with no watch event: the
 * earliest time it knows of, and otherwise a resync (reconcile.ts, requeueAfter).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/kube/index.ts';
import { canary, startHarness, successRateTemplate, type Harness } from './harness.ts';
import { release, replicas, startRollout, status, toIdle } from './rollout-helpers.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/** The harness's success-rate template, measured every minute. */
function everyMinute(): KubeObject {
  const template = successRateTemplate();
  const spec = template.spec as { metrics: { interval: string; count: number }[] };
  spec.metrics[0]!.interval = '1m';
  spec.metrics[0]!.count = 5;
  return template;
}

describe('requeue after a pass', () => {
  it('sleeps until the next measurement while an analysis measures, not the 15 s rollout resync', async () => {
    h = await startHarness({ templates: [everyMinute()] });
    await toIdle(h);
    await startRollout(h);
    h.provider.set('success_rate', 0.99);
    h.clock.advance(61_000);
    await h.pass(); // the pause ends; the analysis starts, its first measurement due now
    const result = await h.pass();
    const run = (await status(h)).analysis?.[0];
    expect(run?.metrics[0]?.measurements.map((m) => m.phase)).toEqual(['Successful']);
    expect(result.requeueAfterMs).toBe(60_000);
  });

  it('looks again every 15 s during a rollout with nothing scheduled (a pause for a person)', async () => {
    h = await startHarness({ canary: canary({ steps: [{ setWeight: 20 }, { pause: {} }] }) });
    await toIdle(h);
    await startRollout(h);
    const result = await h.pass();
    expect((await status(h)).phase).toBe('Paused');
    expect(result.requeueAfterMs).toBe(15_000);
  });

  it('comes back when the canary readiness deadline runs out, when that is sooner than the resync', async () => {
    h = await startHarness({ canary: canary({ progressDeadlineSeconds: 10 }) });
    await toIdle(h);
    await release(h, 'podinfo:2.0');
    await h.pass();
    expect(await replicas(h, 'podinfo')).toBe(2);
    h.clock.advance(4_000);
    // The canary is not ready: the deadline (10 s after the wait began) is 6 s away.
    const result = await h.pass();
    expect(result.requeueAfterMs).toBe(6_000);
    h.clock.advance(6_000);
    await h.pass();
    expect((await status(h)).message).toMatch(/not ready within 10s/);
  });
});
