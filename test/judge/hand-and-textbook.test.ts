import { describe, expect, it } from 'vitest';
import {
  exactShiftInterval,
  hodgesLehmann,
  judgeMetric,
  mannWhitneyU,
  sortedCopy,
  uDistribution,
} from '../../src/judge/index.ts';
import { judgeFixture, relativeError } from './fixtures.ts';

// References: test/fixtures/judge/hand.json — derived by hand, each case states its derivation.
interface HandCase {
  name: string;
  canary: number[];
  baseline: number[];
  u: number;
  exactP?: number;
  asymptoticP: number;
  estimate: number;
  exactCi80?: { lower: number; upper: number; confidence: number };
  ci?: { lower: number; upper: number };
}
interface Rounded {
  value: number;
  decimals: number;
}
interface Published {
  name: string;
  canary: number[];
  baseline: number[];
  u: number;
  exactTwoSided?: Rounded;
  normalNoContinuityTwoSided?: Rounded;
  exactOneSided?: Rounded;
  normalNoContinuityOneSided?: Rounded;
}
const hand = judgeFixture('hand.json') as { cases: HandCase[]; published: Published[] };

const round = (value: number, decimals: number): number => Number(value.toFixed(decimals));

describe.each(hand.cases)('hand-computed: $name', (c) => {
  it('computes U with average ranks for ties', () => {
    expect(mannWhitneyU(c.canary, c.baseline).u).toBe(c.u);
  });

  it('computes the continuity-corrected, tie-corrected normal p-value', () => {
    const result = mannWhitneyU(c.canary, c.baseline, { method: 'asymptotic' });
    expect(relativeError(result.pValue, c.asymptoticP)).toBeLessThanOrEqual(1e-12);
  });

  it.runIf(c.exactP !== undefined)('computes the exact p-value from the null distribution', () => {
    const result = mannWhitneyU(c.canary, c.baseline, { method: 'exact' });
    expect(result.method).toBe('exact');
    expect(relativeError(result.pValue, c.exactP!)).toBeLessThanOrEqual(1e-12);
  });

  it('estimates the shift as the median pairwise difference', () => {
    expect(hodgesLehmann(sortedCopy(c.canary), sortedCopy(c.baseline))).toBe(c.estimate);
  });

  it.runIf(c.exactCi80 !== undefined)('builds R’s exact interval from qwilcox', () => {
    const xs = sortedCopy(c.canary);
    const ys = sortedCopy(c.baseline);
    const interval = exactShiftInterval(xs, ys, uDistribution(xs.length, ys.length), 0.8);
    expect(interval.lower).toBe(c.exactCi80!.lower);
    expect(interval.upper).toBe(c.exactCi80!.upper);
    expect(interval.confidence).toBeCloseTo(c.exactCi80!.confidence, 12);
  });

  it.runIf(c.ci !== undefined)('gives the degenerate interval when every difference is equal', () => {
    const result = judgeMetric(c.baseline, c.canary, { minSamples: 1 });
    expect(result.ci).toEqual([c.ci!.lower, c.ci!.upper]);
  });
});

describe.each(hand.published)('textbook: $name', (c) => {
  it('reproduces the published U', () => {
    expect(mannWhitneyU(c.canary, c.baseline).u).toBe(c.u);
  });

  it('reproduces the published exact p-value to its printed digits', () => {
    const p = mannWhitneyU(c.canary, c.baseline, { method: 'exact' }).pValue;
    if (c.exactTwoSided) expect(round(p, c.exactTwoSided.decimals)).toBe(c.exactTwoSided.value);
    // U lies in the tail the one-sided alternative looks at, so the one-sided p is half.
    if (c.exactOneSided) expect(round(p / 2, c.exactOneSided.decimals)).toBe(c.exactOneSided.value);
  });

  it('reproduces the published uncorrected normal approximation to its printed digits', () => {
    const p = mannWhitneyU(c.canary, c.baseline, { method: 'asymptotic', continuity: false }).pValue;
    const two = c.normalNoContinuityTwoSided;
    const one = c.normalNoContinuityOneSided;
    if (two) expect(round(p, two.decimals)).toBe(two.value);
    if (one) expect(round(p / 2, one.decimals)).toBe(one.value);
  });
});
