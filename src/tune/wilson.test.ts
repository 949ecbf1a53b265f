import { describe, expect, it } from 'vitest';
import { wilson } from './wilson.ts';

// Hand-worked with z = 1.96: denominator 1 + z²/n, centre (p + z²/2n)/denominator,
// half-width z/denominator · sqrt(p(1-p)/n + z²/4n²).
describe('wilson', () => {
  it('gives 0 of 10 an upper bound of 0.2775, not a point at 0', () => {
    const r = wilson(0, 10);
    expect(r.rate).toBe(0);
    expect(r.lower).toBe(0);
    expect(r.upper).toBeCloseTo(0.27753, 4);
  });

  it('is symmetric around one half for 5 of 10: [0.2366, 0.7634]', () => {
    const r = wilson(5, 10);
    expect(r.lower).toBeCloseTo(0.23659, 4);
    expect(r.upper).toBeCloseTo(0.76341, 4);
  });

  it('gives 1 of 100 [0.00177, 0.05446]', () => {
    const r = wilson(1, 100);
    expect(r.rate).toBe(0.01);
    expect(r.lower).toBeCloseTo(0.001767, 5);
    expect(r.upper).toBeCloseTo(0.054486, 5);
  });

  it('mirrors n of n onto 0 of n', () => {
    const all = wilson(10, 10);
    const none = wilson(0, 10);
    expect(all.lower).toBeCloseTo(1 - none.upper, 12);
    expect(all.upper).toBeCloseTo(1, 12);
  });

  it('knows nothing without trials', () => {
    expect(wilson(0, 0)).toMatchObject({ rate: 0, lower: 0, upper: 1 });
  });

  it('bounds 0 of n at exactly 0 and n of n at exactly 1', () => {
    for (const n of [1, 12, 288, 2016]) {
      expect(wilson(0, n).lower).toBe(0);
      expect(wilson(n, n).upper).toBe(1);
    }
  });
});
