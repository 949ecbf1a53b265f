import { describe, expect, it } from 'vitest';
import { JudgeProvider, judgeComparisons, judgeScoring } from './analysis-template.ts';
import { parseKind } from './validate.ts';

const PROMETHEUS = { address: 'http://prometheus:9090' };
const latency = {
  name: 'latency',
  baselineQuery: 'latency{track="baseline"}',
  canaryQuery: 'latency{track="canary"}',
};
const errors = {
  name: 'errors',
  baselineQuery: 'errors{track="baseline"}',
  canaryQuery: 'errors{track="canary"}',
};

const template = (judge: Record<string, unknown>, metric: Record<string, unknown> = {}) => ({
  apiVersion: 'serin.dev/v1alpha1',
  kind: 'AnalysisTemplate',
  metadata: { name: 'vs-primary' },
  spec: {
    metrics: [{ name: 'score', provider: { judge: { prometheus: PROMETHEUS, ...judge } }, ...metric }],
  },
});

const issuesOf = (judge: Record<string, unknown>, metric: Record<string, unknown> = {}) => {
  const result = parseKind('AnalysisTemplate', template(judge, metric));
  return result.ok ? [] : result.issues;
};

describe('judge provider shape', () => {
  it('accepts one comparison (baselineQuery and canaryQuery) or several comparisons', () => {
    expect(issuesOf({ baselineQuery: 'a', canaryQuery: 'b' })).toEqual([]);
    expect(issuesOf({ comparisons: [latency, errors], scoring: { pass: 90, marginal: 70 } })).toEqual([]);
  });

  it('requires both queries when there are no comparisons', () => {
    expect(issuesOf({ baselineQuery: 'a' })).toEqual([
      { path: 'spec.metrics[0].provider.judge.canaryQuery', message: 'required unless comparisons is set' },
    ]);
  });

  it('rejects queries beside comparisons, naming each query', () => {
    expect(issuesOf({ comparisons: [latency], baselineQuery: 'a', canaryQuery: 'b' })).toEqual([
      {
        path: 'spec.metrics[0].provider.judge.baselineQuery',
        message: 'not allowed with comparisons: give each comparison its queries',
      },
      {
        path: 'spec.metrics[0].provider.judge.canaryQuery',
        message: 'not allowed with comparisons: give each comparison its queries',
      },
    ]);
  });

  it('rejects scoring without comparisons, since one comparison is judged by conditions', () => {
    expect(issuesOf({ baselineQuery: 'a', canaryQuery: 'b', scoring: { pass: 90 } })).toEqual([
      {
        path: 'spec.metrics[0].provider.judge.scoring',
        message: "needs comparisons: a single comparison is judged by the metric's conditions",
      },
    ]);
  });

  it('rejects duplicate comparison names and a score with no weight at all', () => {
    expect(issuesOf({ comparisons: [latency, { ...latency, weight: 0 }] })).toEqual([
      {
        path: 'spec.metrics[0].provider.judge.comparisons[1].name',
        message: 'duplicate comparison name "latency"',
      },
    ]);
    expect(issuesOf({ comparisons: [{ ...latency, weight: 0 }] })).toEqual([
      {
        path: 'spec.metrics[0].provider.judge.comparisons',
        message: 'at least one comparison needs a weight above 0',
      },
    ]);
  });

  it('bounds the number of comparisons (16)', () => {
    const many = Array.from({ length: 17 }, (_, i) => ({ ...latency, name: `latency-${i}` }));
    expect(issuesOf({ comparisons: many })).toEqual([
      {
        path: 'spec.metrics[0].provider.judge.comparisons',
        message: 'Too big: expected array to have <=16 items',
      },
    ]);
  });

  it('rejects a marginal threshold above pass, the default pass of 95 included', () => {
    expect(issuesOf({ comparisons: [latency], scoring: { marginal: 97 } })).toEqual([
      {
        path: 'spec.metrics[0].provider.judge.scoring.marginal',
        message: 'must not be above pass (marginal is 75 unless set)',
      },
    ]);
  });

  it('names the default marginal when only a lower pass is set', () => {
    expect(issuesOf({ comparisons: [latency], scoring: { pass: 70 } })).toEqual([
      {
        path: 'spec.metrics[0].provider.judge.scoring.marginal',
        message: 'must not be above pass (marginal is 75 unless set)',
      },
    ]);
  });

  it('rejects a pass threshold of 0, which would call a score of 0 (no data at all) Successful', () => {
    expect(issuesOf({ comparisons: [latency], scoring: { pass: 0, marginal: 0 } })).toEqual([
      { path: 'spec.metrics[0].provider.judge.scoring.pass', message: 'Too small: expected number to be >0' },
    ]);
  });

  it('rejects a comparison name over 63 characters', () => {
    expect(issuesOf({ comparisons: [{ ...latency, name: 'x'.repeat(64) }] })).toEqual([
      {
        path: 'spec.metrics[0].provider.judge.comparisons[0].name',
        message: 'Too big: expected string to have <=63 characters',
      },
    ]);
  });

  it('rejects conditions on a scored judge metric, which its scoring judges', () => {
    expect(issuesOf({ comparisons: [latency] }, { successCondition: 'result >= 90' })).toEqual([
      {
        path: 'spec.metrics[0].successCondition',
        message:
          'not allowed with provider.judge.comparisons: their score is judged by provider.judge.scoring (pass, marginal)',
      },
    ]);
  });

  it('rejects minTraffic on any judge metric, where it would be ignored', () => {
    const guard = { minTraffic: { query: 'sum(rate(requests[1m]))', min: 1 } };
    expect(issuesOf({ baselineQuery: 'a', canaryQuery: 'b' }, guard)).toEqual([
      {
        path: 'spec.metrics[0].minTraffic',
        message:
          'applies to prometheus metrics only: a judge comparison with too few points is NoData (minSamples)',
      },
    ]);
  });
});

describe('judgeComparisons', () => {
  it("fills a comparison's unset options from the provider and keeps its own", () => {
    const judge = JudgeProvider.parse({
      prometheus: PROMETHEUS,
      direction: 'either',
      tolerance: 0.1,
      minSamples: 10,
      comparisons: [latency, { ...errors, direction: 'increase', weight: 3, critical: true }],
    });
    const [first, second] = judgeComparisons(judge);
    expect(first).toMatchObject({ name: 'latency', direction: 'either', tolerance: 0.1, minSamples: 10 });
    expect(first).toMatchObject({ weight: 1, critical: false, confidence: 0.98, method: 'auto' });
    expect(second).toMatchObject({
      name: 'errors',
      direction: 'increase',
      tolerance: 0.1,
      weight: 3,
      critical: true,
    });
  });

  it('gives one unnamed comparison for baselineQuery and canaryQuery, and no scoring', () => {
    const judge = JudgeProvider.parse({ prometheus: PROMETHEUS, baselineQuery: 'a', canaryQuery: 'b' });
    expect(judgeComparisons(judge)).toEqual([
      expect.objectContaining({
        name: undefined,
        baselineQuery: 'a',
        canaryQuery: 'b',
        direction: 'increase',
      }),
    ]);
    expect(judgeScoring(judge)).toBeUndefined();
  });

  it('gives no comparison for a spec that skipped validation and has only one query', () => {
    const judge = {
      ...JudgeProvider.parse({ prometheus: PROMETHEUS, baselineQuery: 'a', canaryQuery: 'b' }),
    };
    delete judge.canaryQuery;
    expect(judgeComparisons(judge)).toEqual([]);
  });

  it('scores comparisons with pass 95 and marginal 75 unless set', () => {
    const judge = JudgeProvider.parse({ prometheus: PROMETHEUS, comparisons: [latency] });
    expect(judgeScoring(judge)).toEqual({ pass: 95, marginal: 75 });
    const strict = JudgeProvider.parse({
      prometheus: PROMETHEUS,
      comparisons: [latency],
      scoring: { pass: 100 },
    });
    expect(judgeScoring(strict)).toEqual({ pass: 100, marginal: 75 });
  });
});
