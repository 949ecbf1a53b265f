import type { UDistribution } from './exact-distribution.ts';
import { normalQuantile } from './normal.ts';
import { kthDifference } from './pairwise.ts';
import { uSigma } from './mann-whitney.ts';
import { withinTieTerm } from './ranks.ts';

/** A confidence interval for the shift of x relative to y. */
export interface ShiftInterval {
  readonly lower: number;
  readonly upper: number;
  /** The coverage actually achieved (the exact distribution is discrete, so it can exceed the request). */
  readonly confidence: number;
}

/**
 * R's exact interval (wilcox.test, conf.int = TRUE, no ties): with qu = qwilcox(α/2, m, n)
 * (at least 1), the interval runs from the qu-th smallest pairwise difference to the
 * (mn - qu + 1)-th. Its coverage is 1 - 2·P(U <= qu - 1).
 */
export function exactShiftInterval(
  xs: Float64Array,
  ys: Float64Array,
  distribution: UDistribution,
  confidence: number,
): ShiftInterval {
  const mn = xs.length * ys.length;
  const alpha = 1 - confidence;
  const qu = Math.max(1, distribution.lowerQuantile(alpha / 2));
  return {
    lower: kthDifference(xs, ys, qu),
    upper: kthDifference(xs, ys, mn - qu + 1),
    confidence: 1 - 2 * distribution.cdf(qu - 1),
  };
}

/**
 * R's asymptotic interval: the set of shifts d for which the continuity-corrected normal test of
 * (x - d) against y does not reject. R finds its ends with uniroot (tolerance 1e-4); here they
 * are found exactly. Between consecutive pairwise differences, U(d) = mn - k where k counts the
 * differences <= d, and σ only has the ties inside each sample, so the statistic is a step
 * function that changes sign at an order statistic of the differences:
 *
 *   lower = D(k*), upper = D(mn + 1 - k*),  k* = ⌈mn/2 - 1/2 - z·σ₀⌉ clamped to [1, mn]
 *
 * with z = Φ⁻¹(1 - α/2) and σ₀ the tie-corrected σ of U using only within-sample ties. This is
 * the point where R's uniroot converges, without its tolerance.
 */
export function asymptoticShiftInterval(
  xs: Float64Array,
  ys: Float64Array,
  confidence: number,
): ShiftInterval {
  const m = xs.length;
  const n = ys.length;
  const mn = m * n;
  const z = -normalQuantile((1 - confidence) / 2);
  const sigma = uSigma(m, n, withinTieTerm(xs) + withinTieTerm(ys));
  const raw = Math.ceil(mn / 2 - 0.5 - z * sigma);
  const k = Math.min(mn, Math.max(1, raw));
  return { lower: kthDifference(xs, ys, k), upper: kthDifference(xs, ys, mn + 1 - k), confidence };
}
