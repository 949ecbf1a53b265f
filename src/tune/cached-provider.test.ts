import { describe, expect, it } from 'vitest';
import { fakeProvider } from '../../test/analysis/helpers.ts';
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
    expect(p.stats).toEqual({ issued: 2, reused: 1 });
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
});
