import { EXACT_MAX_POOLED, exactPValue, uDistribution, type UDistribution } from './exact-distribution.ts';
import { JudgeError } from './errors.ts';
import { normalSf } from './normal.ts';
import { rankSummary, sortedCopy } from './ranks.ts';

/** How the p-value is computed; `auto` follows R: exact when both samples are under 50 and untied. */
export type TestMethod = 'auto' | 'exact' | 'asymptotic';

/** Below this size on both sides (and without ties) `auto` uses the exact distribution, as R does. */
export const AUTO_EXACT_BELOW = 50;

/** Options of the two-sided Mann-Whitney U test. */
export interface MannWhitneyOptions {
  method?: TestMethod;
  /** Continuity correction of the normal approximation (default true, like R and SciPy). */
  continuity?: boolean;
}

/** The outcome of a two-sided Mann-Whitney U test of x against y. */
export interface MannWhitneyResult {
  /** U of x: pairs with x > y plus half the ties (SciPy's `statistic`, R's W). */
  readonly u: number;
  readonly pValue: number;
  /** The method actually used (exact falls back to asymptotic with ties or beyond its size limit). */
  readonly method: 'exact' | 'asymptotic';
  /** The standardized statistic of the normal approximation (asymptotic only). */
  readonly z?: number;
  /** Why the requested method was not used, if it was not. */
  readonly fallback?: string;
  /** The exact null distribution, when the exact method was used (the CI reuses it). */
  readonly distribution?: UDistribution;
}

function chooseMethod(
  requested: TestMethod,
  m: number,
  n: number,
  hasTies: boolean,
): { method: 'exact' | 'asymptotic'; fallback?: string } {
  if (requested === 'asymptotic') return { method: 'asymptotic' };
  if (requested === 'auto') {
    const exact = m < AUTO_EXACT_BELOW && n < AUTO_EXACT_BELOW && !hasTies;
    return { method: exact ? 'exact' : 'asymptotic' };
  }
  if (hasTies) return { method: 'asymptotic', fallback: 'exact method unavailable with ties' };
  if (m + n > EXACT_MAX_POOLED) {
    return { method: 'asymptotic', fallback: `exact method limited to ${EXACT_MAX_POOLED} points in total` };
  }
  return { method: 'exact' };
}

/**
 * The standard deviation of U under the null hypothesis, with the tie correction
 * σ² = mn/12 · ((N + 1) - Σ(t³ - t) / (N(N - 1))).
 */
export function uSigma(m: number, n: number, tieTerm: number): number {
  const pooled = m + n;
  const ties = pooled > 1 ? tieTerm / (pooled * (pooled - 1)) : 0;
  return Math.sqrt(((m * n) / 12) * (pooled + 1 - ties));
}

/**
 * Normal approximation, written as SciPy does: with U the larger of U and mn - U, the statistic
 * minus its mean is reduced by 0.5 and the upper tail doubled (capped at 1). All observations
 * tied gives σ = 0, z = -∞ and p = 1.
 */
function asymptoticPValue(u: number, m: number, n: number, sigma: number, continuity: boolean) {
  const extreme = Math.max(u, m * n - u);
  const numerator = extreme - (m * n) / 2 - (continuity ? 0.5 : 0);
  const z = sigma > 0 ? numerator / sigma : numerator === 0 ? 0 : numerator > 0 ? Infinity : -Infinity;
  return { z, pValue: Math.min(1, 2 * normalSf(z)) };
}

/**
 * Two-sided Mann-Whitney U (Wilcoxon rank-sum) test of finite samples x and y: average ranks for
 * ties, tie-corrected variance, continuity-corrected normal approximation or the exact null
 * distribution. O((m + n) log(m + n)).
 */
export function mannWhitneyU(
  x: readonly number[] | Float64Array,
  y: readonly number[] | Float64Array,
  options: MannWhitneyOptions = {},
): MannWhitneyResult {
  return mannWhitneySorted(sortedCopy(x), sortedCopy(y), options);
}

/** {@link mannWhitneyU} for samples already sorted ascending. */
export function mannWhitneySorted(
  xs: Float64Array,
  ys: Float64Array,
  options: MannWhitneyOptions = {},
): MannWhitneyResult {
  const m = xs.length;
  const n = ys.length;
  if (m === 0 || n === 0) throw new JudgeError('E_JUDGE_RANGE', 'both samples must be non-empty');
  const ranks = rankSummary(xs, ys);
  const choice = chooseMethod(options.method ?? 'auto', m, n, ranks.hasTies);
  const fallback = choice.fallback === undefined ? {} : { fallback: choice.fallback };
  if (choice.method === 'exact') {
    const distribution = uDistribution(m, n);
    return { u: ranks.u, pValue: exactPValue(distribution, ranks.u), method: 'exact', distribution };
  }
  const sigma = uSigma(m, n, ranks.tieTerm);
  const { z, pValue } = asymptoticPValue(ranks.u, m, n, sigma, options.continuity ?? true);
  return { u: ranks.u, pValue, method: 'asymptotic', z, ...fallback };
}
