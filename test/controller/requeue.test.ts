/**
 * When a pass asks to look at the Canary again (WorkResult.requeueAfterMs) with no watch event: the
 * earliest time it knows of, and otherwise a resync (reconcile.ts, requeueAfter).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CanaryStatus } from '../../src/api/index.ts';
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

  it('counts the sleep from the end of the pass, so a slow status write does not delay the next measurement', async () => {
    h = await startHarness({ templates: [everyMinute()] });
    await toIdle(h);
    await startRollout(h);
    h.provider.set('success_rate', 0.99);
    h.clock.advance(61_000);
    await h.pass();
    // The status write of the measuring pass takes 2 s (a busy API server).
    const client = h.deps.client;
    const mergePatch = client.mergePatch.bind(client);
    client.mergePatch = async <T extends KubeObject = KubeObject>(
      ...args: Parameters<typeof mergePatch>
    ): Promise<T> => {
      const written = await mergePatch<T>(...args);
      if (args[0].kind === 'Canary') h?.clock.advance(2_000);
      return written;
    };
    const result = await h.pass();
    const canaryStatus = (await h.get('Canary', 'podinfo'))?.status as CanaryStatus | undefined;
    const metric = canaryStatus?.analysis?.[0]?.metrics[0];
    expect(metric?.measurements.map((m) => m.phase)).toEqual(['Successful']);
    const due = Date.parse(metric?.nextMeasurementAt ?? '');
    // Due 60 s after the measurement; the pass ended 2 s after it, so 58 s from then.
    expect(due - Date.parse(metric?.measurements[0]?.finishedAt ?? '')).toBe(60_000);
    expect(result.requeueAfterMs).toBe(58_000);
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
