import { describe, expect, it } from 'vitest';
import { distributionOf, histogramBins, quantile, quantileName, renderHistogram } from './distribution.ts';

describe('quantile', () => {
  it('interpolates between order statistics like R type 7', () => {
    // h = (n-1)q = 4 * 0.3 = 1.2 -> 2 + 0.2 * (3 - 2)
    expect(quantile([1, 2, 3, 4, 5], 0.3)).toBeCloseTo(2.2, 12);
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantile([10, 20], 0.999)).toBeCloseTo(19.99, 12);
    expect(quantile([], 0.5)).toBeUndefined();
  });
});

describe('distributionOf', () => {
  it('reports p0.1 to p99.9 of the finite values only', () => {
    const values = [...Array.from({ length: 1001 }, (_, i) => i), NaN, Infinity];
    const d = distributionOf(values);
    expect(d.count).toBe(1001);
    expect(d.quantiles).toEqual({ 'p0.1': 1, p1: 10, p5: 50, p50: 500, p95: 950, p99: 990, 'p99.9': 999 });
    expect(quantileName(0.001)).toBe('p0.1');
  });
});

describe('histogramBins', () => {
  it('counts every value once, outliers in the end bins', () => {
    const values = [...Array.from({ length: 1000 }, (_, i) => i / 1000), 50];
    const bins = histogramBins(values, 10);
    expect(bins).toHaveLength(10);
    expect(bins.reduce((s, b) => s + b.count, 0)).toBe(1001);
    // 50 is far above p99.9: it is counted in the last bin, whose range it does not stretch.
    expect(bins.at(-1)?.to).toBeLessThan(1.1);
    expect(bins.filter((b) => b.count > 0)).toHaveLength(10);
  });

  it('renders the largest bin as a full bar and an empty bin as none', () => {
    const lines = renderHistogram(
      [
        { from: 0, to: 1, count: 4 },
        { from: 1, to: 2, count: 0 },
      ],
      String,
      8,
    );
    expect(lines[0]).toContain('████████ 4');
    expect(lines[1]).toMatch(/\[1, 2\] +0$/);
  });
});
