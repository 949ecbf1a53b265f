/**
 * A pass in which nothing changed writes nothing (keepClockIfIdle, and the status writer skipping a
 * patch with no difference): a Canary waiting in an analysis step between two measurements is looked
 * at every resync, and a status write per resync is one PATCH per Canary per 15 s at scale.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CanaryStatus } from '../../src/api/index.ts';
import { createMergePatch } from '../../src/kube/merge-patch.ts';
import { canary, startHarness, successRateTemplate, type Harness } from './harness.ts';
import { startRollout, toIdle } from './rollout-helpers.ts';

let h: Harness;
afterEach(async () => h.stop());

const SECOND = 1000;
const fullStatus = async (): Promise<CanaryStatus> => (await h.get('Canary', 'podinfo'))?.status ?? {};

/** The scale bench's shape: setWeight → analysis every 30 s → pause until an Approval. */
function analysisCanary() {
  return canary({
    progressDeadlineSeconds: 600,
    steps: [
      { setWeight: 10 },
      {
        analysis: {
          templates: [{ templateName: 'success-rate' }],
          args: [{ name: 'workload', value: 'podinfo' }],
        },
      },
      { pause: {} },
    ],
  });
}

function everyThirtySeconds() {
  const template = successRateTemplate();
  const metric = (template.spec as { metrics: Record<string, unknown>[] }).metrics[0]!;
  metric.interval = '30s';
  metric.count = 100_000;
  (metric.provider as { prometheus: Record<string, unknown> }).prometheus.scrapeInterval = '5s';
  return template;
}

describe('a pass in which nothing changed', () => {
  it('writes no status while an analysis waits for its next measurement', async () => {
    h = await startHarness({ canary: analysisCanary(), templates: [everyThirtySeconds()] });
    h.provider.set('success_rate', 0.99);
    await toIdle(h);
    await startRollout(h);
    // At the analysis step, with measurements taken.
    for (let i = 0; i < 3; i++) {
      h.clock.advance(30 * SECOND);
      await h.pass();
    }
    const measuring = await fullStatus();
    expect(measuring.currentStepIndex).toBe(1);
    expect(measuring.analysis?.[0]?.metrics[0]?.count ?? 0).toBeGreaterThan(0);
    const due = Date.parse(measuring.analysis?.[0]?.metrics[0]?.nextMeasurementAt ?? '');
    expect(due).toBeGreaterThan(h.clock.now() + 5 * SECOND);

    // Two resync passes a few seconds apart, both before the next measurement is due.
    h.clock.advance(2 * SECOND);
    await h.pass();
    const first = await fullStatus();
    const write = vi.spyOn(h.deps.statusWriter, 'write');
    h.sim.audit.clear();
    h.clock.advance(3 * SECOND);
    await h.pass();
    const second = await fullStatus();

    // Nothing differs between the passes: not the machine's clock, not the analysis.
    expect(createMergePatch(first, second)).toBeUndefined();
    // The pass computed a status equal to the stored one (the machine's context holds nulls for its
    // empty fields, which the server does not store, and the analysis may be built with its keys in
    // another order than stored) and sent nothing.
    const results = await Promise.all(write.mock.results.map((r) => r.value as Promise<{ kind: string }>));
    expect(results.map((r) => r.kind)).toEqual(['unchanged']);
    const statusPatches = h.sim.audit
      .entries()
      .filter((e) => e.kind === 'resource' && e.verb === 'patch' && e.subresource === 'status');
    expect(statusPatches).toEqual([]);

    // The next measurement, when due, is written.
    h.clock.advance(due - h.clock.now());
    await h.pass();
    const measured = await fullStatus();
    expect(measured.analysis?.[0]?.metrics[0]?.count).toBe(
      (second.analysis?.[0]?.metrics[0]?.count ?? 0) + 1,
    );
    expect(results.length + 1).toBe(write.mock.results.length);
    expect(((await write.mock.results.at(-1)?.value) as { kind: string }).kind).toBe('written');
  });
});
