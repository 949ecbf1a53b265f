import { describe, expect, it } from 'vitest';
import { fakeProvider, metric } from '../../test/analysis/helpers.ts';
import type { QueryOutcome } from '../ports/index.ts';
import { applyConditions, measure, type ResolvedArgs } from './measure.ts';

const NOW = Date.parse('2025-01-01T00:00:00Z');
const ARGS: ResolvedArgs = { values: { 'args.svc': 'api', 'canary.namespace': 'shop' }, secrets: [] };
const value = (v: number | number[]): QueryOutcome => ({ kind: 'value', value: v });

describe('measure', () => {
  it('renders args into the query and judges the value', async () => {
    const provider = fakeProvider(() => value(0.01));
    const m = metric({
      provider: {
        prometheus: { address: 'http://p', query: 'x{s="{{args.svc}}",ns="{{canary.namespace}}"}' },
      },
    });
    const out = await measure(m, { provider, args: ARGS, now: NOW });
    expect(provider.queries).toEqual([{ query: 'x{s="api",ns="shop"}' }]);
    expect(out).toEqual({ phase: 'Successful', value: '0.01', startedAt: NOW, finishedAt: NOW });
  });

  it('is an Error, without querying, when the query has an unknown placeholder', async () => {
    const provider = fakeProvider(() => value(0));
    const m = metric({ provider: { prometheus: { address: 'http://p', query: 'x{s="{{args.nope}}"}' } } });
    const out = await measure(m, { provider, args: ARGS, now: NOW });
    expect(out.phase).toBe('Error');
    expect(out.message).toContain('args.nope');
    expect(provider.queries).toEqual([]);
  });

  it('evaluates the queries at the given time in backtests', async () => {
    const provider = fakeProvider(() => value(0));
    await measure(metric(), { provider, args: ARGS, now: NOW, at: NOW - 3_600_000 });
    expect(provider.queries[0]?.time).toBe(NOW - 3_600_000);
  });

  it('is an Error with the provider message when the query fails', async () => {
    const provider = fakeProvider(() => ({
      kind: 'error',
      errorKind: 'unreachable',
      message: 'cannot reach Prometheus: ECONNREFUSED',
    }));
    const out = await measure(metric(), { provider, args: ARGS, now: NOW });
    expect(out).toMatchObject({ phase: 'Error', message: 'cannot reach Prometheus: ECONNREFUSED' });
  });

  it('is Inconclusive on no data by default, never Successful', async () => {
    const provider = fakeProvider(() => ({ kind: 'noData', reason: 'empty vector' }));
    const out = await measure(metric(), { provider, args: ARGS, now: NOW });
    expect(out).toMatchObject({ phase: 'Inconclusive', message: 'no data: empty vector' });
  });

  it('is Failed on no data when noData is Failed', async () => {
    const provider = fakeProvider(() => ({ kind: 'noData', reason: 'NaN' }));
    const out = await measure(metric({ noData: 'Failed' }), { provider, args: ARGS, now: NOW });
    expect(out.phase).toBe('Failed');
  });

  it('passes a multi-series vector to the conditions as a list', async () => {
    const provider = fakeProvider(() => value([0.01, 0.2]));
    const out = await measure(metric({ successCondition: 'result.all(x, x < 0.05)' }), {
      provider,
      args: ARGS,
      now: NOW,
    });
    expect(out).toMatchObject({ phase: 'Failed', value: '[0.01, 0.2]' });
  });

  it('records +Inf as text', async () => {
    const provider = fakeProvider(() => value(Infinity));
    const out = await measure(metric(), { provider, args: ARGS, now: NOW });
    expect(out).toMatchObject({ phase: 'Failed', value: '+Inf' });
  });

  it('never passes an infinite result: one the conditions would pass takes the noData phase', async () => {
    const infinite = (v: number | number[]) => fakeProvider(() => value(v));
    const pass = (m: Parameters<typeof metric>[0], v: number | number[]) =>
      measure(metric(m), { provider: infinite(v), args: ARGS, now: NOW });
    expect(await pass({ successCondition: 'result >= 0.95' }, Infinity)).toMatchObject({
      phase: 'Inconclusive',
      value: '+Inf',
      message: 'no data: the result is +Inf, which is never a pass (noData: Inconclusive)',
    });
    expect(await pass({ failureCondition: 'result > 0.05', noData: 'Failed' }, -Infinity)).toMatchObject({
      phase: 'Failed',
      value: '-Inf',
    });
    expect(
      await pass({ successCondition: 'result.all(x, x >= 0.95)', noData: 'Failed' }, [0.99, Infinity]),
    ).toMatchObject({ phase: 'Failed', value: '[0.99, +Inf]' });
    // A condition that fails the infinity keeps its own verdict and message.
    expect(await pass({ successCondition: 'result <= 500' }, Infinity)).toMatchObject({
      phase: 'Failed',
      message: 'successCondition not met: result <= 500',
    });
  });

  it('removes Secret-backed argument values from messages', async () => {
    const provider = fakeProvider((q) => ({ kind: 'error', errorKind: 'http', message: `bad query ${q}` }));
    const m = metric({ provider: { prometheus: { address: 'http://p', query: 'x{t="{{args.tok}}"}' } } });
    const out = await measure(m, {
      provider,
      args: { values: { 'args.tok': 'hunter2' }, secrets: ['hunter2'] },
      now: NOW,
    });
    expect(out.message).toBe('bad query x{t="*****"}');
  });

  it('is an Error for a judge metric when no judge is available', async () => {
    const m = metric({
      provider: {
        judge: { prometheus: { address: 'http://p' }, baselineQuery: 'a', canaryQuery: 'b' },
      },
    });
    const out = await measure(m, { provider: fakeProvider(() => value(0)), args: ARGS, now: NOW });
    expect(out.phase).toBe('Error');
  });

  it('judges a judge metric score with the conditions', async () => {
    const m = metric({
      successCondition: 'result >= 80',
      provider: { judge: { prometheus: { address: 'http://p' }, baselineQuery: 'a', canaryQuery: 'b' } },
    });
    const out = await measure(m, {
      provider: fakeProvider(() => value(0)),
      args: ARGS,
      now: NOW,
      judge: () => Promise.resolve(value(92)),
    });
    expect(out).toMatchObject({ phase: 'Successful', value: '92' });
  });
});

describe('the low-traffic guard (minTraffic)', () => {
  const guarded = metric({
    minTraffic: { query: 'sum(rate(req{s="{{args.svc}}"}[1m]))', min: 100 },
  });

  function provider(traffic: QueryOutcome, result: QueryOutcome = value(0.5)) {
    return fakeProvider((q) => (q.startsWith('sum(rate(req') ? traffic : result));
  }

  it('is Inconclusive below the minimum, with the traffic in the message, and never judges', async () => {
    const p = provider(value(37));
    const out = await measure(guarded, { provider: p, args: ARGS, now: NOW });
    expect(out).toMatchObject({ phase: 'Inconclusive', message: 'insufficient traffic: 37 < 100' });
    expect(p.queries.map((q) => q.query)).toEqual(['sum(rate(req{s="api"}[1m]))']);
  });

  it('is Inconclusive when the guard query has no data', async () => {
    const out = await measure(guarded, {
      provider: provider({ kind: 'noData', reason: 'empty' }),
      args: ARGS,
      now: NOW,
    });
    expect(out).toMatchObject({ phase: 'Inconclusive', message: 'insufficient traffic: no data < 100' });
  });

  it('adds up several series of the guard query', async () => {
    const out = await measure(guarded, {
      provider: provider(value([60, 50]), value(0.01)),
      args: ARGS,
      now: NOW,
    });
    expect(out.phase).toBe('Successful');
  });

  it('is an Error when the guard query fails', async () => {
    const out = await measure(guarded, {
      provider: provider({ kind: 'error', errorKind: 'timeout', message: 'slow' }),
      args: ARGS,
      now: NOW,
    });
    expect(out).toMatchObject({ phase: 'Error', message: 'minTraffic query failed: slow' });
  });

  it('judges the measurement at or above the minimum', async () => {
    const out = await measure(guarded, { provider: provider(value(100), value(0.5)), args: ARGS, now: NOW });
    expect(out).toMatchObject({ phase: 'Failed', value: '0.5' });
  });
});

describe('conditions', () => {
  it('fails when only success is given and it is false', () => {
    expect(applyConditions({ successCondition: 'result < 1' }, 2).phase).toBe('Failed');
  });

  it('succeeds when only success is given and it is true', () => {
    expect(applyConditions({ successCondition: 'result < 1' }, 0).phase).toBe('Successful');
  });

  it('succeeds when only failure is given and it is false', () => {
    expect(applyConditions({ failureCondition: 'result > 1' }, 0).phase).toBe('Successful');
  });

  it('fails when only failure is given and it is true', () => {
    expect(applyConditions({ failureCondition: 'result > 1' }, 2).phase).toBe('Failed');
  });

  it('is Inconclusive when both are given and neither matches', () => {
    expect(applyConditions({ successCondition: 'result < 1', failureCondition: 'result > 5' }, 3).phase).toBe(
      'Inconclusive',
    );
  });

  it('lets failure win when both match', () => {
    expect(
      applyConditions({ successCondition: 'result < 10', failureCondition: 'result > 1' }, 3).phase,
    ).toBe('Failed');
  });

  it('is Inconclusive when neither is given', () => {
    expect(applyConditions({}, 3).phase).toBe('Inconclusive');
  });

  it('is an Error, never a success, when evaluation fails', () => {
    expect(applyConditions({ successCondition: 'result[2] < 1' }, [0.1]).phase).toBe('Error');
    expect(applyConditions({ failureCondition: 'result[2] > 1' }, [0.1]).phase).toBe('Error');
  });

  it('renders args in conditions', () => {
    const out = applyConditions({ successCondition: 'result < {{args.max}}' }, 0.5, { 'args.max': '1.0' });
    expect(out.phase).toBe('Successful');
  });
});

describe('judge metrics', () => {
  const judgeMetric = (fields: Record<string, unknown> = {}) =>
    metric({
      provider: {
        judge: { prometheus: { address: 'http://p' }, baselineQuery: 'b', canaryQuery: 'c' },
      },
      successCondition: undefined,
      ...fields,
    });
  const judging = (outcome: QueryOutcome) => () => Promise.resolve(outcome);

  it('succeeds on Pass and fails on High when the template gives no condition (result == 100)', async () => {
    const context = {
      provider: fakeProvider(() => ({ kind: 'noData', reason: 'unused' })),
      args: ARGS,
      now: NOW,
    };
    const pass = await measure(judgeMetric(), { ...context, judge: judging(value(100)) });
    const high = await measure(judgeMetric(), { ...context, judge: judging(value(0)) });
    expect([pass.phase, high.phase]).toEqual(['Successful', 'Failed']);
  });

  it("records the judge's statistics in the measurement message", async () => {
    const outcome: QueryOutcome = { kind: 'value', value: 0, detail: 'High: p=1.2e-7, shift +30 ms' };
    const result = await measure(judgeMetric(), {
      provider: fakeProvider(() => ({ kind: 'noData', reason: 'unused' })),
      args: ARGS,
      now: NOW,
      judge: judging(outcome),
    });
    expect(result.message).toBe('successCondition not met: result == 100; High: p=1.2e-7, shift +30 ms');
  });
});

describe('the evidence rule', () => {
  // rate(x[1m]) scraped every 1m (the default): evidence from 3 minutes after the traffic started.
  const m = metric({ provider: { prometheus: { address: 'http://p', query: 'rate(errors[1m])' } } });
  const at = (phaseOf: QueryOutcome, sinceMsAgo: number) =>
    measure(m, {
      provider: fakeProvider(() => phaseOf),
      args: ARGS,
      now: NOW,
      trafficSince: NOW - sinceMsAgo,
    });

  it('defers a pass before the window plus two scrapes of canary traffic', async () => {
    const out = await at(value(0.01), 179_999);
    expect(out).toMatchObject({ phase: 'Successful', deferredUntil: NOW + 1 });
    expect(out.message).toMatch(/^deferred: measured 0\.01 \(Successful\)/);
  });

  it('defers an Inconclusive too: too early to say is not a verdict', async () => {
    const out = await at({ kind: 'noData', reason: 'empty result' }, 60_000);
    expect(out).toMatchObject({ phase: 'Inconclusive', deferredUntil: NOW + 120_000 });
  });

  it('never defers a failure or an error', async () => {
    expect((await at(value(0.5), 0)).deferredUntil).toBeUndefined();
    expect(
      (await at({ kind: 'error', errorKind: 'unreachable', message: 'down' }, 0)).deferredUntil,
    ).toBeUndefined();
  });

  it('counts a pass once the evidence suffices, and without a traffic start applies no rule', async () => {
    expect((await at(value(0.01), 180_000)).deferredUntil).toBeUndefined();
    const out = await measure(m, { provider: fakeProvider(() => value(0.01)), args: ARGS, now: NOW });
    expect(out.deferredUntil).toBeUndefined();
  });
});

describe("the evidence rule's second clause: the earlier revision's traffic", () => {
  // rate(x[1m]) scraped every 1m: the series holds the earlier revision's requests for 3 minutes.
  const m = metric({ provider: { prometheus: { address: 'http://p', query: 'rate(errors[1m])' } } });
  const after = (
    outcome: QueryOutcome,
    endedMsAgo: number,
    more: { trafficSince?: number; at?: number } = {},
  ) =>
    measure(m, {
      provider: fakeProvider(() => outcome),
      args: ARGS,
      now: NOW,
      previousTrafficUntil: NOW - endedMsAgo,
      ...more,
    });

  it("defers a failure whose window may read the earlier revision's traffic, saying until when", async () => {
    const out = await after(value(0.5), 179_999);
    expect(out).toMatchObject({ phase: 'Failed', deferredUntil: NOW + 1 });
    expect(out.message).toBe(
      'deferred: measured 0.5 (Failed), but this query reads traffic of the earlier revision until ' +
        "2024-12-31T23:57:00.001Z; it reads only this revision's from 2025-01-01T00:00:00.001Z " +
        '(window 60s + 2 scrape intervals of 1m)',
    );
  });

  it('defers passes and Inconclusives too, even when the canary has had traffic long enough', async () => {
    const pass = await after(value(0.01), 60_000, { trafficSince: NOW - 3_600_000 });
    expect(pass).toMatchObject({ phase: 'Successful', deferredUntil: NOW + 120_000 });
    const noData = await after({ kind: 'noData', reason: 'empty result' }, 60_000);
    expect(noData).toMatchObject({ phase: 'Inconclusive', deferredUntil: NOW + 120_000 });
  });

  it('takes the later of the two clauses when both apply', async () => {
    const out = await after(value(0.01), 60_000, { trafficSince: NOW - 10_000 });
    expect(out.deferredUntil).toBe(NOW + 170_000);
    expect(out.message).toMatch(/has had traffic only since/);
    const earlier = await after(value(0.01), 100_000, { trafficSince: NOW - 170_000 });
    expect(earlier.deferredUntil).toBe(NOW + 80_000);
    expect(earlier.message).toMatch(/reads traffic of the earlier revision/);
  });

  it('never defers an Error: it is about the query, not the data', async () => {
    const out = await after({ kind: 'error', errorKind: 'unreachable', message: 'down' }, 0);
    expect(out.phase).toBe('Error');
    expect(out.deferredUntil).toBeUndefined();
  });

  it('counts a failure at once when the earlier traffic ended before the window plus two scrapes', async () => {
    const out = await after(value(0.5), 180_000);
    expect(out).toMatchObject({ phase: 'Failed' });
    expect(out.deferredUntil).toBeUndefined();
  });

  it('judges by the evaluation time in backtests', async () => {
    expect((await after(value(0.5), 60_000, { at: NOW + 120_000 })).deferredUntil).toBeUndefined();
    expect((await after(value(0.5), 60_000, { at: NOW + 119_999 })).deferredUntil).toBe(NOW + 120_000);
  });

  it('does not cover judge metrics, as the first clause does not', async () => {
    const judgeMetric = metric({
      provider: { judge: { prometheus: { address: 'http://p' }, baselineQuery: 'b', canaryQuery: 'c' } },
      successCondition: undefined,
    });
    const out = await measure(judgeMetric, {
      provider: fakeProvider(() => ({ kind: 'noData', reason: 'unused' })),
      args: ARGS,
      now: NOW,
      judge: () => Promise.resolve(value(0)),
      previousTrafficUntil: NOW,
    });
    expect(out.phase).toBe('Failed');
    expect(out.deferredUntil).toBeUndefined();
  });
});
