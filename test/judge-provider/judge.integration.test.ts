/**
 * `judge` metrics in `serin analyze --once` against a real Prometheus (the `prometheus` binary)
 * scraping a fake Istio metrics endpoint every second: one comparison judged by its condition, and
 * two comparisons scored together. The primary and the canaries get latencies that jitter every
 * 200 ms, so the samples are noisy like real ones. Skips when the binary is missing, unless CI=true.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../../src/main.ts';
import { startIstioMetricsServer, type IstioMetricsServer } from '../harness/istio-metrics-server.ts';
import { prometheusSkipReason, startPrometheus, type RunningPrometheus } from '../harness/prometheus.ts';
import { eventually } from '../support/index.ts';

const skip = prometheusSkipReason();

const WINDOW_SECONDS = 25;

const meanLatency = (arg: string): string => {
  const match = `reporter="destination",destination_workload="{{args.${arg}}}"`;
  return (
    `sum(rate(istio_request_duration_milliseconds_sum{${match}}[3s])) / ` +
    `sum(rate(istio_request_duration_milliseconds_count{${match}}[3s]))`
  );
};

const TEMPLATE = `apiVersion: serin.dev/v1alpha1
kind: AnalysisTemplate
metadata:
  name: judge-latency
spec:
  args:
    - name: baseline
    - name: canary
  metrics:
    - name: latency
      successCondition: result == 100
      provider:
        judge:
          prometheus:
            address: http://replaced-by-the-prometheus-flag:9090
          baselineQuery: '${meanLatency('baseline')}'
          canaryQuery: '${meanLatency('canary')}'
          window: ${WINDOW_SECONDS}s
          step: 1s
          direction: increase
`;

const errorRatio = (arg: string): string => {
  const match = `reporter="destination",destination_workload="{{args.${arg}}}"`;
  return (
    `(sum(rate(istio_requests_total{${match},response_code=~"5.."}[3s])) or vector(0)) / ` +
    `sum(rate(istio_requests_total{${match}}[3s]))`
  );
};

// Errors are critical: a canary that errs more fails whatever its latency.
const SCORED_TEMPLATE = `apiVersion: serin.dev/v1alpha1
kind: AnalysisTemplate
metadata:
  name: judge-vs-baseline
spec:
  args:
    - name: baseline
    - name: canary
  metrics:
    - name: vs-baseline
      provider:
        judge:
          prometheus:
            address: http://replaced-by-the-prometheus-flag:9090
          window: ${WINDOW_SECONDS}s
          step: 1s
          scoring: {pass: 95, marginal: 75}
          comparisons:
            - name: latency
              baselineQuery: '${meanLatency('baseline')}'
              canaryQuery: '${meanLatency('canary')}'
            - name: errors
              critical: true
              baselineQuery: '${errorRatio('baseline')}'
              canaryQuery: '${errorRatio('canary')}'
`;

/**
 * Latency centres in ms, redrawn uniformly within ±10% every 200 ms, and the share of 5xx answers.
 */
const WORKLOADS: Record<string, { latencyMs: number; errorRatio?: number }> = {
  'api-primary': { latencyMs: 20 },
  'api-canary': { latencyMs: 20 },
  'slow-canary': { latencyMs: 50 },
  'erring-canary': { latencyMs: 20, errorRatio: 0.3 },
};

function jitter(mesh: IstioMetricsServer): () => void {
  let state = 42;
  const random = (): number => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const redraw = (): void => {
    for (const [workload, { latencyMs, errorRatio = 0 }] of Object.entries(WORKLOADS)) {
      mesh.setRate(workload, { rps: 50, errorRatio, latencyMs: latencyMs * (0.9 + 0.2 * random()) });
    }
  };
  redraw();
  const timer = setInterval(redraw, 200);
  return () => {
    clearInterval(timer);
  };
}

/** Waits until a range query over the judge's window returns at least `points` points. */
async function waitForPoints(url: string, query: string, points: number, timeoutMs: number): Promise<void> {
  let last = 0;
  await eventually(
    async () => {
      const end = Date.now() / 1000;
      const params = new URLSearchParams({
        query,
        start: String(end - WINDOW_SECONDS),
        end: String(end),
        step: '1',
      });
      const response = await fetch(`${url}/api/v1/query_range?${params.toString()}`);
      const body = (await response.json()) as { data?: { result: { values: unknown[] }[] } };
      last = body.data?.result[0]?.values.length ?? 0;
      return last >= points;
    },
    `${points} points of ${query}`,
    { timeoutMs, intervalMs: 500, detail: () => `last: ${last}` },
  );
}

interface JsonReport {
  phase: string;
  run: { metrics: { phase: string; measurements: { phase: string; value?: string; message?: string }[] }[] };
  judgements: {
    metric: string;
    result?: {
      classification: string;
      pValue: number;
      estimate: number;
      ci: [number, number];
      n: { baseline: number; canary: number };
    };
  }[];
}

describe.skipIf(skip !== undefined)('judge metrics against a real Prometheus', () => {
  let mesh: IstioMetricsServer;
  let prom: RunningPrometheus;
  let stopJitter: () => void;
  let dir: string;
  let template: string;
  let scored: string;
  let shipped: string;

  const analyze = (canary: string, ...extra: string[]) => analyzeWith(template, canary, ...extra);
  const analyzeWith = (file: string, canary: string, ...extra: string[]) =>
    runCliCaptured([
      'analyze',
      '--template',
      file,
      '--arg',
      'baseline=api-primary',
      '--arg',
      `canary=${canary}`,
      '--prometheus',
      prom.url,
      '--once',
      ...extra,
    ]);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'serin-judge-'));
    template = join(dir, 'judge-latency.yaml');
    writeFileSync(template, TEMPLATE);
    scored = join(dir, 'judge-vs-baseline.yaml');
    writeFileSync(scored, SCORED_TEMPLATE);
    // The shipped template as written, its window and rate ranges scaled from minutes to seconds.
    shipped = join(dir, 'istio-judge-vs-primary.yaml');
    const text = readFileSync('analysis-templates/istio-judge-vs-primary.yaml', 'utf8');
    writeFileSync(
      shipped,
      text
        .replaceAll('[1m]', '[3s]')
        .replace('window: 20m', `window: ${WINDOW_SECONDS}s`)
        .replace('step: 1m', 'step: 1s'),
    );
    mesh = await startIstioMetricsServer();
    stopJitter = jitter(mesh);
    prom = await startPrometheus({ targets: [mesh.target], scrapeInterval: '1s' });
    // Every step of the window needs data, or the judge would (rightly) say NoData.
    for (const workload of Object.keys(WORKLOADS)) {
      const query = meanLatency('w').replace(/\{\{args\.w\}\}/g, workload);
      await waitForPoints(prom.url, query, WINDOW_SECONDS + 1, 60_000);
      const errors = errorRatio('w').replace(/\{\{args\.w\}\}/g, workload);
      await waitForPoints(prom.url, errors, WINDOW_SECONDS + 1, 60_000);
    }
  }, 90_000);

  afterAll(async () => {
    stopJitter();
    await prom.stop();
    await mesh.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes a canary with the same latency as the primary (Successful, exit 0)', async () => {
    const out = await analyze('api-canary', '--output', 'json');
    // With --output json the progress lines, statistics included, go to stderr.
    expect(out.stderr).toMatch(/^ {4}judge latency: Pass: no increase .* p=\S+ \(exact\), shift /m);
    const report = JSON.parse(out.stdout) as JsonReport;
    const judged = report.judgements[0]?.result;
    expect(judged?.classification).toBe('Pass');
    expect(judged?.n.baseline).toBeGreaterThanOrEqual(20);
    expect(judged?.n.canary).toBeGreaterThanOrEqual(20);
    expect(Math.abs(judged?.estimate ?? Infinity)).toBeLessThan(5);
    expect(report.run.metrics[0]?.measurements[0]).toMatchObject({ phase: 'Successful', value: '100' });
    expect(report.phase).toBe('Successful');
    expect(out.code).toBe(0);
  });

  it('fails a canary with clearly higher latency (High, Failed measurement, exit 1) and prints the statistics', async () => {
    const out = await analyze('slow-canary');
    expect(out.stderr).toBe('');
    expect(out.stdout).toContain('Verdict: Failed');
    expect(out.stdout).toContain('Judge statistics');
    expect(out.stdout).toMatch(/\blatency\s+High\s+\S+\s+\d/);
    expect(out.code).toBe(1);
    const json = JSON.parse((await analyze('slow-canary', '--output', 'json')).stdout) as JsonReport;
    const judged = json.judgements[0]?.result;
    expect(judged?.classification).toBe('High');
    // The canary is 30 ms slower than the primary: the interval for the shift says so.
    expect(judged?.ci[0]).toBeGreaterThan(20);
    expect(judged?.ci[1]).toBeLessThan(40);
    expect(judged?.pValue).toBeLessThan(1e-6);
    expect(json.run.metrics[0]?.measurements[0]).toMatchObject({ phase: 'Failed', value: '0' });
  });

  it('is Inconclusive, never Successful, when the canary has no series', async () => {
    const out = await analyze('no-such-canary', '--output', 'json');
    const report = JSON.parse(out.stdout) as JsonReport;
    expect(report.phase).toBe('Inconclusive');
    expect(report.run.metrics[0]?.measurements[0]).toMatchObject({
      phase: 'Inconclusive',
      message: 'no data: canary: empty matrix: no series matched',
    });
    expect(report.judgements[0]?.result).toBeUndefined();
    expect(out.code).toBe(2);
  });

  it('scores two comparisons together: both Pass gives score 100 and a Successful run', async () => {
    const out = await analyzeWith(scored, 'api-canary', '--output', 'json');
    const report = JSON.parse(out.stdout) as JsonReport;
    expect(report.run.metrics[0]?.measurements[0]).toMatchObject({
      phase: 'Successful',
      value: '100',
      message: 'score 100 (pass 95, marginal 75): latency Pass, errors Pass (critical)',
    });
    expect(report.judgements.map((j) => [j.metric, j.result?.classification])).toEqual([
      ['vs-baseline/latency', 'Pass'],
      ['vs-baseline/errors', 'Pass'],
    ]);
    expect(out.code).toBe(0);
  });

  it('fails at score 50 when latency is High, below marginal 75, and prints each comparison', async () => {
    const out = await analyzeWith(scored, 'slow-canary');
    expect(out.stdout).toContain('Verdict: Failed');
    expect(out.stdout).toMatch(/\bvs-baseline\/latency\s+High\s/);
    expect(out.stdout).toMatch(/\bvs-baseline\/errors\s+Pass\s/);
    expect(out.code).toBe(1);
    const report = JSON.parse(
      (await analyzeWith(scored, 'slow-canary', '--output', 'json')).stdout,
    ) as JsonReport;
    expect(report.run.metrics[0]?.measurements[0]).toMatchObject({ phase: 'Failed', value: '50' });
  });

  it('fails at score 0 when the critical error comparison is High, though latency passes', async () => {
    const out = await analyzeWith(scored, 'erring-canary', '--output', 'json');
    const report = JSON.parse(out.stdout) as JsonReport;
    const measurement = report.run.metrics[0]?.measurements[0];
    expect(measurement).toMatchObject({ phase: 'Failed', value: '0' });
    expect(measurement?.message).toMatch(
      /^score 0 \(pass 95, marginal 75\): latency Pass, errors High \(critical\); errors: High: /,
    );
    expect(out.code).toBe(1);
  });

  describe('the shipped analysis-templates/istio-judge-vs-primary.yaml', () => {
    const builtins = (canary: string) => [
      '--arg',
      'canary.namespace=default',
      '--arg',
      `canary.primaryWorkload=api-primary`,
      '--arg',
      `canary.workload=${canary}`,
    ];
    const analyzeShipped = async (canary: string) => {
      const out = await runCliCaptured([
        'analyze',
        '--template',
        shipped,
        ...builtins(canary),
        '--prometheus',
        prom.url,
        '--once',
        '--output',
        'json',
      ]);
      return { code: out.code, report: JSON.parse(out.stdout) as JsonReport };
    };

    it('passes a canary like the primary with score 100', async () => {
      const { code, report } = await analyzeShipped('api-canary');
      expect(report.judgements.map((j) => [j.metric, j.result?.classification])).toEqual([
        ['judge-vs-primary/mean-latency', 'Pass'],
        ['judge-vs-primary/p99-latency', 'Pass'],
        ['judge-vs-primary/error-ratio', 'Pass'],
      ]);
      expect(report.run.metrics[0]?.measurements[0]).toMatchObject({ phase: 'Successful', value: '100' });
      expect(code).toBe(0);
    });

    it('fails a slower canary at score 50: both latency comparisons High, errors Pass', async () => {
      const { report } = await analyzeShipped('slow-canary');
      expect(report.judgements.map((j) => j.result?.classification)).toEqual(['High', 'High', 'Pass']);
      expect(report.run.metrics[0]?.measurements[0]).toMatchObject({ phase: 'Failed', value: '50' });
    });

    it('fails an erring canary at score 0: the critical error ratio is High', async () => {
      const { report } = await analyzeShipped('erring-canary');
      expect(report.judgements.map((j) => j.result?.classification)).toEqual(['Pass', 'Pass', 'High']);
      expect(report.run.metrics[0]?.measurements[0]).toMatchObject({ phase: 'Failed', value: '0' });
    });
  });
});
