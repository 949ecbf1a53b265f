/**
 * The analysis engine against a real Prometheus (the `prometheus` binary), scraping a fake Istio
 * metrics endpoint every second. Skips when the binary is missing, unless CI=true.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest, runLive } from '../../src/analysis/index.ts';
import type { ResolvedArgs } from '../../src/analysis/index.ts';
import type { AnalysisPhase, AnalysisRunStatus, AnalysisTemplateSpec } from '../../src/api/index.ts';
import { runCliCaptured } from '../../src/main.ts';
import { systemClock } from '../../src/ports/index.ts';
import { createPrometheusProvider } from '../../src/providers/prometheus/index.ts';
import { startIstioMetricsServer, type IstioMetricsServer } from '../harness/istio-metrics-server.ts';
import {
  prometheusSkipReason,
  startPrometheus,
  waitForValue,
  type RunningPrometheus,
} from '../harness/prometheus.ts';
import { metric } from './helpers.ts';

const skip = prometheusSkipReason();
const provider = createPrometheusProvider();
const NO_ARGS: ResolvedArgs = { values: {}, secrets: [] };

const selector = (workload: string, extra = ''): string =>
  `istio_requests_total{reporter="destination",destination_workload="${workload}"${extra}}`;
const errorRatio = (workload: string): string =>
  `sum(rate(${selector(workload, ',response_code=~"5.."')}[3s])) / sum(rate(${selector(workload)}[3s]))`;
const requestRate = (workload: string): string => `sum(rate(${selector(workload)}[3s]))`;
/** When the stalest of these workloads' series was last scraped (seconds since the epoch). */
const lastScrape = (workloads: string[]): string =>
  `min(timestamp(istio_requests_total{reporter="destination",destination_workload=~"${workloads.join('|')}"}))`;

describe.skipIf(skip !== undefined)('analysis against a real Prometheus', () => {
  let mesh: IstioMetricsServer;
  let prom: RunningPrometheus;

  function errorRateMetric(workload: string, overrides: Record<string, unknown> = {}) {
    return metric({
      name: `error-rate-${workload}`,
      interval: '1s',
      count: 3,
      successCondition: 'result < 0.05',
      provider: { prometheus: { address: prom.url, timeout: '5s', query: errorRatio(workload) } },
      ...overrides,
    });
  }

  function live(
    spec: AnalysisTemplateSpec,
    onPhase?: (run: AnalysisRunStatus) => void,
  ): Promise<AnalysisRunStatus> {
    return runLive({
      templates: [spec],
      args: NO_ARGS,
      provider,
      clock: systemClock,
      onMeasurement: ({ run }) => onPhase?.(run),
    });
  }

  const phasesOf = (run: AnalysisRunStatus, name: string): AnalysisPhase[] =>
    run.metrics.find((m) => m.name === name)?.measurements.map((m) => m.phase) ?? [];

  beforeAll(async () => {
    mesh = await startIstioMetricsServer();
    mesh.setRate('healthy', { rps: 20 });
    mesh.setRate('broken', { rps: 20, errorRatio: 0.2 });
    mesh.setRate('quiet', { rps: 0.5 });
    prom = await startPrometheus({ targets: [mesh.target], scrapeInterval: '1s' });
    // Wait until every series has enough samples for a 3s rate.
    await waitForValue(prom.url, errorRatio('broken'), (v) => Math.abs(v - 0.2) < 0.01, 30_000);
    await waitForValue(prom.url, errorRatio('healthy'), (v) => v === 0, 30_000);
    await waitForValue(prom.url, requestRate('quiet'), (v) => v > 0.3, 30_000);
  }, 60_000);

  afterAll(async () => {
    await prom.stop();
    await mesh.stop();
  });

  it('gives Successful for a healthy series', async () => {
    const m = errorRateMetric('healthy');
    const run = await live({ metrics: [m] });
    expect(run.phase).toBe('Successful');
    expect(phasesOf(run, m.name)).toEqual(['Successful', 'Successful', 'Successful']);
    expect(run.metrics[0]?.measurements[0]?.value).toBe('0');
  });

  it('gives Failed for a 20% 5xx rate within failureLimit + 1 measurements', async () => {
    const m = errorRateMetric('broken', { count: 5, failureLimit: 1 });
    const run = await live({ metrics: [m] });
    expect(run.phase).toBe('Failed');
    expect(phasesOf(run, m.name)).toEqual(['Failed', 'Failed']);
    for (const measurement of run.metrics[0]?.measurements ?? []) {
      expect(Number(measurement.value)).toBeCloseTo(0.2, 2);
    }
  });

  it('gives Inconclusive, never Failed or Successful, below the traffic guard', async () => {
    const m = errorRateMetric('quiet', { minTraffic: { query: requestRate('quiet'), min: 5 } });
    const run = await live({ metrics: [m] });
    expect(run.phase).toBe('Inconclusive');
    expect(run.metrics[0]?.measurements[0]?.message).toMatch(/^insufficient traffic: 0\.\d+ < 5$/);
  });

  it('reaches the same verdicts in a backtest over the same minutes as the live run', async () => {
    const ok = errorRateMetric('healthy', { failureLimit: 1 });
    const bad = errorRateMetric('broken', { failureLimit: 1 });
    const spec: AnalysisTemplateSpec = { metrics: [ok, bad] };
    const liveRun = await live(spec);
    const from = Date.parse(liveRun.startedAt);
    const to = Date.parse(liveRun.finishedAt ?? liveRun.startedAt) + 1_000;
    // Replay only once Prometheus holds samples of both series scraped at or after the window's end.
    await waitForValue(prom.url, lastScrape(['healthy', 'broken']), (at) => at * 1000 >= to, 20_000);
    const replay = await runBacktest({ templates: [spec], args: NO_ARGS, provider, from, to });
    expect(liveRun.phase).toBe('Failed');
    expect(replay.phase).toBe(liveRun.phase);
    // The failing metric decides the run, measurement for measurement.
    expect(phasesOf(replay, bad.name)).toEqual(phasesOf(liveRun, bad.name));
    // The healthy one is cut off when the run ends. Live, each metric's next measurement is due an
    // interval after its last one finished, so the two drift apart by a few milliseconds and the
    // breach may land just before the healthy one's second measurement; a replay takes both at
    // the same instant. So the two may differ by one measurement, all of them Successful.
    const [liveOk, replayOk] = [phasesOf(liveRun, ok.name), phasesOf(replay, ok.name)];
    expect(Math.abs(liveOk.length - replayOk.length)).toBeLessThanOrEqual(1);
    expect(Math.min(liveOk.length, replayOk.length)).toBeGreaterThan(0);
    expect(new Set([...liveOk, ...replayOk])).toEqual(new Set(['Successful']));
    for (const name of [ok.name, bad.name]) {
      expect(replay.metrics.find((m) => m.name === name)?.phase).toBe(
        liveRun.metrics.find((m) => m.name === name)?.phase,
      );
    }
    const verdictDrift = Math.abs(Date.parse(replay.finishedAt ?? '') - Date.parse(liveRun.finishedAt ?? ''));
    expect(verdictDrift).toBeLessThan(1_000);
  });

  it('serin analyze --once judges the shipped success-rate template against Prometheus', async () => {
    const args = (workload: string) => [
      'analyze',
      '--template',
      'analysis-templates/istio-success-rate.yaml',
      '--arg',
      'namespace=default',
      '--arg',
      `workload=${workload}`,
      '--arg',
      'window=5s',
      '--prometheus',
      prom.url,
      '--once',
    ];
    const good = await runCliCaptured(args('healthy'));
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('Verdict: Successful');
    const bad = await runCliCaptured(args('broken'));
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('Verdict: Failed');
  });

  // Last: it kills the shared Prometheus.
  it('gives errors, then Error after the consecutive error limit, and never Successful, when Prometheus stops', async () => {
    const m = errorRateMetric('healthy', { count: 30, consecutiveErrorLimit: 2 });
    const seen: AnalysisPhase[] = [];
    let killed: Promise<void> | undefined;
    const run = await live({ metrics: [m] }, (current) => {
      seen.push(current.phase);
      if (current.metrics[0]?.count === 2 && killed === undefined) killed = prom.kill();
    });
    await killed;
    expect(run.phase).toBe('Error');
    expect(seen).not.toContain('Successful');
    const phases = phasesOf(run, m.name);
    expect(phases.slice(0, 2)).toEqual(['Successful', 'Successful']);
    expect(phases.slice(2)).toEqual(['Error', 'Error', 'Error']);
    expect(run.metrics[0]?.message).toBe('consecutive errors (3) > consecutiveErrorLimit (2)');
    expect(run.metrics[0]?.measurements.at(-1)?.message).toMatch(/^cannot reach Prometheus/);
  });
});
