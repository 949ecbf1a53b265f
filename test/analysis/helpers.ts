import { Metric, type AnalysisTemplateSpec } from '../../src/api/index.ts';
import type { MetricProvider, QueryOutcome } from '../../src/ports/index.ts';

/** Test helper: a metric with schema defaults applied; `overrides` uses the API's input shape. */
export function metric(overrides: Record<string, unknown> = {}): Metric {
  return Metric.parse({
    name: 'error-rate',
    successCondition: 'result < 0.05',
    provider: { prometheus: { address: 'http://prom.test:9090', query: 'q' } },
    ...overrides,
  });
}

/** Test helper: a template spec holding the given metrics. */
export function template(...metrics: Metric[]): AnalysisTemplateSpec {
  return { metrics };
}

/** Test helper: a provider answering each query from a function, recording what it was asked. */
export function fakeProvider(answer: (query: string) => QueryOutcome): MetricProvider & {
  queries: { query: string; time?: number }[];
} {
  const queries: { query: string; time?: number }[] = [];
  return {
    queries,
    instantQuery: (request) => {
      queries.push({ query: request.query, ...(request.time === undefined ? {} : { time: request.time }) });
      return Promise.resolve(answer(request.query));
    },
    rangeQuery: () => Promise.resolve({ kind: 'noData', reason: 'not used' }),
  };
}
