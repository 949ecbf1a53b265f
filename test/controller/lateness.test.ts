/**
 * serin_measurement_lateness_seconds in the controller: each measurement a pass takes is observed
 * as the pass's start minus the time the measurement was due.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { reconcile } from '../../src/controller/reconcile.ts';
import { ControllerMetrics } from '../../src/telemetry/metrics.ts';
import { NS, startHarness, type Harness } from './harness.ts';
import { startRollout, toIdle } from './rollout-helpers.ts';

let h: Harness;
afterEach(async () => h.stop());

async function lateness(metrics: ControllerMetrics): Promise<{ count: number; sum: number }> {
  const text = await metrics.registry.metrics();
  const read = (name: string): number =>
    Number(
      text
        .split('\n')
        .find((line) => line.startsWith(`${name} `))
        ?.split(' ')[1] ?? NaN,
    );
  return {
    count: read('serin_measurement_lateness_seconds_count'),
    sum: read('serin_measurement_lateness_seconds_sum'),
  };
}

describe('measurement lateness in the controller', () => {
  it('observes each measurement against its due time', async () => {
    h = await startHarness();
    const metrics = new ControllerMetrics();
    const pass = () => reconcile({ ...h.deps, metrics }, { namespace: NS, name: 'podinfo' });
    await toIdle(h);
    await startRollout(h);
    h.provider.set('success_rate', 0.99);
    h.clock.advance(61_000);
    await pass();
    const started = (await h.get('Canary', 'podinfo'))?.status as {
      analysis?: { metrics: { nextMeasurementAt?: string; count: number }[] }[];
    };
    const due = Date.parse(started.analysis?.[0]?.metrics[0]?.nextMeasurementAt ?? '');
    expect(Number.isNaN(due)).toBe(false);
    const before = await lateness(metrics);
    // The next measurement is due at `due`; the pass comes 2.5 s after it.
    h.clock.advance(due - h.clock.now() + 2_500);
    await pass();
    const after = await lateness(metrics);
    expect(after.count - before.count).toBe(1);
    expect(after.sum - before.sum).toBeCloseTo(2.5);
  });
});
