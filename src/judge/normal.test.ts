import { describe, expect, it } from 'vitest';
import { judgeFixture, relativeError } from '../../test/judge/fixtures.ts';
import { normalCdf, normalQuantile, normalSf } from './normal.ts';

// References: test/fixtures/judge/normal.json — scipy.stats.norm.sf / norm.ppf (generate.py).
const fixture = judgeFixture('normal.json') as {
  sf: { z: number; sf: number }[];
  ppf: { p: number; ppf: number }[];
};

describe('normalSf', () => {
  it.each(fixture.sf.filter((r) => r.sf > 1e-300))(
    'matches SciPy to 1e-12 relative at z = $z',
    ({ z, sf }) => {
      expect(relativeError(normalSf(z), sf)).toBeLessThanOrEqual(1e-12);
    },
  );

  it('is symmetric: Φ(z) + Φ(-z) = 1', () => {
    for (const z of [0.1, 0.67, 1.5, 3, 6]) expect(normalCdf(z) + normalCdf(-z)).toBeCloseTo(1, 15);
  });

  it('returns exactly one half at zero and NaN for NaN', () => {
    expect(normalSf(0)).toBe(0.5);
    expect(normalSf(NaN)).toBeNaN();
  });
});

describe('normalQuantile', () => {
  it.each(fixture.ppf)('matches SciPy to 1e-13 relative at p = $p', ({ p, ppf }) => {
    expect(relativeError(normalQuantile(p), ppf)).toBeLessThanOrEqual(1e-13);
  });

  it('returns infinities at 0 and 1 and NaN outside [0, 1]', () => {
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(1.5)).toBeNaN();
  });
});
