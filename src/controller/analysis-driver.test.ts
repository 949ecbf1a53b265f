import { describe, expect, it } from 'vitest';
import type { InstantQueryRequest, MetricProvider, QueryOutcome } from '../ports/index.ts';
import { dedupingProvider } from './analysis-driver.ts';

function countingProvider(): MetricProvider & { sent: InstantQueryRequest[] } {
  const sent: InstantQueryRequest[] = [];
  return {
    sent,
    instantQuery: (request) => {
      sent.push(request);
      return Promise.resolve<QueryOutcome>({ kind: 'value', value: sent.length });
    },
    rangeQuery: () => Promise.reject(new Error('not used')),
  };
}

const connection = { address: 'http://prometheus:9090', timeout: '30s' };

describe('identical queries due in the same pass', () => {
  it('are sent once to the same Prometheus and share the answer', async () => {
    const inner = countingProvider();
    const provider = dedupingProvider(inner);
    const request = { connection, query: 'sum(rate(x[1m]))', namespace: 'shop' };
    const [a, b] = await Promise.all([provider.instantQuery(request), provider.instantQuery({ ...request })]);
    expect(inner.sent).toHaveLength(1);
    expect(a).toEqual(b);
  });

  it('are sent separately to different Prometheus servers, times or queries', async () => {
    const inner = countingProvider();
    const provider = dedupingProvider(inner);
    const base = { connection, query: 'up', namespace: 'shop' };
    await provider.instantQuery(base);
    await provider.instantQuery({ ...base, connection: { ...connection, address: 'http://other:9090' } });
    await provider.instantQuery({ ...base, time: 1_000 });
    await provider.instantQuery({ ...base, query: 'down' });
    expect(inner.sent).toHaveLength(4);
  });
});
