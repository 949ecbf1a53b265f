import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rankSummary, sortedCopy, withinTieTerm } from './ranks.ts';

const sample = fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 30 });

describe('rankSummary', () => {
  it('gives U as the pairs x > y plus half the ties', () => {
    fc.assert(
      fc.property(sample, sample, (x, y) => {
        const pairs = x.reduce(
          (sum, a) => sum + y.reduce((s, b) => s + (a > b ? 1 : a === b ? 0.5 : 0), 0),
          0,
        );
        expect(rankSummary(sortedCopy(x), sortedCopy(y)).u).toBe(pairs);
      }),
    );
  });

  it('sums t³ - t over tie groups of the pooled sample', () => {
    fc.assert(
      fc.property(sample, sample, (x, y) => {
        const counts = new Map<number, number>();
        for (const v of [...x, ...y]) counts.set(v, (counts.get(v) ?? 0) + 1);
        const term = [...counts.values()].reduce((s, t) => s + t ** 3 - t, 0);
        const summary = rankSummary(sortedCopy(x), sortedCopy(y));
        expect(summary.tieTerm).toBe(term);
        expect(summary.hasTies).toBe(term > 0);
        expect(withinTieTerm(sortedCopy([...x, ...y]))).toBe(term);
      }),
    );
  });

  it('rejects NaN instead of looping', () => {
    expect(() => rankSummary(sortedCopy([1, NaN]), sortedCopy([2]))).toThrow(/NaN/);
  });

  it('handles infinite values', () => {
    expect(rankSummary(sortedCopy([Infinity, 1]), sortedCopy([-Infinity, Infinity])).u).toBe(2.5);
  });
});
