import { describe, expect, it } from 'vitest';
import { ControllerMetrics } from './metrics.ts';

async function sample(metrics: ControllerMetrics, line: string): Promise<number | undefined> {
  const text = await metrics.registry.metrics();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe('the controller metrics of queries and measurements', () => {
  it('observes how late each measurement started in serin_measurement_lateness_seconds', async () => {
    const metrics = new ControllerMetrics();
    metrics.observeMeasurement('error-rate', 'Successful', { dueAt: 10_000, startedAt: 10_040 });
    metrics.observeMeasurement('error-rate', 'Failed', { dueAt: 10_000, startedAt: 13_000 });
    expect(await sample(metrics, 'serin_measurement_lateness_seconds_bucket{le="0.05"}')).toBe(1);
    expect(await sample(metrics, 'serin_measurement_lateness_seconds_bucket{le="2.5"}')).toBe(1);
    expect(await sample(metrics, 'serin_measurement_lateness_seconds_bucket{le="5"}')).toBe(2);
    expect(await sample(metrics, 'serin_measurement_lateness_seconds_sum')).toBeCloseTo(3.04);
    expect(
      await sample(metrics, 'serin_analysis_measurements_total{metric="error-rate",phase="Failed"}'),
    ).toBe(1);
  });

  it('counts queries by result and shows the slots of each Prometheus', async () => {
    const metrics = new ControllerMetrics();
    metrics.queryObserver.query('sent');
    metrics.queryObserver.query('shared');
    metrics.queryObserver.query('shared');
    metrics.queryObserver.slots('http://prom:9090', 3, 7);
    expect(await sample(metrics, 'serin_prometheus_queries_total{result="shared"}')).toBe(2);
    expect(await sample(metrics, 'serin_prometheus_queries_total{result="sent"}')).toBe(1);
    expect(await sample(metrics, 'serin_prometheus_inflight{prometheus="http://prom:9090"}')).toBe(3);
    expect(await sample(metrics, 'serin_prometheus_queued{prometheus="http://prom:9090"}')).toBe(7);
  });

  it('times the wait for a slot and the request of each query sent', async () => {
    const metrics = new ControllerMetrics();
    metrics.queryObserver.answered('http://prom:9090', { waitedMs: 30, tookMs: 200 });
    const wait = 'serin_prometheus_queue_duration_seconds';
    const took = 'serin_prometheus_request_duration_seconds';
    expect(await sample(metrics, `${wait}_bucket{le="0.025",prometheus="http://prom:9090"}`)).toBe(0);
    expect(await sample(metrics, `${wait}_bucket{le="0.05",prometheus="http://prom:9090"}`)).toBe(1);
    expect(await sample(metrics, `${took}_bucket{le="0.1",prometheus="http://prom:9090"}`)).toBe(0);
    expect(await sample(metrics, `${took}_bucket{le="0.25",prometheus="http://prom:9090"}`)).toBe(1);
  });
});
