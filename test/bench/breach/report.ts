import { cpus, freemem, loadavg, totalmem } from 'node:os';
import type { BreachConfig } from './manifests.ts';
import { summarize, type Summary } from './stats.ts';
import type { TrialResult } from './trial.ts';

const ms = (value: number | undefined): string => (value === undefined ? '-' : value.toFixed(0));
const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/** The machine the figures were taken on. */
export function machineLine(): string {
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `machine: ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? '?'}), ${gib(totalmem())} memory (${gib(freemem())} free), node ${process.version}, load average ${load}, ${new Date().toISOString()}`;
}

export function configLines(config: BreachConfig, runs: number): string[] {
  return [
    `config: scrape interval ${config.scrapeIntervalMs} ms; istio-success-rate (successCondition result >= 0.99) every ${config.measurementIntervalMs} ms, window ${config.window}, count ${config.count}, failureLimit ${config.failureLimit} (one failing measurement aborts)`,
    `load: ${config.rps} rps to the service, canary at ${config.canaryWeight}%; at t0 the canary answers ${config.errorRate * 100}% 500s; ${runs} runs + 1 warm-up run (discarded), one stack, a fresh namespace per run`,
  ];
}

export const TRIAL_HEADER =
  'run  delay  scrape1  scrape2  m.start  m.end  safe  | breach→safe  overhead  passed-after-t0  value';

/** One row: every time in ms after t0 (wall clock), then the two figures. */
export function trialRow(label: string, r: TrialResult): string {
  return [
    label.padEnd(4),
    ms(r.delayMs).padStart(5),
    ms(r.atFirstErrorScrape).padStart(8),
    ms(r.atSecondErrorScrape).padStart(8),
    ms(r.atMeasurementStart).padStart(8),
    ms(r.atMeasurementEnd).padStart(6),
    ms(r.atSafe).padStart(5),
    ' |',
    ms(r.breachToSafeMs).padStart(11),
    ms(r.overheadMs).padStart(9),
    String(r.passedAfterBreach).padStart(16),
    ` ${Number.isFinite(Number(r.failingValue)) ? Number(r.failingValue).toFixed(4) : r.failingValue}`,
  ].join(' ');
}

const line = (label: string, s: Summary, unit = 'ms'): string =>
  `${label.padEnd(48)} min ${s.min.toFixed(0).padStart(5)}  median ${s.median.toFixed(0).padStart(5)}  p99 ${s.p99.toFixed(0).padStart(5)}  max ${s.max.toFixed(0).padStart(5)} ${unit}`;

const defined = (values: (number | undefined)[]): number[] => values.filter((v) => v !== undefined);

/** The summary: the two figures, their parts, and whether the goals are met. */
export function summaryLines(config: BreachConfig, results: readonly TrialResult[]): string[] {
  const whole = summarize(results.map((r) => r.breachToSafeMs));
  const overhead = summarize(results.map((r) => r.overheadMs));
  const parts = {
    toFirst: defined(results.map((r) => r.atFirstErrorScrape)),
    firstToSecond: defined(results.map((r) => diff(r.atSecondErrorScrape, r.atFirstErrorScrape))),
    secondToStart: defined(results.map((r) => diff(r.atMeasurementStart, r.atSecondErrorScrape))),
    query: results.map((r) => r.atMeasurementEnd - r.atMeasurementStart),
  };
  const goalWhole = config.measurementIntervalMs + config.scrapeIntervalMs + 1_000;
  const met = (ok: boolean): string => (ok ? 'MET' : 'NOT MET');
  return [
    line(`breach→safe (n=${whole.n})`, whole),
    line('  t0 → first scrape holding a 5xx', summarize(parts.toFirst)),
    line('  first → second scrape (rate() needs 2 samples)', summarize(parts.firstToSecond)),
    line('  second scrape → failing measurement starts', summarize(parts.secondToStart)),
    line('  measurement (pass start → query answered)', summarize(parts.query)),
    line(`controller overhead (n=${overhead.n})`, overhead),
    `measurements that started after t0 and still passed: ${results.map((r) => r.passedAfterBreach).join(' ')}`,
    `goal breach→safe ≤ measurement interval + scrape interval + 1 s = ${goalWhole} ms: max ${whole.max.toFixed(0)} ms, p99 ${whole.p99.toFixed(0)} ms → ${met(whole.p99 <= goalWhole)} (${results.filter((r) => r.breachToSafeMs > goalWhole).length} of ${results.length} runs over)`,
    `goal controller overhead ≤ 100 ms p99: p99 ${overhead.p99.toFixed(0)} ms → ${met(overhead.p99 <= 100)}`,
    'p99 is nearest-rank: with fewer than 100 runs it is the slowest run.',
  ];
}

function diff(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a - b;
}
