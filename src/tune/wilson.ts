/**
 * The Wilson score interval for a binomial proportion: unlike the normal ("Wald") interval it stays
 * inside [0, 1] and does not collapse to a point at 0 of n, which is exactly the case a template
 * with a low false-alarm rate produces.
 */

/** z for a two-sided 95% interval. */
export const Z_95 = 1.959963984540054;

/** A proportion with its interval. */
export interface Rate {
  readonly successes: number;
  readonly trials: number;
  /** successes / trials; 0 when there are no trials. */
  readonly rate: number;
  readonly lower: number;
  readonly upper: number;
}

/**
 * Wilson's interval for `successes` of `trials` at the given z (default 95%). With no trials
 * nothing is known: [0, 1].
 */
export function wilson(successes: number, trials: number, z = Z_95): Rate {
  if (trials <= 0) return { successes: 0, trials: 0, rate: 0, lower: 0, upper: 1 };
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const center = (p + z2 / (2 * trials)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return {
    successes,
    trials,
    rate: p,
    // At 0 of n (n of n) the bound is exactly 0 (1); the formula leaves rounding dust there.
    lower: successes <= 0 ? 0 : Math.max(0, center - half),
    upper: successes >= trials ? 1 : Math.min(1, center + half),
  };
}
