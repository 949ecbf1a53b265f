import { describe, expect, it } from 'vitest';
import { Canary, Metric, type AnalysisRunStatus } from '../api/index.ts';
import type { InstantQueryRequest, MetricProvider } from '../ports/index.ts';
import { measureRuns, type MeasurementTiming } from './canary-runs.ts';
import { startRun } from './run.ts';

const START = Date.parse('2026-01-01T00:00:00Z');

const canary = Canary.parse({
  apiVersion: 'serin.dev/v1alpha1',
  kind: 'Canary',
  metadata: { name: 'checkout', namespace: 'shop' },
  spec: {
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'checkout' },
    service: { name: 'checkout', port: 8080 },
    trafficRouting: { istio: { virtualServices: [{ name: 'checkout' }] } },
    steps: [{ analysis: { templates: [{ templateName: 'rate' }] } }],
  },
});

const metrics = [
  Metric.parse({
    name: 'error-rate',
    interval: '10s',
    count: 5,
    successCondition: 'result < 0.05',
    provider: {
      prometheus: { address: 'http://prom.test:9090', query: 'errors{app="{{canary.workload}}"}' },
    },
  }),
  Metric.parse({
    name: 'delayed',
    initialDelay: '30s',
    interval: '10s',
    count: 5,
    successCondition: 'result < 0.05',
    provider: { prometheus: { address: 'http://prom.test:9090', query: 'latency' } },
  }),
];
const templates = new Map([['templateName/rate', { metrics }]]);

function recordingProvider(): MetricProvider & { asked: InstantQueryRequest[] } {
  const asked: InstantQueryRequest[] = [];
  return {
    asked,
    instantQuery: (request) => {
      asked.push(request);
      return Promise.resolve({ kind: 'value', value: 0.01 });
    },
    rangeQuery: () => Promise.resolve({ kind: 'noData', reason: 'not used' }),
  };
}

async function pass(
  runs: AnalysisRunStatus[],
  now: number,
  options: { provider?: MetricProvider; signal?: AbortSignal } = {},
) {
  const timings: { metric: string; timing: MeasurementTiming }[] = [];
  const measured = await measureRuns(
    { canary, runs, activeRunIds: ['run-1'], templates, now, clock: () => now },
    {
      provider: options.provider ?? recordingProvider(),
      ...(options.signal ? { signal: options.signal } : {}),
      onMeasurement: (metric, _phase, timing) => timings.push({ metric, timing }),
    },
  );
  return { measured, timings };
}

describe('measurement lateness', () => {
  const run = startRun({
    runId: 'run-1',
    kind: 'Step',
    revision: 'r2',
    step: 0,
    templates: [{ metrics }],
    now: START,
  });

  it('reports the first measurement as due at the run start, and later ones at their nextMeasurementAt', async () => {
    const first = await pass([run], START + 1_500);
    expect(first.timings).toEqual([
      { metric: 'error-rate', timing: { dueAt: START, startedAt: START + 1_500 } },
    ]);
    const due = Date.parse(first.measured[0]?.metrics[0]?.nextMeasurementAt ?? '');
    expect(due).toBe(START + 1_500 + 10_000);
    const second = await pass(first.measured, due + 250);
    expect(second.timings).toEqual([{ metric: 'error-rate', timing: { dueAt: due, startedAt: due + 250 } }]);
  });

  it('counts initialDelay into the due time of the first measurement', async () => {
    const { timings } = await pass([run], START + 30_040);
    expect(timings).toContainEqual({
      metric: 'delayed',
      timing: { dueAt: START + 30_000, startedAt: START + 30_040 },
    });
  });

  it('hands the pass signal to every query', async () => {
    const provider = recordingProvider();
    const stop = new AbortController();
    await pass([run], START, { provider, signal: stop.signal });
    expect(provider.asked.map((request) => request.signal)).toEqual([stop.signal]);
  });
});

describe("the evidence rule: an earlier revision's traffic", () => {
  const run = startRun({
    runId: 'run-1',
    kind: 'Step',
    revision: 'r2',
    step: 0,
    templates: [{ metrics: metrics.slice(0, 1) }],
    now: START,
  });
  const failing: MetricProvider = {
    instantQuery: () => Promise.resolve({ kind: 'value', value: 0.5 }),
    rangeQuery: () => Promise.resolve({ kind: 'noData', reason: 'not used' }),
  };
  const measureAt = (runs: AnalysisRunStatus[], now: number, previousTrafficUntil: number) =>
    measureRuns(
      { canary, runs, activeRunIds: ['run-1'], templates, now, clock: () => now, previousTrafficUntil },
      { provider: failing },
    );

  it("does not count a failure read while the series may hold the earlier revision's traffic, then counts it", async () => {
    // An instant query scraped every 1m (the default): the earlier traffic shows for 2 minutes.
    const ended = START - 60_000;
    const deferred = await measureAt([run], START, ended);
    expect(deferred[0]?.phase).toBe('Running');
    expect(deferred[0]?.metrics[0]).toMatchObject({
      phase: 'Running',
      count: 0,
      failed: 0,
      measurements: [],
    });
    expect(deferred[0]?.metrics[0]?.message).toMatch(
      /reads traffic of the earlier revision until 2025-12-31T23:59:00/,
    );
    const due = Date.parse(deferred[0]?.metrics[0]?.nextMeasurementAt ?? '');
    expect(due).toBe(START + 10_000);
    let runs = deferred;
    for (let now = due; now < ended + 120_000; now += 10_000) {
      runs = await measureAt(runs, now, ended);
      expect(runs[0]?.metrics[0]?.failed).toBe(0);
    }
    const counted = await measureAt(runs, ended + 120_000, ended);
    expect(counted[0]?.metrics[0]?.failed).toBe(1);
    expect(counted[0]?.phase).toBe('Failed');
  });
});
