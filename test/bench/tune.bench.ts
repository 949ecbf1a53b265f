/**
 * `serin tune` over 7 days of history at a 1-minute interval (the shipped istio-error-rate
 * template: a measurement a minute, 5 per run, with its minTraffic guard), against a local real
 * Prometheus backfilled by promtool with the generated history of test/analysis/service-history.ts.
 * Prints the queries issued, the wall time and the queries per second Prometheus answered.
 *
 * --qps is lifted so the figure is what the local Prometheus sustains; at the default --qps 20
 * the same run takes at least issued / 20 seconds. Detection power (--no-power here) adds one
 * scratch Prometheus and one more pass over the history per degradation; set
 * SERIN_BENCH_TUNE_POWER=1 to time it too.
 */
import { runCliCaptured } from '../../src/main.ts';
import { historyOpenMetrics, type ServiceHistory } from '../analysis/service-history.ts';
import { H, STABLE as DAY, T0 } from '../analysis/tuning-histories.ts';
import { prometheusAvailable, startPrometheus } from '../harness/prometheus.ts';

const DAYS = 7;

/** The tuning suites' healthy service, over a week at 1-minute scrapes. */
const STABLE: ServiceHistory = { ...DAY, to: T0 + DAYS * 24 * H, scrapeMs: 60_000 };

interface Report {
  runs: number;
  queries: { issued: number; reused: number; failed: number };
  verdict: { rates: Record<string, { successes: number; rate: number }> };
}

async function timeTune(url: string, power: boolean): Promise<void> {
  const started = performance.now();
  const result = await runCliCaptured([
    'tune',
    '--template',
    'analysis-templates/istio-error-rate.yaml',
    '--arg',
    'namespace=shop',
    '--arg',
    'workload=checkout',
    '--prometheus',
    url,
    '--from',
    new Date(T0).toISOString(),
    '--to',
    new Date(T0 + DAYS * 24 * H).toISOString(),
    '--qps',
    '1000000',
    ...(power ? [] : ['--no-power']),
    '-o',
    'json',
  ]);
  const seconds = (performance.now() - started) / 1000;
  if (result.code !== 0 && result.code !== 1) {
    console.log(`serin tune exited ${result.code}: ${result.stderr.trim().split('\n').at(-1) ?? ''}`);
    return;
  }
  const report = JSON.parse(result.stdout) as Report;
  const { issued, reused, failed } = report.queries;
  const label = `tune 7d @1m ${power ? 'with detection power' : '(--no-power)'}`;
  console.log(
    `${label.padEnd(36)} ${String(report.runs).padStart(5)} runs  ${String(issued).padStart(6)} queries issued ` +
      `(${reused} from memory, ${failed} failed)  ${seconds.toFixed(1).padStart(6)} s  ` +
      `${(issued / seconds).toFixed(0).padStart(5)} queries/s  (at the default --qps 20: >= ${(issued / 20 / 60).toFixed(1)} min)`,
  );
}

/** Prints the figures; skips with a note when there is no prometheus binary. */
export async function run(): Promise<void> {
  if (!prometheusAvailable()) {
    console.log('tune: skipped (no prometheus binary; Debian: apt-get install prometheus)');
    return;
  }
  const backfillStarted = performance.now();
  const prom = await startPrometheus({ targets: [], backfill: historyOpenMetrics([STABLE]) });
  console.log(
    `backfill 7d @1m (9 series, promtool) and start Prometheus: ${((performance.now() - backfillStarted) / 1000).toFixed(1)} s`,
  );
  try {
    await timeTune(prom.url, false);
    if (process.env.SERIN_BENCH_TUNE_POWER === '1') await timeTune(prom.url, true);
  } finally {
    await prom.stop();
  }
}
