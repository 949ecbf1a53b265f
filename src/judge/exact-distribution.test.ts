import { describe, expect, it } from 'vitest';
import { judgeFixture, relativeError } from '../../test/judge/fixtures.ts';
import { EXACT_MAX_POOLED, exactPValue, uDistribution } from './exact-distribution.ts';
import { mannWhitneyU } from './mann-whitney.ts';
import { sortedCopy } from './ranks.ts';
import { exactShiftInterval } from './confidence-interval.ts';

// Reference: test/fixtures/judge/exact-large.json — exact p and R's exact CI with Python integers.
interface LargeCase {
  name: string;
  canary: number[];
  baseline: number[];
  u: number;
  pValue: number;
  ci98: { lower: number; upper: number; confidence: number };
}
const large = judgeFixture('exact-large.json') as { cases: LargeCase[] };

/** Brute force: enumerate every choice of ranks for the first sample. */
function bruteForceCounts(m: number, n: number): number[] {
  const counts = new Array<number>(m * n + 1).fill(0);
  const visit = (start: number, left: number, rankSum: number): void => {
    if (left === 0) {
      const u = rankSum - (m * (m + 1)) / 2;
      counts[u] = (counts[u] ?? 0) + 1;
      return;
    }
    for (let r = start; r <= m + n; r++) visit(r + 1, left - 1, rankSum + r);
  };
  visit(1, m, 0);
  return counts;
}

describe('uDistribution', () => {
  it.each([
    [1, 1],
    [2, 5],
    [4, 3],
    [6, 6],
    [3, 9],
  ])('equals the enumerated distribution for m = %i, n = %i', (m, n) => {
    const counts = bruteForceCounts(m, n);
    const total = counts.reduce((a, b) => a + b, 0);
    const dist = uDistribution(m, n);
    let cumulative = 0;
    counts.forEach((count, k) => {
      cumulative += count;
      expect(dist.cdf(k)).toBeCloseTo(cumulative / total, 14);
    });
  });

  it('is symmetric about mn/2', () => {
    const dist = uDistribution(17, 23);
    for (let k = 0; k < 17 * 23; k += 7) expect(dist.cdf(k)).toBeCloseTo(1 - dist.cdf(17 * 23 - k - 1), 14);
  });

  it('finds R’s qwilcox: the smallest q with P(U <= q) >= p', () => {
    const dist = uDistribution(3, 3);
    // counts 1,1,2,3,... of 20: P(U<=0) = 0.05, P(U<=1) = 0.1, P(U<=2) = 0.2
    expect(dist.lowerQuantile(0.05)).toBe(0);
    expect(dist.lowerQuantile(0.06)).toBe(1);
    expect(dist.lowerQuantile(0.1)).toBe(1);
    expect(dist.lowerQuantile(0.11)).toBe(2);
  });

  it('refuses sizes beyond the accurate range', () => {
    expect(() => uDistribution(EXACT_MAX_POOLED, 1)).toThrow(/m \+ n/);
    expect(() => uDistribution(0, 3)).toThrow();
  });

  it.each(large.cases)('matches integer arithmetic for $name', (c) => {
    const xs = sortedCopy(c.canary);
    const ys = sortedCopy(c.baseline);
    const test = mannWhitneyU(c.canary, c.baseline, { method: 'exact' });
    expect(test.method).toBe('exact');
    expect(test.u).toBe(c.u);
    expect(relativeError(exactPValue(test.distribution!, test.u), c.pValue)).toBeLessThanOrEqual(1e-12);
    const interval = exactShiftInterval(xs, ys, test.distribution!, 0.98);
    expect([interval.lower, interval.upper]).toEqual([c.ci98.lower, c.ci98.upper]);
    expect(relativeError(interval.confidence, c.ci98.confidence)).toBeLessThanOrEqual(1e-12);
  });
});
