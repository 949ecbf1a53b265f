import { describe, expect, it } from 'vitest';
import { metric } from '../../test/analysis/helpers.ts';
import { comparisonsOf, largerIsStricter, suggestThreshold, withThreshold } from './thresholds.ts';

describe('comparisonsOf', () => {
  it('reads result >= X and result <= X, and leaves other conditions alone', () => {
    expect(comparisonsOf({ successCondition: 'result >= 0.99', failureCondition: 'result < 5e-1' })).toEqual([
      { field: 'successCondition', operator: '>=', threshold: 0.99 },
      { field: 'failureCondition', operator: '<', threshold: 0.5 },
    ]);
    expect(comparisonsOf({ successCondition: 'result[0] >= 0.99' })).toEqual([]);
    expect(comparisonsOf({ successCondition: 'result >= 0.99 && result < 2' })).toEqual([]);
  });

  it('rewrites only the chosen condition', () => {
    const m = metric({ successCondition: 'result >= 0.99', failureCondition: 'result < 0.5' });
    const [success] = comparisonsOf(m);
    const changed = withThreshold(m, success!, 0.97);
    expect(changed.successCondition).toBe('result >= 0.97');
    expect(changed.failureCondition).toBe('result < 0.5');
  });
});

describe('largerIsStricter', () => {
  it('knows which way each form of condition gets stricter', () => {
    expect(largerIsStricter({ field: 'successCondition', operator: '>=' })).toBe(true);
    expect(largerIsStricter({ field: 'successCondition', operator: '<=' })).toBe(false);
    expect(largerIsStricter({ field: 'failureCondition', operator: '>' })).toBe(false);
    expect(largerIsStricter({ field: 'failureCondition', operator: '<' })).toBe(true);
  });
});

describe('suggestThreshold', () => {
  // A success rate: measurements 0.90..0.99; a run fails when its value is below the threshold.
  const values = [0.9, 0.95, 0.97, 0.98, 0.99, 0.99, 0.99, 0.99, 0.99, 0.99];
  const rateOf = (x: number): Promise<number> =>
    Promise.resolve(values.filter((v) => v < x).length / values.length);

  it('picks the strictest threshold whose rate is at or below the target', async () => {
    const s = await suggestThreshold({
      comparison: { field: 'successCondition', operator: '>=', threshold: 0.99 },
      candidates: values,
      target: 0.2,
      rateOf,
    });
    // 0.97 fails 2 of 10 (0.9, 0.95); 0.98 would fail 3.
    expect(s).toEqual({ condition: 'result >= 0.97', threshold: 0.97, rate: 0.2 });
  });

  it('goes downward for a ceiling such as result <= X', async () => {
    const latencies = [100, 120, 130, 500];
    const s = await suggestThreshold({
      comparison: { field: 'successCondition', operator: '<=', threshold: 200 },
      candidates: latencies,
      target: 0.25,
      rateOf: (x) => Promise.resolve(latencies.filter((v) => v > x).length / latencies.length),
    });
    expect(s?.threshold).toBe(130);
  });

  it('suggests nothing when even the most lenient threshold fails too often', async () => {
    const s = await suggestThreshold({
      comparison: { field: 'successCondition', operator: '>=', threshold: 0.99 },
      candidates: values,
      target: 0.01,
      rateOf: () => Promise.resolve(0.5),
    });
    expect(s).toBeUndefined();
  });
});
