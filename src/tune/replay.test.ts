import { describe, expect, it } from 'vitest';
import { parseKind, type AnalysisTemplateSpec, type Canary } from '../api/index.ts';
import type { MetricProvider, RangeQueryRequest } from '../ports/index.ts';
import { createJudgeRunner } from '../providers/judge/index.ts';
import { replay } from './replay.ts';

const START = Date.parse('2026-06-01T10:00:00Z');
const M = 60_000;
/** The canary's latency jumps from 100 to 300 ms at this instant. */
const REGRESSION_AT = START + 3 * M;

function parsed<T>(result: { ok: true; value: T } | { ok: false }): T {
  if (!result.ok) throw new Error('fixture does not validate');
  return result.value;
}

const canary = parsed<Canary>(
  parseKind('Canary', {
    apiVersion: 'serin.dev/v1alpha1',
    kind: 'Canary',
    metadata: { name: 'checkout', namespace: 'shop' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'checkout' },
      service: { name: 'checkout', port: 8080 },
      trafficRouting: { istio: { virtualServices: [{ name: 'checkout' }] } },
      steps: [{ setWeight: 10 }, { analysis: { templates: [{ templateName: 'judge' }] } }, { setWeight: 50 }],
    },
  }),
);

const template: AnalysisTemplateSpec = (
  parsed(
    parseKind('AnalysisTemplate', {
      apiVersion: 'serin.dev/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: 'judge' },
      spec: {
        metrics: [
          {
            name: 'latency-vs-primary',
            interval: '1m',
            count: 20,
            provider: {
              judge: {
                prometheus: { address: 'http://prometheus.test:9090' },
                window: '10m',
                step: '30s',
                baselineQuery: 'latency{workload="{{canary.primaryWorkload}}"}',
                canaryQuery: 'latency{workload="{{canary.workload}}"}',
              },
            },
          },
        ],
      },
    }),
  ) as { spec: AnalysisTemplateSpec }
).spec;

/** Range queries answered from a made-up past: 21 points with a little deterministic noise. */
function past(): MetricProvider & { ranges: RangeQueryRequest[] } {
  const ranges: RangeQueryRequest[] = [];
  return {
    ranges,
    instantQuery: () => Promise.reject(new Error('the judge runs range queries only')),
    rangeQuery: (request) => {
      ranges.push(request);
      const isCanary = request.query.includes('"checkout"');
      const points: { time: number; value: number }[] = [];
      for (let t = request.start, i = 0; t <= request.end; t += request.stepMs, i++) {
        const base = isCanary && t >= REGRESSION_AT ? 300 : 100;
        points.push({ time: t, value: base + ((i * 7) % 5) });
      }
      return Promise.resolve({ kind: 'series', series: [{ labels: {}, points }] });
    },
  };
}

describe('replay with a judge metric', () => {
  it('runs the judge as the controller does, each measurement judging the window that ends at its virtual time', async () => {
    const provider = past();
    // The judge's own clock is the wall clock: only replay's virtual time may place the windows.
    const judge = createJudgeRunner({ provider, now: () => Date.parse('2030-01-01T00:00:00Z') });
    const result = await replay({
      canary,
      templates: new Map([['templateName/judge', template]]),
      provider,
      judge,
      start: START,
      end: START + 3600_000,
    });
    const ends = [...new Set(provider.ranges.map((r) => r.end))].sort((a, b) => a - b);
    expect(ends[0]).toBe(START);
    for (const end of ends) {
      expect((end - START) % M).toBe(0);
      expect(end).toBeLessThanOrEqual(result.at);
    }
    for (const r of provider.ranges) expect(r.end - r.start).toBe(10 * M);
    const measured = result.timeline.filter((e) => e.kind === 'measurement' && e.phase !== undefined);
    expect(measured.every((e) => e.phase !== 'Error')).toBe(true);
    expect(measured[0]?.phase).toBe('Successful');
    // The canary is High once enough of the 10-minute window holds the regression.
    expect(result.outcome).toBe('Aborted');
    expect(result.at).toBeGreaterThan(REGRESSION_AT);
    // ... and no later than one interval after the whole window holds it.
    expect(result.at).toBeLessThanOrEqual(REGRESSION_AT + 11 * M);
    expect(result.weightZeroAt).toBe(result.at);
  });
});

describe('replay with webhook gates', () => {
  it('never calls a webhook: each gate the rollout waits on is taken as passed, and the rollback gate never aborts', async () => {
    const gated = parsed<Canary>(
      parseKind('Canary', {
        ...canary,
        spec: {
          ...canary.spec,
          steps: [{ setWeight: 10 }, { setWeight: 50 }],
          webhooks: [
            { name: 'confirm', type: 'confirm-rollout', url: 'http://gate.test/confirm' },
            { name: 'load', type: 'rollout', url: 'http://gate.test/load' },
            { name: 'promote', type: 'confirm-promotion', url: 'http://gate.test/promote' },
            { name: 'tell', type: 'post-rollout', url: 'http://gate.test/tell' },
            { name: 'stop', type: 'rollback', url: 'http://gate.test/stop' },
          ],
        },
      }),
    );
    const result = await replay({
      canary: gated,
      templates: new Map(),
      provider: past(),
      start: START,
      end: START + 3600_000,
    });
    const gates = result.timeline.filter((e) => e.kind === 'gate').map((e) => e.text);
    expect(gates).toContain(
      'confirm-rollout webhooks: not called (replay cannot ask the past), taken as passed',
    );
    expect(gates).toContain('rollout webhooks: not called (replay cannot ask the past), taken as passed');
    expect(gates).toContain(
      'confirm-promotion webhooks: not called (replay cannot ask the past), taken as passed',
    );
    expect(result.outcome).toBe('Succeeded');
    expect(result.at - START).toBeLessThan(60_000);
  });
});
