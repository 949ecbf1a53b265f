/**
 * `serin tune` and `serin replay` against a real Prometheus backfilled with generated history
 * (test/analysis/service-history.ts): a day of a healthy service with a daily cycle, noise, a
 * low-traffic night and short error bursts; and a canary whose release fails 20% of requests from
 * a known instant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHistory, degradedHistory } from '../../src/cli/tune-history.ts';
import { runCliCaptured } from '../../src/main.ts';
import { createPrometheusProvider } from '../../src/providers/prometheus/index.ts';
import { cachedProvider } from '../../src/tune/cached-provider.ts';
import type { Degradation } from '../../src/tune/degrade.ts';
import { planRuns } from '../../src/tune/plan.ts';
import { tune } from '../../src/tune/tune.ts';
import { prometheusSkipReason, startPrometheus, type RunningPrometheus } from '../harness/prometheus.ts';
import { shippedTemplate } from './bad-canary.ts';
import { historyOpenMetrics, scrapes, type ServiceHistory } from './service-history.ts';
import { CANARY, H, INCIDENT_AT, PAY_CANARY, PAY_PRIMARY, STABLE, T0 } from './tuning-histories.ts';

const skip = prometheusSkipReason();
const M = 60_000;

type Outcome = 'Failed' | 'Inconclusive' | 'Successful';

/**
 * istio-error-rate by hand, from the generated counts (not through PromQL or serin's bookkeeping):
 * 5 measurements a minute apart; each reads the requests and errors of the last minute; fewer than
 * 50 requests is Inconclusive (and ends the run: inconclusiveLimit 0); above 5% errors is a
 * failure, two in a row fail the run.
 */
function expectedOutcomes(history: ServiceHistory, from: number, to: number): Outcome[] {
  const at = new Map(scrapes(history).map((s) => [s.t, s] as const));
  const outcomes: Outcome[] = [];
  for (let start = from; start + 5 * M <= to; start += 5 * M) {
    let outcome: Outcome = 'Successful';
    let streak = 0;
    for (let j = 0; j < 5; j++) {
      const now = at.get(start + j * M);
      const before = at.get(start + j * M - M);
      if (now === undefined || before === undefined) throw new Error('measurement off the scrape grid');
      const errors = now.errors - before.errors;
      const requests = errors + now.ok - before.ok;
      if (requests < 50) {
        outcome = 'Inconclusive';
        break;
      }
      streak = errors / requests > 0.05 ? streak + 1 : 0;
      if (streak === 2) {
        outcome = 'Failed';
        break;
      }
    }
    outcomes.push(outcome);
  }
  return outcomes;
}

const count = (outcomes: readonly Outcome[], o: Outcome) => outcomes.filter((x) => x === o).length;

describe.skipIf(skip !== undefined)('serin tune and replay on generated history', () => {
  let prom: RunningPrometheus;

  beforeAll(async () => {
    prom = await startPrometheus({
      targets: [],
      backfill: historyOpenMetrics([STABLE, CANARY, PAY_PRIMARY, PAY_CANARY]),
    });
  }, 120_000);
  afterAll(async () => {
    await prom.stop();
  });

  const tuneArgs = (template: string, extra: string[] = []) => [
    'tune',
    '--template',
    template,
    '--arg',
    'namespace=shop',
    '--arg',
    'workload=checkout',
    '--prometheus',
    prom.url,
    '--from',
    new Date(T0).toISOString(),
    '--to',
    new Date(T0 + 24 * H).toISOString(),
    '--qps',
    '100000',
    '--no-power',
    '-o',
    'json',
    ...extra,
  ];

  it('reports the false-alarm rate computed by hand from the same generated counts', async () => {
    const expected = expectedOutcomes(STABLE, T0, T0 + 24 * H);
    // The history must hold false alarms and low-traffic runs, or this test could not fail.
    expect(count(expected, 'Failed')).toBeGreaterThan(0);
    expect(count(expected, 'Inconclusive')).toBeGreaterThan(0);
    const result = await runCliCaptured(tuneArgs('analysis-templates/istio-error-rate.yaml'));
    expect(result.stderr).toContain('history: 100% of the range');
    const report = JSON.parse(result.stdout) as {
      runs: number;
      verdict: { rates: Record<string, { successes: number; rate: number; lower: number; upper: number }> };
      metrics: { comparisons: { suggestion?: { rate: number; threshold: number } }[] }[];
    };
    expect(report.runs).toBe(expected.length);
    const rates = report.verdict.rates;
    expect(rates.Failed?.successes).toBe(count(expected, 'Failed'));
    expect(rates.InconclusiveLowTraffic?.successes).toBe(count(expected, 'Inconclusive'));
    expect(rates.Successful?.successes).toBe(count(expected, 'Successful'));
    expect(rates.Failed?.lower).toBeLessThan(rates.Failed?.rate ?? 0);
    expect(result.code).toBe((rates.Failed?.rate ?? 1) <= 0.01 ? 0 : 1);
  }, 300_000);

  it('suggests a threshold whose false-alarm rate is at or below the target', async () => {
    const result = await runCliCaptured(
      tuneArgs('analysis-templates/istio-error-rate.yaml', ['--target-false-alarm', '0.5%']),
    );
    const report = JSON.parse(result.stdout) as {
      metrics: { comparisons: { suggestion?: { rate: number; threshold: number } }[] }[];
    };
    const suggestion = report.metrics[0]?.comparisons[0]?.suggestion;
    expect(suggestion).toBeDefined();
    expect(suggestion?.rate).toBeLessThanOrEqual(0.005);
    // A stricter ceiling than the suggestion gives more false alarms than the target.
    expect(suggestion?.threshold).toBeGreaterThan(0);
  }, 300_000);

  it('detection power rises with the size of the regression, and the untouched copy matches the original', async () => {
    const from = T0 + 6 * H;
    const to = T0 + 12 * H;
    const template = shippedTemplate('analysis-templates/istio-error-rate.yaml', {
      address: prom.url,
      interval: '1m',
      count: 5,
      scrapeInterval: '30s',
    });
    const args = {
      values: { 'args.namespace': 'shop', 'args.workload': 'checkout', 'args.window': '1m' },
      secrets: [],
    };
    const history = await readHistory({ templates: [template], args, from, to });
    expect(history.length).toBeGreaterThan(0);
    const degradations: Degradation[] = [
      { kind: 'none' },
      { kind: 'errors', add: 0.005 },
      { kind: 'errors', add: 0.02 },
      { kind: 'errors', add: 0.05 },
    ];
    const report = await tune({
      templates: [template],
      args,
      provider: cachedProvider(createPrometheusProvider(), {
        qps: Infinity,
        now: Date.now,
        sleep: () => Promise.resolve(),
      }),
      plan: planRuns({ templates: [template], from, to }),
      target: 0.01,
      degradations,
      degraded: (d) => degradedHistory(history, d, [template]),
    });
    const failed = report.power.map((row) => row.verdict.failed.rate);
    expect(failed[0]).toBe(report.verdict.rates.Failed.rate);
    for (let i = 2; i < failed.length; i++) expect(failed[i]).toBeGreaterThanOrEqual(failed[i - 1] ?? 0);
    expect(failed[3]).toBeGreaterThan(failed[1] ?? 1);
    expect(failed[3]).toBeGreaterThan(0.5);
  }, 300_000);

  it('replay aborts the incident release at its analysis step within one interval of the expected time', async () => {
    const start = INCIDENT_AT - 5 * M;
    const result = await runCliCaptured([
      'replay',
      '--canary',
      'test/fixtures/replay/canary.yaml',
      '--templates',
      'analysis-templates/',
      '--prometheus',
      prom.url,
      '--start',
      new Date(start).toISOString(),
      '--for',
      '1h',
      '-o',
      'json',
    ]);
    const report = JSON.parse(result.stdout) as {
      outcome: string;
      step: number;
      at: number;
      weightZeroAt: number;
    };
    expect(result.code).toBe(1);
    expect(report.outcome).toBe('Aborted');
    expect(report.step).toBe(3);
    // The analysis starts with the incident (after the 5-minute pause); the first full minute of
    // errors is measured at +1m and the second consecutive failure ends it at +2m.
    const expected = INCIDENT_AT + 2 * M;
    expect(Math.abs(report.at - expected)).toBeLessThanOrEqual(M);
    expect(report.weightZeroAt).toBe(report.at);
  }, 120_000);

  it('replay promotes a healthy release once on-call approves the last step', async () => {
    const start = CANARY.from + 5 * M;
    const result = await runCliCaptured([
      'replay',
      '--canary',
      'test/fixtures/replay/canary.yaml',
      '--templates',
      'analysis-templates/',
      '--prometheus',
      prom.url,
      '--start',
      new Date(start).toISOString(),
      '--approve-at',
      'step=5,after=10m',
    ]);
    expect(result.stdout).toContain('traffic weights are only recorded');
    // Analysis from +5m to +9m (5 measurements), 50% and the gate at +9m, approved 10m later,
    // promoted once the primary is ready (the next pass, 1s on).
    expect(result.stdout).toMatch(/Outcome: promoted at 2026-06-01T09:24:01.000Z \(\+19m01s after --start\)/);
    expect(result.code).toBe(0);
  }, 120_000);

  it('tune runs a judge metric through the production judge and says when both sides read the same series', async () => {
    const result = await runCliCaptured([
      'tune',
      '--template',
      'test/fixtures/replay/judge-templates/judge-vs-primary.yaml',
      '--arg',
      'canary.namespace=shop',
      '--arg',
      'canary.workload=checkout',
      '--arg',
      'canary.primaryWorkload=checkout',
      '--prometheus',
      prom.url,
      '--from',
      new Date(T0 + 8 * H).toISOString(),
      '--to',
      new Date(T0 + 11 * H).toISOString(),
      '--qps',
      '100000',
      '--no-power',
    ]);
    expect(result.stdout).toContain('baseline and canary render to the same query');
    // Before the judge was wired, every run of a judge metric was an Error.
    expect(result.stdout).not.toMatch(/^Error /m);
    expect(result.stdout).toMatch(/^Successful +\d+ +100%/m);
    expect(result.code).toBe(0);
  }, 300_000);

  it('replay runs the judge as the controller does and aborts the release whose canary fails against its primary', async () => {
    // 10%, then 20 minutes, then the judge: it starts 10 minutes after the incident began.
    const start = INCIDENT_AT - 10 * M;
    const result = await runCliCaptured([
      'replay',
      '--canary',
      'test/fixtures/replay/judge-canary.yaml',
      '--templates',
      'test/fixtures/replay/judge-templates/',
      '--prometheus',
      prom.url,
      '--start',
      new Date(start).toISOString(),
      '--for',
      '2h',
      '-o',
      'json',
    ]);
    const report = JSON.parse(result.stdout) as {
      outcome: string;
      step: number;
      at: number;
      timeline: { kind: string; at: number; phase?: string; text: string }[];
    };
    const judged = report.timeline.filter((e) => e.kind === 'measurement' && e.phase !== undefined);
    expect(judged.length).toBeGreaterThan(0);
    expect(judged.every((e) => e.phase !== 'Error')).toBe(true);
    expect(judged.at(-1)?.text).toMatch(/error-ratio High/);
    expect(report.outcome).toBe('Aborted');
    expect(report.step).toBe(3);
    const analysisStart = start + 20 * M;
    expect(report.at).toBeGreaterThanOrEqual(analysisStart);
    // The judge metric measures every 5 minutes, 3 times.
    expect(report.at).toBeLessThanOrEqual(analysisStart + 10 * M);
    expect(result.code).toBe(1);
  }, 120_000);
});
