import type { TestMethod } from './mann-whitney.ts';

/** Which way a change is bad: `increase` for latency and errors, `decrease` for throughput. */
export type Direction = 'increase' | 'decrease' | 'either';

/** The verdict on one metric. NoData and Error are never Pass. */
export type Classification = 'Pass' | 'High' | 'Low' | 'NoData' | 'Error';

/** The effect size that gates High and Low: mean ratio (canary / baseline) or CLES. */
export type EffectSizeMeasure = 'meanRatio' | 'cles';

/**
 * How to judge one metric. Field names match `JudgeProvider` in src/api, so a parsed template
 * provider can be passed as is; every field has a default.
 */
export interface JudgeOptions {
  /** Default `increase`. */
  direction?: Direction | undefined;
  /** Default `auto`: exact below 50 points per side without ties, as R does. */
  method?: TestMethod | undefined;
  /** Confidence level of the interval for the shift, in (0, 1). Default 0.98 (Kayenta's). */
  confidence?: number | undefined;
  /**
   * Relative tolerance band around the baseline: a shift within ± tolerance · |median(baseline)|
   * is acceptable. High or Low needs the whole confidence interval outside the band. Default 0.25.
   */
  tolerance?: number | undefined;
  /**
   * Effect-size gate for High: the mean ratio (or CLES) must exceed it. Unset: no gate.
   * E.g. 1.1 with `meanRatio`, 0.6 with `cles`.
   */
  allowedIncrease?: number | undefined;
  /** Effect-size gate for Low: the mean ratio (or CLES) must be below it. Unset: no gate. */
  allowedDecrease?: number | undefined;
  /** Which effect size `allowedIncrease` / `allowedDecrease` apply to. Default `meanRatio`. */
  effectSize?: EffectSizeMeasure | undefined;
  /** Minimum points per side after cleaning; below it the result is NoData. Default 20. */
  minSamples?: number | undefined;
  /** Drop points outside Tukey's 1.5·IQR fences, per side. Default false. */
  removeOutliers?: boolean | undefined;
  /** NaN and ±Infinity are removed (default) or make the result Error. */
  nonFinite?: 'remove' | 'error' | undefined;
}

/** Effect sizes of canary against baseline. */
export interface EffectSize {
  /** mean(canary) / mean(baseline); null when the baseline mean is not positive. */
  readonly meanRatio: number | null;
  /** Common-language effect size: P(canary > baseline) + P(equal) / 2, i.e. U / (m·n). */
  readonly cles: number;
}

/** Per-side counts. */
export interface PerSide<T> {
  readonly baseline: T;
  readonly canary: T;
}

/** The judge's verdict on one metric, with the statistics behind it. */
export interface JudgeResult {
  readonly classification: Classification;
  /** One sentence a person can read, e.g. "insufficient samples: 7 < 20 (canary)". */
  readonly reason: string;
  /** Points per side after cleaning. */
  readonly n: PerSide<number>;
  readonly removed: { readonly nonFinite: PerSide<number>; readonly outliers: PerSide<number> };
  /** The test actually run (`none` when no test ran). */
  readonly method: 'exact' | 'asymptotic' | 'none';
  /** U of the canary (SciPy's statistic for mannwhitneyu(canary, baseline)). */
  readonly u?: number;
  /** Two-sided p-value. */
  readonly pValue?: number;
  /** Hodges-Lehmann estimate of the shift canary - baseline. */
  readonly estimate?: number;
  /** Confidence interval for the shift. */
  readonly ci?: readonly [number, number];
  /** Coverage of `ci` (the exact interval may cover more than requested). */
  readonly confidence?: number;
  /** The tolerance band for the shift: ± tolerance · |median(baseline)|. */
  readonly band?: readonly [number, number];
  readonly effectSize?: EffectSize;
  readonly median?: PerSide<number>;
  readonly mean?: PerSide<number>;
  /** E.g. the exact method falling back to the normal approximation. */
  readonly warnings: readonly string[];
}
