import { describe, expect, it } from 'vitest';
import { measure, type ResolvedArgs } from '../../analysis/index.ts';
import { JudgeProvider, Metric } from '../../api/index.ts';
import type { MetricProvider, RangeOutcome, RangeQueryRequest, RangeSeries } from '../../ports/index.ts';
import { createJudgeRunner, type Judgement, type JudgeOutcome } from './judge-runner.ts';

const AT = Date.parse('2025-03-04T14:10:00Z');
const ARGS: ResolvedArgs = { values: { 'args.app': 'api', 'args.token': 's3cret' }, secrets: ['s3cret'] };

/** Deterministic noise in [-spread, spread) (a linear congruential generator), so no test is flaky. */
function noisy(count: number, centre: number, spread: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return centre + spread * (2 * (state / 2 ** 31) - 1);
  });
}

function series(values: readonly number[], labels: Record<string, string> = {}): RangeSeries {
  return { labels, points: values.map((value, i) => ({ time: AT - (values.length - i) * 15_000, value })) };
}

const matrix = (...all: RangeSeries[]): RangeOutcome => ({ kind: 'series', series: all });

/** A MetricProvider answering range queries by whether the query names the baseline or the canary. */
function scripted(answers: { baseline: RangeOutcome; canary: RangeOutcome }): MetricProvider & {
  requests: RangeQueryRequest[];
} {
  const requests: RangeQueryRequest[] = [];
  return {
    requests,
    instantQuery: () => Promise.reject(new Error('the judge runs range queries only')),
    rangeQuery: (request) => {
      requests.push(request);
      return Promise.resolve(request.query.includes('canary') ? answers.canary : answers.baseline);
    },
  };
}

function judgeSpec(overrides: Record<string, unknown> = {}): JudgeProvider {
  return JudgeProvider.parse({
    prometheus: { address: 'http://prom.test:9090' },
    baselineQuery: 'latency{app="{{args.app}}",track="baseline"}',
    canaryQuery: 'latency{app="{{args.app}}",track="canary"}',
    ...overrides,
  });
}

async function run(
  answers: { baseline: RangeOutcome; canary: RangeOutcome },
  overrides: Record<string, unknown> = {},
  args: ResolvedArgs = ARGS,
) {
  const provider = scripted(answers);
  const judgements: Judgement[] = [];
  const runner = createJudgeRunner({ provider, onJudgement: (j) => judgements.push(j) });
  const outcome = await runner({ provider: judgeSpec(overrides), args, at: AT });
  return { outcome, judgement: judgements[0], requests: provider.requests };
}

const SAME = { baseline: matrix(series(noisy(41, 100, 5, 1))), canary: matrix(series(noisy(41, 100, 5, 2))) };
const SLOWER = { baseline: SAME.baseline, canary: matrix(series(noisy(41, 160, 5, 3))) };

describe('createJudgeRunner', () => {
  it('runs both queries as range queries over [at - window, at] every step, with the args rendered', async () => {
    const { requests } = await run(SAME, { window: '10m', step: '15s' });
    expect(requests.map((r) => r.query).sort()).toEqual([
      'latency{app="api",track="baseline"}',
      'latency{app="api",track="canary"}',
    ]);
    for (const request of requests) {
      expect(request).toMatchObject({ start: AT - 600_000, end: AT, stepMs: 15_000 });
      expect(request.connection.address).toBe('http://prom.test:9090');
    }
  });

  it('gives result 100 for Pass, with the classification and statistics in the detail', async () => {
    const { outcome, judgement } = await run(SAME);
    expect(outcome).toMatchObject({ kind: 'value', value: 100 });
    expect((outcome as JudgeOutcome).detail).toMatch(
      /^Pass: no increase .*; p=[\d.e-]+ \((exact|asymptotic)\), shift .*, CI \[.*\] \(98(\.\d+)?%\), mean ratio .*, CLES .*, n baseline 41, canary 41$/,
    );
    expect(judgement?.result?.classification).toBe('Pass');
    expect(judgement?.result?.n).toEqual({ baseline: 41, canary: 41 });
  });

  it('gives result 0 for a canary clearly higher than the baseline (High)', async () => {
    const { outcome, judgement } = await run(SLOWER);
    expect(outcome).toMatchObject({ kind: 'value', value: 0 });
    expect(judgement?.result?.classification).toBe('High');
    expect(judgement?.result?.estimate).toBeGreaterThan(50);
    expect(judgement?.result?.pValue).toBeLessThan(1e-6);
  });

  it('gives result 0 for a clear decrease when direction is decrease (Low)', async () => {
    const faster = { baseline: SLOWER.canary, canary: SAME.baseline };
    const { outcome, judgement } = await run(faster, { direction: 'decrease' });
    expect(outcome).toMatchObject({ kind: 'value', value: 0 });
    expect(judgement?.result?.classification).toBe('Low');
  });

  it('is NoData, never a value, when a side has fewer points than minSamples', async () => {
    const few = { baseline: SAME.baseline, canary: matrix(series(noisy(7, 500, 5, 4))) };
    const { outcome, judgement } = await run(few);
    expect(outcome).toEqual({
      kind: 'noData',
      reason: 'insufficient samples: 7 < 20 (canary) (n baseline 41, canary 7)',
    });
    expect(judgement?.result?.classification).toBe('NoData');
  });

  it('counts points after removing NaN, so NaN points cannot make up minSamples', async () => {
    const gaps = noisy(25, 100, 5, 5).map((v, i) => (i % 2 === 0 ? NaN : v));
    const { outcome } = await run({ baseline: SAME.baseline, canary: matrix(series(gaps)) });
    expect(outcome).toEqual({
      kind: 'noData',
      reason: 'insufficient samples: 12 < 20 (canary) (n baseline 41, canary 12, non-finite removed 0/13)',
    });
  });

  it('is NoData naming the side when a range query has no series', async () => {
    const { outcome, judgement } = await run({
      baseline: SAME.baseline,
      canary: { kind: 'noData', reason: 'empty matrix: no series matched' },
    });
    expect(outcome).toEqual({ kind: 'noData', reason: 'canary: empty matrix: no series matched' });
    expect(judgement?.result).toBeUndefined();
  });

  it('is NoData when the series have no points in the window', async () => {
    const { outcome } = await run({ baseline: matrix(series([])), canary: SAME.canary });
    expect(outcome).toEqual({ kind: 'noData', reason: 'baseline: the range has no points' });
  });

  it('is an Error naming the query when a range query fails, keeping the error kind', async () => {
    const { outcome } = await run({
      baseline: {
        kind: 'error',
        errorKind: 'http',
        status: 400,
        errorType: 'bad_data',
        message: 'Prometheus answered 400: parse error',
      },
      canary: SAME.canary,
    });
    expect(outcome).toEqual({
      kind: 'error',
      errorKind: 'http',
      status: 400,
      errorType: 'bad_data',
      message: 'baselineQuery: Prometheus answered 400: parse error',
    });
  });

  it('is an Error, and sends no query, when a placeholder cannot be rendered', async () => {
    const { outcome, requests } = await run(SAME, { canaryQuery: 'latency{app="{{args.missing}}"}' });
    expect(outcome.kind).toBe('error');
    expect(outcome.kind === 'error' ? outcome.message : '').toMatch(/^judge: canaryQuery: .*args\.missing/);
    expect(requests).toEqual([]);
  });

  it('is an Error, and sends no query, for a spec that skipped validation and lacks a query', async () => {
    const provider = scripted(SAME);
    const spec = { ...judgeSpec() };
    delete spec.canaryQuery;
    const outcome = await createJudgeRunner({ provider })({ provider: spec, args: ARGS, at: AT });
    expect(outcome).toMatchObject({
      kind: 'error',
      message: 'judge: set baselineQuery and canaryQuery, or comparisons',
    });
    expect(provider.requests).toEqual([]);
  });

  it('pools the points of every series of a side into one sample', async () => {
    const perPod = {
      baseline: matrix(
        series(noisy(12, 100, 5, 6), { pod: 'a' }),
        series(noisy(12, 100, 5, 7), { pod: 'b' }),
      ),
      canary: matrix(series(noisy(12, 100, 5, 8), { pod: 'c' }), series(noisy(12, 100, 5, 9), { pod: 'd' })),
    };
    const { outcome, judgement } = await run(perPod);
    expect(outcome).toMatchObject({ kind: 'value', value: 100 });
    expect(judgement?.result?.n).toEqual({ baseline: 24, canary: 24 });
    expect(judgement?.series).toEqual({ baseline: 2, canary: 2 });
    expect((outcome as JudgeOutcome).detail).toContain('series pooled 2/2');
  });

  it('ends the window at now() when the measurement carries no time', async () => {
    const provider = scripted(SAME);
    const runner = createJudgeRunner({ provider, now: () => AT + 5_000 });
    await runner({ provider: judgeSpec({ window: '1m' }), args: ARGS });
    expect(provider.requests[0]).toMatchObject({ start: AT + 5_000 - 60_000, end: AT + 5_000 });
  });

  it('passes the namespace on, so the bearer token Secret is read from it', async () => {
    const provider = scripted(SAME);
    await createJudgeRunner({ provider })({ provider: judgeSpec(), args: ARGS, at: AT, namespace: 'shop' });
    expect(provider.requests.map((r) => r.namespace)).toEqual(['shop', 'shop']);
  });

  it('redacts secret argument values from the recorded queries', async () => {
    const { judgement, requests } = await run(SAME, {
      baselineQuery: 'latency{app="{{args.app}}",token="{{args.token}}"}',
    });
    expect(requests.some((r) => r.query.includes('s3cret'))).toBe(true);
    expect(judgement?.queries.baseline).toBe('latency{app="api",token="*****"}');
  });
});

describe('judge metrics through measure', () => {
  function judgeMetricSpec(overrides: Record<string, unknown> = {}): Metric {
    return Metric.parse({
      name: 'latency',
      successCondition: 'result == 100',
      provider: { judge: judgeSpec() },
      ...overrides,
    });
  }

  async function measured(
    answers: { baseline: RangeOutcome; canary: RangeOutcome },
    metric = judgeMetricSpec(),
  ) {
    const provider = scripted(answers);
    return measure(metric, { provider, args: ARGS, now: AT, at: AT, judge: createJudgeRunner({ provider }) });
  }

  it('is Successful for Pass and Failed for High with successCondition result == 100', async () => {
    expect(await measured(SAME)).toMatchObject({ phase: 'Successful', value: '100' });
    expect(await measured(SLOWER)).toMatchObject({ phase: 'Failed', value: '0' });
  });

  it("is the metric's noData phase, never Successful, with too few points", async () => {
    const few = { baseline: SAME.baseline, canary: matrix(series(noisy(5, 100, 5, 10))) };
    expect(await measured(few)).toMatchObject({
      phase: 'Inconclusive',
      message: 'no data: insufficient samples: 5 < 20 (canary) (n baseline 41, canary 5)',
    });
    expect(await measured(few, judgeMetricSpec({ noData: 'Failed' }))).toMatchObject({ phase: 'Failed' });
  });

  it('is an Error measurement when a range query fails', async () => {
    const out = await measured({
      baseline: SAME.baseline,
      canary: { kind: 'error', errorKind: 'timeout', message: 'no answer within 30s' },
    });
    expect(out).toMatchObject({ phase: 'Error', message: 'canaryQuery: no answer within 30s' });
  });
});
