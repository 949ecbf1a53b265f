/**
 * The controller's query scheduler (src/providers/prometheus/query-scheduler.ts) against a real
 * Prometheus: deduplicated, queued answers are the answers Prometheus gives each query on its own.
 * Skips when the binary is missing, unless CI=true.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrometheusConnection } from '../../src/api/index.ts';
import type { QueryOutcome } from '../../src/ports/index.ts';
import {
  createPrometheusProvider,
  createQueryScheduler,
  type QueryObserver,
  type QueryResult,
} from '../../src/providers/prometheus/index.ts';
import { startIstioMetricsServer, type IstioMetricsServer } from '../harness/istio-metrics-server.ts';
import {
  prometheusSkipReason,
  startPrometheus,
  waitForValue,
  type RunningPrometheus,
} from '../harness/prometheus.ts';

const skip = prometheusSkipReason();
const WORKLOADS = ['healthy', 'broken', 'quiet'];

const selector = (workload: string, extra = ''): string =>
  `istio_requests_total{reporter="destination",destination_workload="${workload}"${extra}}`;
const errorRatio = (workload: string): string =>
  `sum(rate(${selector(workload, ',response_code=~"5.."')}[3s])) / sum(rate(${selector(workload)}[3s]))`;
const requestRate = (workload: string): string => `sum(rate(${selector(workload)}[3s]))`;
const perCode = (workload: string): string => `sum by (response_code) (rate(${selector(workload)}[3s]))`;
const QUERIES = WORKLOADS.flatMap((w) => [errorRatio(w), requestRate(w), perCode(w)]);

function counting(): QueryObserver & { counts: Record<QueryResult, number> } {
  const counts: Record<QueryResult, number> = { sent: 0, shared: 0, dropped: 0 };
  return {
    counts,
    query: (result) => {
      counts[result] += 1;
    },
    slots: () => undefined,
  };
}

describe.skipIf(skip !== undefined)('the query scheduler against a real Prometheus', () => {
  let mesh: IstioMetricsServer;
  let prom: RunningPrometheus;
  let connection: PrometheusConnection;
  const plain = createPrometheusProvider();

  beforeAll(async () => {
    mesh = await startIstioMetricsServer();
    mesh.setRate('healthy', { rps: 20 });
    mesh.setRate('broken', { rps: 20, errorRatio: 0.2 });
    mesh.setRate('quiet', { rps: 0.5 });
    prom = await startPrometheus({ targets: [mesh.target], scrapeInterval: '1s' });
    connection = { address: prom.url, timeout: '5s' };
    await waitForValue(prom.url, errorRatio('broken'), (v) => v > 0, 30_000);
    await waitForValue(prom.url, requestRate('quiet'), (v) => v > 0, 30_000);
  }, 60_000);

  afterAll(async () => {
    await prom.stop();
    await mesh.stop();
  });

  it('gives every query, asked 20 times at once through 2 slots, the answer Prometheus gives it alone', async () => {
    // A time in the past whose samples are all in, so both ways evaluate the very same data; polled
    // until every workload has the 3 s of history its rates need at that time.
    const pastAnswers = async () => {
      const time = Math.floor(Date.now() / 1000) * 1000 - 2_000;
      const answers = await Promise.all(
        QUERIES.map((query) => plain.instantQuery({ connection, query, time })),
      );
      return { time, answers };
    };
    let { time, answers: expected } = await pastAnswers();
    for (let tries = 0; tries < 40 && expected.filter((o) => o.kind === 'value').length < 6; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      ({ time, answers: expected } = await pastAnswers());
    }
    // No 5xx series for the healthy and quiet workloads: their error ratio is no data, not an error.
    expect(expected.map((outcome) => outcome.kind).filter((kind) => kind === 'error')).toEqual([]);
    expect(expected.filter((outcome) => outcome.kind === 'value').length).toBeGreaterThanOrEqual(6);
    const observer = counting();
    const scheduled = createQueryScheduler(plain, { concurrency: 2, observer });
    const asks = QUERIES.flatMap((query, index) => Array.from({ length: 20 }, () => ({ query, index })));
    const answers = await Promise.all(
      asks.map(async ({ query, index }) => ({
        index,
        answer: await scheduled.instantQuery({ connection, query, time }),
      })),
    );
    for (const { index, answer } of answers) expect(answer).toEqual(expected[index]);
    expect(observer.counts).toEqual({
      sent: QUERIES.length,
      shared: asks.length - QUERIES.length,
      dropped: 0,
    });
  });

  it('evaluates a query without a time at the tick it was asked in, as Prometheus does when told that time', async () => {
    const now = Date.now() - 2_000;
    const scheduled = createQueryScheduler(plain, { clock: () => now });
    const tick = Math.floor(now / 1000) * 1000;
    for (const query of QUERIES) {
      const [aligned, direct] = await Promise.all([
        scheduled.instantQuery({ connection, query }),
        plain.instantQuery({ connection, query, time: tick }),
      ]);
      expect(aligned).toEqual(direct);
    }
  });

  it('sends a timeout left over after the queue in a form Prometheus accepts', async () => {
    const outcome: QueryOutcome = await plain.instantQuery({
      connection: { ...connection, timeout: '1500ms' },
      query: requestRate('healthy'),
    });
    expect(outcome.kind).toBe('value');
  });
});
