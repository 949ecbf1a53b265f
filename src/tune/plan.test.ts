import { describe, expect, it } from 'vitest';
import { metric, template } from '../../test/analysis/helpers.ts';
import { metricSpanMs, planRuns } from './plan.ts';

const H = 3_600_000;
const M = 60_000;

describe('planRuns', () => {
  it('lays non-overlapping runs end to end: the next starts one interval after the last measurement', () => {
    const t = template(metric({ interval: '1m', count: 5 }));
    const plan = planRuns({ templates: [t], from: 0, to: H });
    expect(plan.spanMs).toBe(4 * M);
    expect(plan.strideMs).toBe(5 * M);
    expect(plan.independence).toBe(1);
    expect(plan.windows).toHaveLength(12);
    expect(plan.windows[1]).toEqual({ start: 5 * M, end: 10 * M });
    // Measurements at 0..4m, then 5..9m: each instant of history belongs to exactly one run.
    expect(plan.windows.at(-1)?.end).toBeLessThanOrEqual(H);
  });

  it('counts initialDelay and the slowest metric', () => {
    const t = template(
      metric({ name: 'a', interval: '1m', count: 3, initialDelay: '2m' }),
      metric({ name: 'b', interval: '30s', count: 2 }),
    );
    expect(metricSpanMs(t.metrics[0]!)).toBe(4 * M);
    expect(planRuns({ templates: [t], from: 0, to: H }).spanMs).toBe(4 * M);
  });

  it('runs a metric without count for the run length, then ends it', () => {
    const t = template(metric({ interval: '1m' }));
    const plan = planRuns({ templates: [t], from: 0, to: H, runLengthMs: 15 * M });
    expect(plan.windows[0]).toEqual({ start: 0, end: 15 * M });
    expect(plan.windows).toHaveLength(4);
  });

  it('with a shorter stride, overlapping runs count as fewer independent ones', () => {
    const t = template(metric({ interval: '1m', count: 5 }));
    const plan = planRuns({ templates: [t], from: 0, to: H, strideMs: M });
    expect(plan.windows).toHaveLength(56);
    expect(plan.independence).toBeCloseTo(0.2, 12);
  });
});
