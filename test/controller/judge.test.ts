import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/kube/index.ts';
import type { RangeOutcome } from '../../src/ports/index.ts';
import { canary, NS, startHarness, type Harness } from './harness.ts';
import { startRollout, status, toIdle } from './rollout-helpers.ts';

/**
 * A scored judge metric (two comparisons, errors critical) driven by the controller, tick by tick:
 * the comparisons' range queries are scripted, the score decides the analysis, and the analysis
 * decides the traffic.
 */

let h: Harness;
afterEach(async () => h.stop());

const SECOND = 1000;

function scoredTemplate(): KubeObject {
  const pair = (name: string) => ({
    name,
    baselineQuery: `${name}{workload="{{canary.primaryWorkload}}"}`,
    canaryQuery: `${name}{workload="{{canary.workload}}"}`,
  });
  return {
    apiVersion: 'serin.dev/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: 'vs-primary', namespace: NS },
    spec: {
      metrics: [
        {
          name: 'vs-primary',
          interval: '10s',
          count: 1,
          provider: {
            judge: {
              prometheus: { address: 'http://127.0.0.1:9' },
              window: '1m',
              step: '3s',
              comparisons: [pair('latency'), { ...pair('errors'), critical: true }],
            },
          },
        },
      ],
    },
  };
}

const scoredCanary = () =>
  canary({
    steps: [
      { setWeight: 20 },
      { analysis: { templates: [{ templateName: 'vs-primary' }] } },
      { setWeight: 50 },
      { pause: {} },
    ],
  });

/** 21 points (a 1m window every 3s) around `centre`, with deterministic jitter. */
function sample(centre: number, seed: number, points = 21): RangeOutcome {
  let state = seed;
  const values = Array.from({ length: points }, (_, i) => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return { time: i * 3_000, value: centre * (0.95 + 0.1 * (state / 2 ** 31)) };
  });
  return { kind: 'series', series: [{ labels: {}, points: values }] };
}

async function toAnalysis(): Promise<void> {
  h = await startHarness({ canary: scoredCanary(), templates: [scoredTemplate()] });
  await toIdle(h);
  await startRollout(h);
  expect(await h.weights()).toEqual({ primary: 80, canary: 20 });
  h.provider.setRange('latency{workload="podinfo-primary"}', sample(20, 1));
  h.provider.setRange('errors{workload="podinfo-primary"}', sample(0.01, 2));
}

describe('a scored judge metric in a rollout', () => {
  it('continues to the next step when every comparison passes (score 100)', async () => {
    await toAnalysis();
    h.provider.setRange('latency{workload="podinfo"}', sample(20, 3));
    h.provider.setRange('errors{workload="podinfo"}', sample(0.01, 4));
    await h.pass();
    await h.pass();
    const after = await status(h);
    expect(after.analysis?.[0]).toMatchObject({ phase: 'Successful' });
    expect(after.analysis?.[0]?.metrics[0]?.measurements[0]).toMatchObject({
      phase: 'Successful',
      value: '100',
    });
    await h.pass();
    expect(await h.weights()).toEqual({ primary: 50, canary: 50 });
    // The judge's window ends at the controller's clock, not the machine's.
    const [request] = h.provider.sentRanges;
    expect(request).toMatchObject({
      end: h.clock.now(),
      start: h.clock.now() - 60 * SECOND,
      stepMs: 3 * SECOND,
    });
  });

  it('rolls back when the critical error comparison is High, though latency passes (score 0)', async () => {
    await toAnalysis();
    h.provider.setRange('latency{workload="podinfo"}', sample(20, 3));
    h.provider.setRange('errors{workload="podinfo"}', sample(0.2, 4));
    await h.pass();
    await h.pass();
    const after = await status(h);
    expect(after.phase).toBe('Aborted');
    expect(after.analysis?.[0]?.metrics[0]?.measurements[0]).toMatchObject({ phase: 'Failed', value: '0' });
    expect(await h.weights()).toEqual({ primary: 100, canary: 0 });
    const events = (await h.events()).map((e) => e.message).join('\n');
    expect(events).toMatch(/errors High \(critical\)/);
  });

  it('pauses for on-call, never fails, when the canary has too few points to judge', async () => {
    await toAnalysis();
    h.provider.setRange('latency{workload="podinfo"}', sample(20, 3, 6));
    h.provider.setRange('errors{workload="podinfo"}', sample(0.01, 4, 6));
    await h.pass();
    await h.pass();
    const after = await status(h);
    expect(after).toMatchObject({ phase: 'Paused', pauseReason: 'InconclusiveAnalysis' });
    const measurement = after.analysis?.[0]?.metrics[0]?.measurements[0] as {
      phase: string;
      message?: string;
    };
    expect(measurement.phase).toBe('Inconclusive');
    expect(measurement.message).toMatch(
      /^no data: latency, errors without data: the score could be 0 to 100 \(pass 95, marginal 75\);/,
    );
    expect(await h.weights()).toEqual({ primary: 80, canary: 20 });
  });
});
