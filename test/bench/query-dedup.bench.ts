/**
 * Query deduplication and the per-Prometheus limit (src/providers/prometheus/query-scheduler.ts):
 * every measurement of the shipped Prometheus templates for 100 services, all due in the same
 * second, and the requests that reach Prometheus without and with the scheduler. The Prometheus is
 * a stand-in answering after 5 ms, so the figures are request counts and peaks, not Prometheus'
 * speed. Prints; asserts nothing.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parse } from 'yaml';
import { measure } from '../../src/analysis/index.ts';
import { parseKind, type Metric } from '../../src/api/index.ts';
import type { MetricProvider, QueryOutcome } from '../../src/ports/index.ts';
import { createQueryScheduler, type QueryResult } from '../../src/providers/prometheus/index.ts';

const TEMPLATES = fileURLToPath(new URL('../../analysis-templates/', import.meta.url));
const SERVICES = 100;
const NOW = Date.parse('2026-01-01T12:00:00.300Z');

function prometheusMetrics(): { template: string; metric: Metric }[] {
  return readdirSync(TEMPLATES)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .flatMap((name) => {
      const parsed = parseKind('AnalysisTemplate', parse(readFileSync(join(TEMPLATES, name), 'utf8')));
      if (!parsed.ok) throw new Error(`${name}: ${JSON.stringify(parsed.issues)}`);
      return parsed.value.spec.metrics
        .filter((metric) => 'prometheus' in metric.provider)
        .map((metric) => ({ template: parsed.value.metadata.name, metric }));
    });
}

/** A Prometheus stand-in: answers every query after 5 ms, counting requests and the peak in flight. */
function standIn(): MetricProvider & { requests: number; peak: number } {
  let inflight = 0;
  const state = { requests: 0, peak: 0 };
  const answer = async (): Promise<QueryOutcome> => {
    state.requests += 1;
    inflight += 1;
    state.peak = Math.max(state.peak, inflight);
    await new Promise((resolve) => setTimeout(resolve, 5));
    inflight -= 1;
    return { kind: 'value', value: 1_000 };
  };
  return Object.assign(state, {
    instantQuery: answer,
    rangeQuery: () => Promise.resolve({ kind: 'noData' as const, reason: 'not used' }),
  });
}

interface Figures {
  measurements: number;
  requests: number;
  peak: number;
  ms: number;
  counts?: Record<QueryResult, number>;
}

/** Takes `runs` measurements of every metric for every service, all at once. */
async function measureAll(
  metrics: { metric: Metric }[],
  runs: number,
  wrap: (inner: MetricProvider) => MetricProvider,
): Promise<Figures> {
  const inner = standIn();
  const provider = wrap(inner);
  const jobs: Promise<unknown>[] = [];
  const started = performance.now();
  for (let s = 0; s < SERVICES; s++) {
    const values = { 'args.namespace': `team-${s % 10}`, 'args.workload': `svc-${s}`, 'args.window': '1m' };
    for (let r = 0; r < runs; r++) {
      for (const { metric } of metrics) {
        jobs.push(
          measure(metric, { provider, args: { values, secrets: [] }, now: NOW, namespace: `team-${s % 10}` }),
        );
      }
    }
  }
  await Promise.all(jobs);
  return {
    measurements: jobs.length,
    requests: inner.requests,
    peak: inner.peak,
    ms: performance.now() - started,
  };
}

function line(label: string, f: Figures): void {
  const counts = f.counts
    ? `  (sent ${f.counts.sent}, shared ${f.counts.shared}, dropped ${f.counts.dropped})`
    : '';
  console.log(
    `${label.padEnd(58)} ${String(f.measurements).padStart(5)} measurements ${String(f.requests).padStart(5)} requests  peak ${String(f.peak).padStart(4)} in flight ${f.ms.toFixed(0).padStart(5)} ms${counts}`,
  );
}

/** Prints requests to Prometheus without and with the scheduler. */
export async function run(): Promise<void> {
  const metrics = prometheusMetrics();
  console.log(
    `shipped Prometheus metrics: ${metrics.map((m) => `${m.template}/${m.metric.name}${m.metric.minTraffic ? ' (+minTraffic guard)' : ''}`).join(', ')}`,
  );
  // A step analysis and a background analysis on the same templates: 2 runs per service; and
  // ~1,000 measurements as 100 services x the shipped metrics x 2 runs, plus a third run.
  for (const runs of [1, 2, Math.ceil(1_000 / (SERVICES * metrics.length))]) {
    const plain = await measureAll(metrics, runs, (inner) => inner);
    line(`${SERVICES} services x ${metrics.length} metrics x ${runs} run(s), no scheduler`, plain);
    const counts: Record<QueryResult, number> = { sent: 0, shared: 0, dropped: 0 };
    const scheduled = await measureAll(metrics, runs, (inner) =>
      createQueryScheduler(inner, {
        clock: () => NOW,
        observer: {
          query: (result) => {
            counts[result] += 1;
          },
          slots: () => undefined,
        },
      }),
    );
    line(`${SERVICES} services x ${metrics.length} metrics x ${runs} run(s), scheduler (8 per Prometheus)`, {
      ...scheduled,
      counts,
    });
  }
}
