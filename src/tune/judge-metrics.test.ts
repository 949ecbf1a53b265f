import { describe, expect, it } from 'vitest';
import { parseKind, type AnalysisTemplateSpec } from '../api/index.ts';
import type { MetricProvider } from '../ports/index.ts';
import { createJudgeRunner } from '../providers/judge/index.ts';
import { judgeNoteOf } from './judge-metrics.ts';
import { planRuns } from './plan.ts';
import { tune } from './tune.ts';

const T0 = Date.parse('2026-06-01T00:00:00Z');
const H = 3_600_000;

function judgeTemplate(): AnalysisTemplateSpec {
  const result = parseKind('AnalysisTemplate', {
    apiVersion: 'serin.dev/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: 'judge' },
    spec: {
      metrics: [
        {
          name: 'latency-vs-primary',
          interval: '5m',
          count: 2,
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
  });
  if (!result.ok) throw new Error('fixture does not validate');
  return (result.value as { spec: AnalysisTemplateSpec }).spec;
}

const argsFor = (canary: string, primary: string) => ({
  values: { 'canary.workload': canary, 'canary.primaryWorkload': primary },
  secrets: [],
});

/** Two workloads' latency: `api` a steady 100 ms, `api-b` 100 ms with a 150 ms hour from 02:00. */
const history: MetricProvider = {
  instantQuery: () => Promise.reject(new Error('the judge runs range queries only')),
  rangeQuery: (request) => {
    const points: { time: number; value: number }[] = [];
    for (let t = request.start, i = 0; t <= request.end; t += request.stepMs, i++) {
      const slow = request.query.includes('"api-b"') && t >= T0 + 2 * H && t < T0 + 3 * H;
      points.push({ time: t, value: (slow ? 150 : 100) + ((i * 7) % 5) });
    }
    return Promise.resolve({ kind: 'series', series: [{ labels: {}, points }] });
  },
};

describe('judge metrics in serin tune', () => {
  it('says a judge metric whose two sides render to the same query passes by construction', () => {
    const metric = judgeTemplate().metrics[0];
    if (metric === undefined) throw new Error('no metric');
    expect(judgeNoteOf(metric, argsFor('api', 'api'))?.kind).toBe('sameSeries');
    expect(judgeNoteOf(metric, argsFor('api-b', 'api'))?.kind).toBe('twoSides');
  });

  it('runs judge metrics through the production judge: no Error runs, and an A/A difference is a false alarm', async () => {
    const templates = [judgeTemplate()];
    const plan = planRuns({ templates, from: T0, to: T0 + 6 * H });
    const report = await tune({
      templates,
      args: argsFor('api-b', 'api'),
      provider: history,
      plan,
      target: 0.01,
      judgeFor: (provider) => createJudgeRunner({ provider }),
    });
    const rates = report.verdict.rates;
    expect(rates.Error.successes).toBe(0);
    expect(rates.Failed.successes).toBeGreaterThan(0);
    expect(rates.Successful.successes).toBeGreaterThan(rates.Failed.successes);
    expect(report.metrics[0]?.judge?.kind).toBe('twoSides');
  });

  it('without the judge, every run of a judge metric is an Error (what tune showed before it was wired)', async () => {
    const templates = [judgeTemplate()];
    const plan = planRuns({ templates, from: T0, to: T0 + 2 * H });
    const report = await tune({
      templates,
      args: argsFor('api', 'api'),
      provider: history,
      plan,
      target: 0.01,
    });
    expect(report.verdict.rates.Error.successes).toBe(plan.windows.length);
  });
});
