import { describe, expect, it } from 'vitest';
import { measure, type ResolvedArgs } from '../../analysis/index.ts';
import { Metric } from '../../api/index.ts';
import type { MetricProvider, RangeOutcome, RangeQueryRequest } from '../../ports/index.ts';
import { createJudgeRunner, type Judgement } from './judge-runner.ts';

/** Judge metrics with several `comparisons`, scored together (docs/judge.md, "Scoring several comparisons"). */

const AT = Date.parse('2025-03-04T14:10:00Z');
const ARGS: ResolvedArgs = { values: { 'args.app': 'api' }, secrets: [] };

/** Deterministic noise in [-spread, spread) (a linear congruential generator), so no test is flaky. */
function noisy(count: number, centre: number, spread: number, seed: number): RangeOutcome {
  let state = seed;
  const values = Array.from({ length: count }, () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return centre + spread * (2 * (state / 2 ** 31) - 1);
  });
  return {
    kind: 'series',
    series: [{ labels: {}, points: values.map((value, i) => ({ time: AT - (count - i) * 15_000, value })) }],
  };
}

const BASELINE = { latency: noisy(41, 100, 5, 1), errors: noisy(41, 10, 1, 2) };
const CANARY = {
  sameLatency: noisy(41, 100, 5, 3),
  slowerLatency: noisy(41, 160, 5, 4),
  sameErrors: noisy(41, 10, 1, 5),
  moreErrors: noisy(41, 30, 1, 6),
  fewerErrors: noisy(41, 2, 0.5, 7),
  fewErrorPoints: noisy(5, 10, 1, 8),
};

type Canary = { latency: RangeOutcome; errors: RangeOutcome; p99?: RangeOutcome };

/** Answers `<name>{app="api",track="baseline|canary"}` range queries from the given samples. */
function scripted(canary: Canary): MetricProvider & { requests: RangeQueryRequest[] } {
  const requests: RangeQueryRequest[] = [];
  return {
    requests,
    instantQuery: () => Promise.reject(new Error('the judge runs range queries only')),
    rangeQuery: (request) => {
      requests.push(request);
      // p99 is judged against the baseline latency.
      if (request.query.startsWith('p99'))
        return Promise.resolve(request.query.includes('canary') ? canary.p99! : BASELINE.latency);
      const name = request.query.startsWith('errors') ? 'errors' : 'latency';
      return Promise.resolve(request.query.includes('canary') ? canary[name] : BASELINE[name]);
    },
  };
}

const comparison = (name: 'latency' | 'errors' | 'p99', extra: Record<string, unknown> = {}) => ({
  name,
  baselineQuery: `${name}{app="{{args.app}}",track="baseline"}`,
  canaryQuery: `${name}{app="{{args.app}}",track="canary"}`,
  ...extra,
});

function scoredMetric(judge: Record<string, unknown> = {}, metric: Record<string, unknown> = {}): Metric {
  return Metric.parse({
    name: 'vs-primary',
    provider: {
      judge: {
        prometheus: { address: 'http://prom.test:9090' },
        comparisons: [comparison('latency'), comparison('errors')],
        ...judge,
      },
    },
    ...metric,
  });
}

async function measured(canary: Canary, metric = scoredMetric()) {
  const provider = scripted(canary);
  const judgements: Judgement[] = [];
  const judge = createJudgeRunner({ provider, onJudgement: (j) => judgements.push(j) });
  const outcome = await measure(metric, { provider, args: ARGS, now: AT, at: AT, judge });
  return { outcome, judgements, requests: provider.requests };
}

const GOOD = { latency: CANARY.sameLatency, errors: CANARY.sameErrors };

describe('scored judge metrics', () => {
  it("runs every comparison's two range queries over the same window", async () => {
    const { requests } = await measured(GOOD, scoredMetric({ window: '5m', step: '30s' }));
    expect(requests.map((r) => r.query).sort()).toEqual([
      'errors{app="api",track="baseline"}',
      'errors{app="api",track="canary"}',
      'latency{app="api",track="baseline"}',
      'latency{app="api",track="canary"}',
    ]);
    for (const r of requests) expect(r).toMatchObject({ start: AT - 300_000, end: AT, stepMs: 30_000 });
  });

  it('is Successful with score 100 when every comparison passes', async () => {
    const { outcome } = await measured(GOOD);
    expect(outcome).toMatchObject({ phase: 'Successful', value: '100' });
    expect(outcome.message).toBe('score 100 (pass 95, marginal 75): latency Pass, errors Pass');
  });

  it('is Failed when the weighted share of passing comparisons is below marginal', async () => {
    const { outcome } = await measured({ latency: CANARY.sameLatency, errors: CANARY.moreErrors });
    expect(outcome).toMatchObject({ phase: 'Failed', value: '50' });
    expect(outcome.message).toMatch(
      /^score 50 \(pass 95, marginal 75\): latency Pass, errors High; errors: High: increase: /,
    );
  });

  it('is Inconclusive when the score lies between marginal and pass, weights counted', async () => {
    const weighted = scoredMetric({
      comparisons: [comparison('latency', { weight: 3 }), comparison('errors')],
    });
    const { outcome } = await measured({ latency: CANARY.sameLatency, errors: CANARY.moreErrors }, weighted);
    expect(outcome).toMatchObject({ phase: 'Inconclusive', value: '75' });
  });

  it('uses the scoring thresholds of the provider', async () => {
    const lenient = scoredMetric({ scoring: { pass: 50, marginal: 25 } });
    const { outcome } = await measured({ latency: CANARY.sameLatency, errors: CANARY.moreErrors }, lenient);
    expect(outcome).toMatchObject({ phase: 'Successful', value: '50' });
  });

  it('is Failed with score 0 when a critical comparison is not Pass, whatever the weights', async () => {
    const critical = scoredMetric({
      comparisons: [comparison('latency', { weight: 99 }), comparison('errors', { critical: true })],
    });
    const { outcome } = await measured({ latency: CANARY.sameLatency, errors: CANARY.moreErrors }, critical);
    expect(outcome).toMatchObject({ phase: 'Failed', value: '0' });
    expect(outcome.message).toMatch(
      /^score 0 \(pass 95, marginal 75\): latency Pass, errors High \(critical\);/,
    );
  });

  it("judges each comparison with its own options, else the provider's", async () => {
    const canary = { latency: CANARY.slowerLatency, errors: CANARY.fewerErrors };
    // The default direction, increase: latency High, fewer errors Pass.
    expect((await measured(canary)).outcome).toMatchObject({ phase: 'Failed', value: '50' });
    // The provider watches decreases, which latency inherits (now Pass); errors keeps its own increase (Pass).
    const own = scoredMetric({
      direction: 'decrease',
      comparisons: [comparison('latency'), comparison('errors', { direction: 'increase' })],
    });
    const { outcome, judgements } = await measured(canary, own);
    expect(judgements.map((j) => [j.comparison, j.result?.classification])).toEqual([
      ['latency', 'Pass'],
      ['errors', 'Pass'],
    ]);
    expect(outcome).toMatchObject({ phase: 'Successful', value: '100' });
    // And errors under the inherited decrease: Low.
    const inherited = scoredMetric({ direction: 'decrease' });
    expect((await measured(canary, inherited)).judgements.map((j) => j.result?.classification)).toEqual([
      'Pass',
      'Low',
    ]);
  });

  it('is NoData, never a verdict, when comparisons without data could still tip the score', async () => {
    const canary = { latency: CANARY.sameLatency, errors: CANARY.fewErrorPoints };
    const { outcome } = await measured(canary);
    expect(outcome).toMatchObject({ phase: 'Inconclusive' });
    expect(outcome.value).toBeUndefined();
    expect(outcome.message).toBe(
      'no data: errors without data: the score could be 50 to 100 (pass 95, marginal 75); latency Pass, errors NoData; ' +
        'errors: insufficient samples: 5 < 20 (canary) (n baseline 41, canary 5)',
    );
    const strict = scoredMetric({}, { noData: 'Failed' });
    expect((await measured(canary, strict)).outcome).toMatchObject({ phase: 'Failed' });
  });

  it('keeps a verdict that the missing data could not change (a critical comparison is High)', async () => {
    const critical = scoredMetric({
      comparisons: [comparison('latency', { critical: true }), comparison('errors')],
    });
    const canary = { latency: CANARY.slowerLatency, errors: CANARY.fewErrorPoints };
    const { outcome } = await measured(canary, critical);
    expect(outcome).toMatchObject({ phase: 'Failed', value: '0' });
    expect(outcome.message).toMatch(
      /^score 0 \(pass 95, marginal 75\): latency High \(critical\), errors NoData;/,
    );
  });

  const TIMEOUT = { kind: 'error', errorKind: 'timeout', message: 'no answer within 30s' } as const;

  it('is an Error naming the comparison and the query when a failed query could tip the score', async () => {
    const { outcome } = await measured({ latency: CANARY.sameLatency, errors: TIMEOUT });
    expect(outcome).toMatchObject({ phase: 'Error', message: 'errors: canaryQuery: no answer within 30s' });
  });

  it('is NoData, not an Error, when the missing data keeps the score open whatever a failed query says', async () => {
    const light = scoredMetric({
      comparisons: [comparison('latency'), comparison('errors'), comparison('p99', { weight: 0.1 })],
    });
    const canary = { latency: CANARY.sameLatency, errors: CANARY.fewErrorPoints, p99: TIMEOUT };
    const { outcome } = await measured(canary, light);
    expect(outcome).toMatchObject({ phase: 'Inconclusive' });
    expect(outcome.message).toBe(
      'no data: errors without data; p99 could not be measured: the score could be 47.6 to 100 (pass 95, marginal 75); ' +
        'latency Pass, errors NoData, p99 Error; errors: insufficient samples: 5 < 20 (canary) (n baseline 41, canary 5); ' +
        'p99: canaryQuery: no answer within 30s',
    );
  });

  it('is an Error when failed queries could decide the score only together, one passing and one not', async () => {
    // latency 7 Pass, errors 1 NoData, p99 and p50 1 each failed: both passing scores 80-100, both
    // failing 70-80 (no verdict either way), but one of each scores 80-90: Inconclusive.
    const mixed = scoredMetric({
      comparisons: [
        comparison('latency', { weight: 7 }),
        comparison('errors'),
        comparison('p99'),
        { ...comparison('p99'), name: 'p50' },
      ],
    });
    const canary = { latency: CANARY.sameLatency, errors: CANARY.fewErrorPoints, p99: TIMEOUT };
    const { outcome } = await measured(canary, mixed);
    expect(outcome).toMatchObject({
      phase: 'Error',
      message: 'p99: canaryQuery: no answer within 30s; p50: canaryQuery: no answer within 30s',
    });
  });

  it('is an Error when a failed query could decide the score, though another comparison has no data', async () => {
    const heavy = scoredMetric({
      comparisons: [comparison('latency'), comparison('errors', { weight: 10 })],
    });
    const { outcome } = await measured({ latency: noisy(5, 100, 5, 9), errors: TIMEOUT }, heavy);
    expect(outcome).toMatchObject({ phase: 'Error', message: 'errors: canaryQuery: no answer within 30s' });
  });

  it('keeps a verdict that a failed query could not change: a critical comparison is High', async () => {
    const critical = scoredMetric({
      comparisons: [comparison('latency'), comparison('errors', { critical: true })],
    });
    const { outcome } = await measured({ latency: TIMEOUT, errors: CANARY.moreErrors }, critical);
    expect(outcome).toMatchObject({ phase: 'Failed', value: '0' });
    expect(outcome.message).toMatch(
      /^score 0 \(pass 95, marginal 75\): latency Error, errors High \(critical\); latency: canaryQuery: no answer within 30s; errors: High: /,
    );
  });

  it('reports every comparison to onJudgement under its name, with its statistics', async () => {
    const { judgements } = await measured({ latency: CANARY.slowerLatency, errors: CANARY.sameErrors });
    expect(judgements.map((j) => [j.comparison, j.result?.classification, j.outcome.kind])).toEqual([
      ['latency', 'High', 'value'],
      ['errors', 'Pass', 'value'],
    ]);
  });

  it('is an Error, not a thrown exception, when a spec that skipped validation has unusable thresholds', async () => {
    const metric = scoredMetric();
    const judge = 'judge' in metric.provider ? metric.provider.judge : undefined;
    const broken = { ...metric, provider: { judge: { ...judge!, scoring: { pass: 50, marginal: 80 } } } };
    const { outcome } = await measured(GOOD, broken);
    expect(outcome).toMatchObject({
      phase: 'Error',
      message: 'judge: scoring: need 0 <= marginal <= pass <= 100 and pass > 0, got 80 and 50',
    });
  });
});
