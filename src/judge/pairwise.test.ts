import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countDifferencesAtMost, hodgesLehmann, kthDifference } from './pairwise.ts';
import { sortedCopy } from './ranks.ts';
import { seededRandom } from '../../test/judge/random.ts';

const sample = fc.array(
  fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ min: -1e6, max: 1e6, noNaN: true })),
  { minLength: 1, maxLength: 25 },
);

function allDifferences(x: number[], y: number[]): number[] {
  return x.flatMap((a) => y.map((b) => a - b + 0)).sort((a, b) => a - b);
}

describe('kthDifference', () => {
  it('returns exactly the k-th smallest pairwise difference brute force finds', () => {
    fc.assert(
      fc.property(sample, sample, fc.nat(), (x, y, pick) => {
        const diffs = allDifferences(x, y);
        const k = (pick % diffs.length) + 1;
        expect(kthDifference(sortedCopy(x), sortedCopy(y), k)).toBe(diffs[k - 1]);
      }),
      { numRuns: 300 },
    );
  });

  it('counts the differences at or below a threshold', () => {
    fc.assert(
      fc.property(sample, sample, fc.double({ min: -10, max: 10, noNaN: true }), (x, y, t) => {
        const expected = allDifferences(x, y).filter((d) => d <= t).length;
        expect(countDifferencesAtMost(sortedCopy(x), sortedCopy(y), t)).toBe(expected);
      }),
    );
  });

  it('stays exact when bisection runs before listing the remaining differences', () => {
    // 180 x 150 = 27,000 differences: more than are listed directly, so the bisection runs.
    const random = seededRandom(5);
    const x = Array.from({ length: 180 }, () => Math.round(random() * 400) / 8 - 20);
    const y = Array.from({ length: 150 }, () => (random() < 0.3 ? 3 : random() * 60 - 30));
    const diffs = allDifferences(x, y);
    const xs = sortedCopy(x);
    const ys = sortedCopy(y);
    for (let k = 1; k <= diffs.length; k += 997) expect(kthDifference(xs, ys, k)).toBe(diffs[k - 1]);
    for (const k of [1, 2, 13_500, 13_501, diffs.length - 1, diffs.length]) {
      expect(kthDifference(xs, ys, k)).toBe(diffs[k - 1]);
    }
  });

  it('rejects k outside 1..mn', () => {
    const xs = sortedCopy([1, 2]);
    expect(() => kthDifference(xs, xs, 0)).toThrow(/outside/);
    expect(() => kthDifference(xs, xs, 5)).toThrow(/outside/);
  });
});

describe('hodgesLehmann', () => {
  it('equals the median of all pairwise differences exactly', () => {
    fc.assert(
      fc.property(sample, sample, (x, y) => {
        const diffs = allDifferences(x, y);
        const mid = Math.floor(diffs.length / 2);
        const median = diffs.length % 2 === 1 ? diffs[mid]! : (diffs[mid - 1]! + diffs[mid]!) / 2;
        expect(hodgesLehmann(sortedCopy(x), sortedCopy(y))).toBe(median);
      }),
      { numRuns: 300 },
    );
  });

  it('treats -0 and +0 as the same difference', () => {
    expect(Object.is(hodgesLehmann(sortedCopy([-0, 1]), sortedCopy([0, 1])), 0)).toBe(true);
  });
});
