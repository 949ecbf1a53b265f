import { describe, expect, it } from 'vitest';
import { fakeProvider } from '../../test/analysis/helpers.ts';
import type { MetricProvider, QueryOutcome, RangeOutcome, RangeQueryRequest } from '../ports/index.ts';
import { cachedProvider } from './cached-provider.ts';

const connection = { address: 'http://p:9090', timeout: '30s', scrapeInterval: '1m' } as const;

function fakeClock() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: (ms: number) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

describe('cachedProvider', () => {
  it('sends each query at each time once and serves repeats from memory', async () => {
    const inner = fakeProvider(() => ({ kind: 'value', value: 1 }));
    const p = cachedProvider(inner, { qps: Infinity, ...fakeClock() });
    await p.instantQuery({ connection, query: 'up', time: 1000 });
    await p.instantQuery({ connection, query: 'up', time: 1000 });
    await p.instantQuery({ connection, query: 'up', time: 2000 });
    expect(inner.queries).toHaveLength(2);
    expect(p.stats).toEqual({ issued: 2, reused: 1, failed: 0 });
  });

  it('spaces queries 1/qps apart', async () => {
    const clock = fakeClock();
    const inner = fakeProvider(() => ({ kind: 'value', value: 1 }));
    // Three queries asked at the same instant: the second waits 50 ms, the third 100 ms.
    const p = cachedProvider(inner, { qps: 20, now: () => 0, sleep: clock.sleep });
    await Promise.all([1, 2, 3].map((t) => p.instantQuery({ connection, query: 'up', time: t })));
    expect(clock.sleeps).toEqual([50, 100]);
    expect(inner.queries).toHaveLength(3);
  });

  it('sends a failed query again instead of replaying the failure', async () => {
    const answers: QueryOutcome[] = [
      { kind: 'error', errorKind: 'timeout', message: 'query timed out' },
      { kind: 'value', value: 0.01 },
    ];
    const inner = fakeProvider(() => answers.shift() ?? { kind: 'value', value: -1 });
    const p = cachedProvider(inner, { qps: Infinity, ...fakeClock() });
    const first = await p.instantQuery({ connection, query: 'up', time: 1000 });
    const second = await p.instantQuery({ connection, query: 'up', time: 1000 });
    const third = await p.instantQuery({ connection, query: 'up', time: 1000 });
    expect(first.kind).toBe('error');
    expect(second).toEqual({ kind: 'value', value: 0.01 });
    expect(third).toEqual(second);
    expect(inner.queries).toHaveLength(2);
    expect(p.stats).toEqual({ issued: 2, reused: 1, failed: 1 });
  });

  it('keeps a no-data answer: Prometheus answered, there was nothing', async () => {
    const inner = fakeProvider(() => ({ kind: 'noData', reason: 'empty vector' }));
    const p = cachedProvider(inner, { qps: Infinity, ...fakeClock() });
    await p.instantQuery({ connection, query: 'up', time: 1000 });
    await p.instantQuery({ connection, query: 'up', time: 1000 });
    expect(inner.queries).toHaveLength(1);
  });

  it('sends each range query once, and a failed one again', async () => {
    const sent: RangeQueryRequest[] = [];
    const answers: RangeOutcome[] = [
      { kind: 'error', errorKind: 'unreachable', message: 'connection refused' },
      { kind: 'series', series: [] },
    ];
    const inner: MetricProvider = {
      instantQuery: () => Promise.reject(new Error('not used')),
      rangeQuery: (request) => {
        sent.push(request);
        return Promise.resolve(answers.shift() ?? { kind: 'noData', reason: 'unexpected' });
      },
    };
    const p = cachedProvider(inner, { qps: Infinity, ...fakeClock() });
    const request = { connection, query: 'lat', start: 0, end: 600_000, stepMs: 15_000 };
    expect((await p.rangeQuery(request)).kind).toBe('error');
    expect((await p.rangeQuery(request)).kind).toBe('series');
    expect((await p.rangeQuery({ ...request })).kind).toBe('series');
    expect((await p.rangeQuery({ ...request, end: 660_000 })).kind).toBe('noData');
    expect(sent).toHaveLength(3);
  });
});
