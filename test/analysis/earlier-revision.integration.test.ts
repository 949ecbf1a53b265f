/**
 * Issue 17: a good release right after a bad one was aborted on the bad one's errors. Every
 * revision of a canary is one Prometheus series (the shipped templates select the target
 * Deployment's workload, the same for every revision), so a measurement of the good revision whose
 * window still covers the bad one's last traffic reads its 5xx.
 *
 * A real Prometheus is loaded (promtool backfill) with one workload's request counters: a bad
 * revision (20% 5xx) whose canary traffic ends at BAD_END, then 2 s later a second revision on the
 * same series. Its analysis is replayed at exact times as the controller takes it, with
 * `trafficSince` (the first clause of the evidence rule) and `previousTrafficUntil` (the second).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest, type ResolvedArgs } from '../../src/analysis/index.ts';
import type { AnalysisRunStatus, AnalysisTemplateSpec } from '../../src/api/index.ts';
import { createPrometheusProvider } from '../../src/providers/prometheus/index.ts';
import { prometheusSkipReason, startPrometheus, type RunningPrometheus } from '../harness/prometheus.ts';
import { shippedTemplate } from './bad-canary.ts';

const skip = prometheusSkipReason();
const provider = createPrometheusProvider();

/** A fixed epoch, so every run of this file replays exactly the same samples. */
const T0 = Date.parse('2026-06-01T13:00:00Z');
/** As in the e2e tests: scrape every 1 s (300 ms after each second), window 10 s, every 2 s, 3 times. */
const SCRAPE_MS = 1_000;
const SCRAPE_PHASE_MS = 300;
const WINDOW = '10s';
const TIMING = { interval: '2s', count: 3, scrapeInterval: '1s' };
/** Window plus two scrapes. */
const SPAN_MS = 12_000;

const BAD_END = T0 + 40_000;
const NEXT_START = BAD_END + 2_000;
const END = NEXT_START + 60_000;

interface Spell {
  readonly from: number;
  readonly to: number;
  readonly rps: number;
  /** Every this-many-th request is a 500; 0 for none. */
  readonly errorEvery: number;
}

/** One workload's `istio_requests_total` samples over consecutive revisions (one series per code). */
function workloadSamples(namespace: string, spells: readonly Spell[]): string {
  const arrivals: { at: number; code: '200' | '500' }[] = [];
  for (const spell of spells) {
    for (let i = 0; ; i++) {
      const at = spell.from + ((i + 0.5) * 1000) / spell.rps;
      if (at >= spell.to) break;
      arrivals.push({ at, code: spell.errorEvery > 0 && i % spell.errorEvery === 0 ? '500' : '200' });
    }
  }
  arrivals.sort((a, b) => a.at - b.at);
  const lines: Record<'200' | '500', string[]> = { '200': [], '500': [] };
  const counts = { '200': 0, '500': 0 };
  let next = 0;
  for (let scrape = T0 + SCRAPE_PHASE_MS; scrape <= END; scrape += SCRAPE_MS) {
    for (; next < arrivals.length && (arrivals[next]?.at ?? Infinity) < scrape; next++)
      counts[arrivals[next]?.code ?? '200']++;
    for (const code of ['200', '500'] as const) {
      if (counts[code] === 0) continue; // not born yet
      lines[code].push(
        `istio_requests_total{reporter="destination",destination_workload="podinfo",destination_workload_namespace="${namespace}",response_code="${code}"} ${counts[code]} ${(scrape / 1000).toFixed(3)}`,
      );
    }
  }
  return [...lines['200'], ...lines['500']].join('\n');
}

const BAD: Spell = { from: T0, to: BAD_END, rps: 10, errorEvery: 5 };
/** A good revision after the bad one, and a second bad one after it. */
const GOOD_AFTER_BAD = [BAD, { from: NEXT_START, to: END, rps: 10, errorEvery: 0 }];
const BAD_AFTER_BAD = [BAD, { from: NEXT_START, to: END, rps: 10, errorEvery: 5 }];

describe.skipIf(skip !== undefined)(
  "a release right after a bad one is judged on its own traffic, not the bad one's",
  () => {
    let prom: RunningPrometheus;

    beforeAll(async () => {
      const body = [
        workloadSamples('good-after-bad', GOOD_AFTER_BAD),
        workloadSamples('bad-after-bad', BAD_AFTER_BAD),
      ];
      prom = await startPrometheus({
        targets: [],
        backfill: ['# TYPE istio_requests counter', ...body, '# EOF', ''].join('\n'),
      });
    }, 60_000);
    afterAll(async () => {
      await prom.stop();
    });

    const template = (): AnalysisTemplateSpec =>
      shippedTemplate('analysis-templates/istio-success-rate.yaml', { address: prom.url, ...TIMING });
    const args = (namespace: string): ResolvedArgs => ({
      values: { 'args.namespace': namespace, 'args.workload': 'podinfo', 'args.window': WINDOW },
      secrets: [],
    });

    /** The next revision's analysis from 3 s after its traffic started, as the controller takes it. */
    function replay(
      namespace: string,
      options: { previousTrafficUntil?: number } = {},
    ): Promise<AnalysisRunStatus> {
      return runBacktest({
        templates: [template()],
        args: args(namespace),
        provider,
        from: NEXT_START + 3_000,
        to: END,
        historyLimit: 100,
        trafficSince: NEXT_START,
        ...options,
      });
    }

    const counted = (run: AnalysisRunStatus) =>
      (run.metrics[0]?.measurements ?? []).map((m) => ({
        at: Date.parse(m.startedAt) - BAD_END,
        phase: m.phase,
      }));

    it("reproduces the bug: without the earlier revision's end, the good revision fails on the bad one's errors", async () => {
      const run = await replay('good-after-bad');
      expect(run.phase).toBe('Failed');
      // Both failures read the bad revision's last seconds, 5 s and 7 s after its traffic ended.
      expect(counted(run)).toEqual([
        { at: 5_000, phase: 'Failed' },
        { at: 7_000, phase: 'Failed' },
      ]);
    });

    it('defers the measurements that may read the bad revision, saying why, and passes the good one on its own traffic', async () => {
      const early = await runBacktest({
        templates: [template()],
        args: args('good-after-bad'),
        provider,
        from: NEXT_START + 3_000,
        to: NEXT_START + 3_001,
        trafficSince: NEXT_START,
        previousTrafficUntil: BAD_END,
      });
      expect(early.metrics[0]).toMatchObject({ count: 0, failed: 0, measurements: [] });
      expect(early.metrics[0]?.message).toMatch(
        /^deferred: measured 0\.\d+ \(Failed\), but this query reads traffic of the earlier revision until 2026-06-01T13:00:40\.000Z; it reads only this revision's from 2026-06-01T13:00:52\.000Z \(window 10s \+ 2 scrape intervals of 1s\)$/,
      );
      const run = await replay('good-after-bad', { previousTrafficUntil: BAD_END });
      expect(run.phase).toBe('Successful');
      for (const m of counted(run)) expect(m.at).toBeGreaterThanOrEqual(SPAN_MS);
    });

    it('still rolls back a bad revision after a bad one, at most the window plus two scrapes later', async () => {
      const run = await replay('bad-after-bad', { previousTrafficUntil: BAD_END });
      expect(run.phase).toBe('Failed');
      const first = counted(run)[0];
      expect(first?.phase).toBe('Failed');
      expect(first?.at).toBeGreaterThanOrEqual(SPAN_MS);
      expect(first?.at).toBeLessThanOrEqual(SPAN_MS + 2_000);
    });
  },
);
