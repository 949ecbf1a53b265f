/**
 * What the scale bench reads while it runs: the controller process's CPU and RSS from /proc, its
 * /metrics counters, and measurement lateness from the Canaries' status.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { CanaryStatus } from '../../../src/api/index.ts';
import type { KubeObject } from '../../../src/kube/index.ts';

const TICKS_PER_SECOND = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3; utime and stime are 14, 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Resident set size in MiB, from /proc/<pid>/status. */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  return kb === undefined ? Number.NaN : Number(kb) / 1024;
}

/** One sample a second of a process's CPU (cores over the last second) and RSS. */
export class ProcessSampler {
  readonly cores: number[] = [];
  readonly rss: number[] = [];
  #timer: NodeJS.Timeout | undefined;
  #last: { at: number; cpu: number } | undefined;

  constructor(private readonly pid: number) {}

  start(): void {
    this.#last = { at: performance.now(), cpu: cpuSeconds(this.pid) };
    this.#timer = setInterval(() => {
      this.sample();
    }, 1_000);
  }

  private sample(): void {
    try {
      const at = performance.now();
      const cpu = cpuSeconds(this.pid);
      if (this.#last !== undefined) this.cores.push((cpu - this.#last.cpu) / ((at - this.#last.at) / 1000));
      this.#last = { at, cpu };
      this.rss.push(rssMiB(this.pid));
    } catch {
      // the process ended; the samples so far stand
    }
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Mean cores of each full 60-sample (1-minute) window, sliding by one sample. */
  minuteWindows(): number[] {
    const out: number[] = [];
    let sum = 0;
    for (let i = 0; i < this.cores.length; i++) {
      sum += this.cores[i] ?? 0;
      if (i >= 60) sum -= this.cores[i - 60] ?? 0;
      if (i >= 59) out.push(sum / 60);
    }
    return out;
  }
}

/** Sum of every sample of `name` in Prometheus text whose labels contain all of `labels`. */
export function metricSum(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  let found = false;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m?.[1] !== name) continue;
    const labelText = m[2] ?? '';
    if (!Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) continue;
    found = true;
    sum += Number(m[3]);
  }
  return found ? sum : undefined;
}

/** The `le` buckets of a histogram (cumulative counts), summed over its other labels. */
export function histogramBuckets(text: string, name: string): Map<number, number> {
  const buckets = new Map<number, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}_bucket`)) continue;
    const m = /le="([^"]+)"\}?[^ ]*\s+(\S+)/.exec(line);
    if (m === null) continue;
    const le = m[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[1]);
    buckets.set(le, (buckets.get(le) ?? 0) + Number(m[2]));
  }
  return buckets;
}

/**
 * A quantile of the observations between two scrapes of a histogram: the upper bound of the first
 * bucket holding it (no interpolation, so the figure is a bound: "at most"). undefined without data.
 */
export function histogramQuantile(
  before: Map<number, number>,
  after: Map<number, number>,
  q: number,
): number | undefined {
  const les = [...after.keys()].sort((a, b) => a - b);
  const counts = les.map((le) => (after.get(le) ?? 0) - (before.get(le) ?? 0));
  const total = counts[counts.length - 1] ?? 0;
  if (total <= 0) return undefined;
  const index = counts.findIndex((c) => c >= q * total);
  return les[index];
}

/** The controller's /metrics text, or '' when it does not answer. */
export async function scrape(url: string | undefined): Promise<string> {
  if (url === undefined) return '';
  try {
    const response = await fetch(`${url}/metrics`);
    return await response.text();
  } catch {
    return '';
  }
}

interface MetricRun {
  nextMeasurementAt?: string;
  measurements?: { startedAt: string; phase: string }[];
}

function successRate(status: CanaryStatus | undefined): MetricRun | undefined {
  const run = status?.analysis?.findLast((r) => r.kind === 'Step');
  if (run?.phase !== 'Running') return undefined;
  return run.metrics.find((m) => m.name === 'success-rate') as MetricRun | undefined;
}

/**
 * Measurement lateness from status, for controllers without the lateness histogram: when a new
 * measurement appears, its startedAt minus the nextMeasurementAt the previous status promised
 * (a deferred measurement moves nextMeasurementAt, so deferrals are not counted as lateness).
 */
export class LatenessFromStatus {
  readonly lateness: number[] = [];
  /** The time each measurement was due (epoch ms), in the order of `lateness`. */
  readonly dueAt: number[] = [];
  /** Measurements seen while recording. */
  measurements = 0;
  recording = false;
  readonly #promised = new Map<string, { next: number | undefined; last: string | undefined }>();

  observe(canary: KubeObject): void {
    const key = `${canary.metadata.namespace ?? ''}/${canary.metadata.name ?? ''}`;
    const metric = successRate(canary.status as CanaryStatus | undefined);
    if (metric === undefined) return;
    const last = metric.measurements?.at(-1)?.startedAt;
    const seen = this.#promised.get(key);
    if (seen !== undefined && last !== undefined && last !== seen.last && this.recording) {
      this.measurements += 1;
      if (seen.next !== undefined) {
        this.lateness.push(Math.max(0, Date.parse(last) - seen.next) / 1000);
        this.dueAt.push(seen.next);
      }
    }
    const next = metric.nextMeasurementAt === undefined ? undefined : Date.parse(metric.nextMeasurementAt);
    this.#promised.set(key, { next, last });
  }
}

/**
 * Measurements by the 5 s in which they were due: how many, and the most late of them (s). Shows
 * whether lateness comes in waves (measurements due together) or is spread.
 */
export function latenessTimeline(
  dueAt: readonly number[],
  lateness: readonly number[],
  slotMs = 5_000,
): string {
  if (dueAt.length === 0) return '—';
  const start = Math.min(...dueAt);
  const slots = new Map<number, { due: number; worst: number }>();
  dueAt.forEach((at, i) => {
    const slot = Math.floor((at - start) / slotMs);
    const entry = slots.get(slot) ?? { due: 0, worst: 0 };
    entry.due += 1;
    entry.worst = Math.max(entry.worst, lateness[i] ?? 0);
    slots.set(slot, entry);
  });
  return [...slots.entries()]
    .sort(([a], [b]) => a - b)
    .map(([slot, { due, worst }]) => `${(slot * slotMs) / 1000}s:${due}/${worst.toFixed(1)}`)
    .join(' ');
}
