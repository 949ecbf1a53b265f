/**
 * The evidence rule in the controller: `status.canaryTrafficSince` records when the canary got
 * traffic, and a measurement that would pass before the template's window plus two scrapes is
 * deferred, with the reason in status. A failing measurement counts at once, except while the
 * query may still read an earlier revision's traffic (`status.previousTrafficUntil`): every revision
 * of the canary is one series.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CanaryStatus } from '../../src/api/index.ts';
import { canary, startHarness, successRateTemplate, type Harness } from './harness.ts';
import { release, startRollout, toIdle } from './rollout-helpers.ts';

let h: Harness;
afterEach(async () => h.stop());

const SECOND = 1000;
const fullStatus = async (): Promise<CanaryStatus> => (await h.get('Canary', 'podinfo'))?.status ?? {};

/** The harness' template, but over a 5m window scraped every 30s: 6 minutes of evidence. */
function slowTemplate() {
  const template = successRateTemplate();
  const metric = (template.spec as { metrics: { provider: { prometheus: Record<string, unknown> } }[] })
    .metrics[0]!;
  metric.provider.prometheus.query = 'sum(rate(success_rate{workload="{{args.workload}}"}[5m]))';
  metric.provider.prometheus.scrapeInterval = '30s';
  return template;
}

describe('the evidence rule in the controller', () => {
  it('records when the canary got weight, keeps it while weight stays, and drops it at weight 0', async () => {
    h = await startHarness();
    await toIdle(h);
    expect((await fullStatus()).canaryTrafficSince).toBeUndefined();
    await startRollout(h);
    const since = (await fullStatus()).canaryTrafficSince;
    expect(since).toBe(new Date(h.clock.now()).toISOString());
    h.clock.advance(61 * SECOND);
    await h.pass();
    expect((await fullStatus()).canaryTrafficSince).toBe(since);
    h.provider.set('success_rate', 0.5);
    await h.pass();
    const aborted = await fullStatus();
    expect([aborted.phase, aborted.canaryWeight, aborted.canaryTrafficSince]).toEqual([
      'Aborted',
      0,
      undefined,
    ]);
  });

  it('defers a passing measurement until the window plus two scrapes of traffic, saying why, then counts it', async () => {
    h = await startHarness({ templates: [slowTemplate()] });
    await toIdle(h);
    await startRollout(h);
    const since = h.clock.now();
    h.clock.advance(61 * SECOND);
    await h.pass();
    h.provider.set('success_rate', 0.99);
    await h.pass();
    const deferred = (await fullStatus()).analysis?.[0]?.metrics[0];
    expect(deferred).toMatchObject({ phase: 'Running', count: 0, measurements: [] });
    expect(deferred?.message).toBe(
      `deferred: measured 0.99 (Successful), but the canary has had traffic only since ${new Date(since).toISOString()}; ` +
        `its errors show in this query from ${new Date(since + 360 * SECOND).toISOString()} (window 300s + 2 scrape intervals of 30s)`,
    );
    // Measured again at the interval (10 s), not only when the evidence suffices.
    expect(deferred?.nextMeasurementAt).toBe(new Date(h.clock.now() + 10 * SECOND).toISOString());
    while (h.clock.now() < since + 360 * SECOND) {
      h.clock.advance(10 * SECOND);
      await h.pass();
    }
    const counted = (await fullStatus()).analysis?.[0]?.metrics[0];
    expect(counted?.count).toBe(1);
    expect(Date.parse(counted?.measurements[0]?.startedAt ?? '')).toBeGreaterThanOrEqual(
      since + 360 * SECOND,
    );
  });

  it('never defers a failing measurement: the canary is rolled back at once', async () => {
    h = await startHarness({ templates: [slowTemplate()] });
    await toIdle(h);
    await startRollout(h);
    h.clock.advance(61 * SECOND);
    await h.pass();
    h.provider.set('success_rate', 0.5);
    await h.pass();
    await h.pass();
    expect(await h.weights()).toEqual({ primary: 100, canary: 0 });
    expect((await fullStatus()).phase).toBe('Aborted');
  });

  it('starts counting again for a new revision', async () => {
    h = await startHarness();
    await toIdle(h);
    await startRollout(h);
    const first = (await fullStatus()).canaryTrafficSince;
    h.clock.advance(30 * SECOND);
    await release(h, 'podinfo:3.0');
    await h.pass();
    await h.markRolledOut('podinfo');
    await h.pass();
    const second = await fullStatus();
    expect(second.canaryWeight).toBe(20);
    expect(second.canaryTrafficSince).toBe(new Date(h.clock.now()).toISOString());
    expect(second.canaryTrafficSince).not.toBe(first);
  });

  it("records when a revision's canary traffic ended, keeps it at weight 0 and after, and moves it when a new revision takes over", async () => {
    h = await startHarness();
    await toIdle(h);
    await startRollout(h);
    expect((await fullStatus()).previousTrafficUntil).toBeUndefined();
    h.clock.advance(61 * SECOND);
    await h.pass();
    h.provider.set('success_rate', 0.5);
    await h.pass();
    const aborted = await fullStatus();
    const abortedAt = new Date(h.clock.now()).toISOString();
    expect([aborted.phase, aborted.canaryWeight, aborted.previousTrafficUntil]).toEqual([
      'Aborted',
      0,
      abortedAt,
    ]);
    h.clock.advance(10 * SECOND);
    await h.pass();
    expect((await fullStatus()).previousTrafficUntil).toBe(abortedAt);
    h.clock.advance(10 * SECOND);
    h.provider.set('success_rate', 0.99);
    await startRollout(h, 'podinfo:3.0');
    const next = await fullStatus();
    expect([next.canaryWeight, next.previousTrafficUntil]).toEqual([20, abortedAt]);
    h.clock.advance(30 * SECOND);
    await release(h, 'podinfo:4.0');
    await h.pass();
    const takenOver = new Date(h.clock.now()).toISOString();
    expect((await fullStatus()).previousTrafficUntil).toBe(takenOver);
    await h.markRolledOut('podinfo');
    await h.pass();
    const fourth = await fullStatus();
    expect([fourth.canaryWeight, fourth.previousTrafficUntil]).toEqual([20, takenOver]);
  });

  it("defers a failure right after an earlier revision's traffic, and counts measurements once the window has passed", async () => {
    // setWeight then analysis at once: the good release is measured within the bad one's window.
    h = await startHarness({
      canary: canary({
        steps: [
          { setWeight: 20 },
          {
            analysis: {
              templates: [{ templateName: 'success-rate' }],
              args: [{ name: 'workload', value: 'podinfo' }],
            },
          },
          { setWeight: 50 },
          { pause: {} },
        ],
      }),
    });
    await toIdle(h);
    h.provider.set('success_rate', 0.5);
    await startRollout(h);
    await h.pass();
    await h.pass();
    const bad = await fullStatus();
    expect([bad.phase, bad.canaryWeight]).toEqual(['Aborted', 0]);
    const ended = Date.parse(bad.previousTrafficUntil ?? '');
    expect(ended).toBe(h.clock.now());
    // The good release, while the shared series still shows the bad one's errors.
    await startRollout(h, 'podinfo:3.0');
    // The query reads the value, scraped every 15 s: the bad traffic shows until ended + 30 s.
    while (h.clock.now() < ended + 30 * SECOND) {
      await h.pass();
      const waiting = await fullStatus();
      expect([waiting.phase, waiting.canaryWeight]).toEqual(['Progressing', 20]);
      const metric = waiting.analysis?.at(-1)?.metrics[0];
      expect(metric).toMatchObject({ count: 0, failed: 0, measurements: [] });
      expect(metric?.message).toContain(
        `deferred: measured 0.5 (Failed), but this query reads traffic of the earlier revision until ${bad.previousTrafficUntil}`,
      );
      h.clock.advance(5 * SECOND);
    }
    h.provider.set('success_rate', 0.99);
    for (let i = 0; i < 6 && (await fullStatus()).canaryWeight !== 50; i++) {
      await h.pass();
      h.clock.advance(10 * SECOND);
    }
    const good = await fullStatus();
    expect([good.phase, good.canaryWeight]).toEqual(['Paused', 50]);
    expect(good.analysis?.at(-1)).toMatchObject({ phase: 'Successful' });
  });
});
