import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mannWhitneyU } from './mann-whitney.ts';

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

describe('mannWhitneyU method choice', () => {
  it('uses the exact distribution under auto when both samples are under 50 and untied', () => {
    expect(mannWhitneyU(range(49), range(49, 0.5)).method).toBe('exact');
  });

  it('uses the normal approximation under auto from 50 points on either side', () => {
    expect(mannWhitneyU(range(50), range(10, 0.5)).method).toBe('asymptotic');
  });

  it('uses the normal approximation under auto when there are ties', () => {
    expect(mannWhitneyU([1, 2, 3], [3, 4, 5]).method).toBe('asymptotic');
  });

  it('falls back to the normal approximation, saying why, when exact is requested with ties', () => {
    const result = mannWhitneyU([1, 2, 3], [3, 4, 5], { method: 'exact' });
    expect(result.method).toBe('asymptotic');
    expect(result.fallback).toMatch(/ties/);
  });

  it('falls back when exact is requested beyond its size limit', () => {
    const result = mannWhitneyU(range(300), range(300, 0.5), { method: 'exact' });
    expect(result.method).toBe('asymptotic');
    expect(result.fallback).toMatch(/limited/);
  });

  it('honours an explicit exact request above the auto threshold', () => {
    expect(mannWhitneyU(range(120), range(80, 0.5), { method: 'exact' }).method).toBe('exact');
  });

  it('refuses empty samples', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(/non-empty/);
  });
});

describe('mannWhitneyU properties', () => {
  const sample = fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 60 });

  it('gives the same p-value and complementary U when the samples are swapped', () => {
    fc.assert(
      fc.property(sample, sample, fc.constantFrom('exact', 'asymptotic', 'auto' as const), (x, y, method) => {
        const a = mannWhitneyU(x, y, { method });
        const b = mannWhitneyU(y, x, { method });
        expect(a.u + b.u).toBe(x.length * y.length);
        expect(b.pValue).toBeCloseTo(a.pValue, 12);
      }),
    );
  });

  it('returns p-values in [0, 1]', () => {
    fc.assert(
      fc.property(sample, sample, (x, y) => {
        const { pValue } = mannWhitneyU(x, y);
        expect(pValue).toBeGreaterThanOrEqual(0);
        expect(pValue).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('keeps exact and normal p-values close for moderately large untied samples', () => {
    const x = range(45).map((i) => i * 1.01 + 3);
    const y = range(45).map((i) => i * 0.99);
    const exact = mannWhitneyU(x, y, { method: 'exact' }).pValue;
    const normal = mannWhitneyU(x, y, { method: 'asymptotic' }).pValue;
    expect(Math.abs(exact - normal)).toBeLessThan(0.01);
  });
});
