import { asymptoticShiftInterval, exactShiftInterval } from './confidence-interval.ts';
import { mannWhitneySorted } from './mann-whitney.ts';
import { hodgesLehmann } from './pairwise.ts';
import { cleanSample, mean, medianSorted, type CleanSample } from './samples.ts';
import type { Classification, EffectSize, JudgeOptions, JudgeResult, PerSide } from './types.ts';

/** The defaults applied to every unset option. */
export const JUDGE_DEFAULTS = {
  direction: 'increase',
  method: 'auto',
  confidence: 0.98,
  tolerance: 0.25,
  effectSize: 'meanRatio',
  minSamples: 20,
  removeOutliers: false,
  nonFinite: 'remove',
} as const satisfies JudgeOptions;

type Resolved = { [K in keyof typeof JUDGE_DEFAULTS]-?: NonNullable<JudgeOptions[K]> } & {
  allowedIncrease: number | undefined;
  allowedDecrease: number | undefined;
};

function resolve(options: JudgeOptions): Resolved {
  return {
    direction: options.direction ?? JUDGE_DEFAULTS.direction,
    method: options.method ?? JUDGE_DEFAULTS.method,
    confidence: options.confidence ?? JUDGE_DEFAULTS.confidence,
    tolerance: options.tolerance ?? JUDGE_DEFAULTS.tolerance,
    effectSize: options.effectSize ?? JUDGE_DEFAULTS.effectSize,
    minSamples: options.minSamples ?? JUDGE_DEFAULTS.minSamples,
    removeOutliers: options.removeOutliers ?? JUDGE_DEFAULTS.removeOutliers,
    nonFinite: options.nonFinite ?? JUDGE_DEFAULTS.nonFinite,
    allowedIncrease: options.allowedIncrease,
    allowedDecrease: options.allowedDecrease,
  };
}

/** Why the options cannot be used, or undefined when they can. */
function invalidOption(o: Resolved): string | undefined {
  if (!(o.confidence > 0 && o.confidence < 1)) return `confidence must be in (0, 1), got ${o.confidence}`;
  if (!(o.tolerance >= 0)) return `tolerance must be >= 0, got ${o.tolerance}`;
  if (!Number.isInteger(o.minSamples) || o.minSamples < 1) {
    return `minSamples must be an integer >= 1, got ${o.minSamples}`;
  }
  for (const [name, value] of [
    ['allowedIncrease', o.allowedIncrease],
    ['allowedDecrease', o.allowedDecrease],
  ] as const) {
    if (value !== undefined && !(value >= 0)) return `${name} must be >= 0, got ${value}`;
  }
  return undefined;
}

function emptyResult(
  classification: Classification,
  reason: string,
  sides?: PerSide<CleanSample>,
): JudgeResult {
  const count = (pick: (s: CleanSample) => number): PerSide<number> => ({
    baseline: sides ? pick(sides.baseline) : 0,
    canary: sides ? pick(sides.canary) : 0,
  });
  return {
    classification,
    reason,
    n: count((s) => s.sorted.length),
    removed: { nonFinite: count((s) => s.nonFinite), outliers: count((s) => s.outliers) },
    method: 'none',
    warnings: [],
  };
}

function effectSizes(sides: PerSide<Float64Array>, u: number): EffectSize {
  const baselineMean = mean(sides.baseline);
  return {
    meanRatio: baselineMean > 0 ? mean(sides.canary) / baselineMean : null,
    cles: u / (sides.baseline.length * sides.canary.length),
  };
}

/** Whether the effect size clears the gate for `side` (no gate, or no mean ratio, clears it). */
function gateOpen(o: Resolved, effect: EffectSize, side: 'High' | 'Low'): { open: boolean; text: string } {
  const limit = side === 'High' ? o.allowedIncrease : o.allowedDecrease;
  const value = o.effectSize === 'cles' ? effect.cles : effect.meanRatio;
  const label = o.effectSize === 'cles' ? 'CLES' : 'mean ratio';
  if (limit === undefined || value === null) return { open: true, text: '' };
  const open = side === 'High' ? value > limit : value < limit;
  const relation = side === 'High' ? (open ? '>' : '<=') : open ? '<' : '>=';
  return { open, text: `${label} ${fmt(value)} ${relation} ${fmt(limit)}` };
}

const fmt = (v: number): string => String(Number(v.toPrecision(4)));

interface Evidence {
  ci: readonly [number, number];
  margin: number;
  effect: EffectSize;
}

function decide(o: Resolved, e: Evidence): { classification: Classification; reason: string } {
  const pct = `${fmt(o.confidence * 100)}%`;
  const band = `±${fmt(e.margin)}`;
  const [lower, upper] = e.ci;
  const checks: { side: 'High' | 'Low'; watched: boolean; outside: boolean; what: string }[] = [
    { side: 'High', watched: o.direction !== 'decrease', outside: lower > e.margin, what: 'increase' },
    { side: 'Low', watched: o.direction !== 'increase', outside: upper < -e.margin, what: 'decrease' },
  ];
  for (const check of checks) {
    if (!check.watched || !check.outside) continue;
    const gate = gateOpen(o, e.effect, check.side);
    const ci = `${pct} CI [${fmt(lower)}, ${fmt(upper)}] is outside the tolerance band ${band}`;
    if (gate.open) {
      return {
        classification: check.side,
        reason: `${check.what}: ${ci}${gate.text ? `; ${gate.text}` : ''}`,
      };
    }
    return {
      classification: 'Pass',
      reason: `${check.what} below the effect-size gate: ${gate.text} (${ci})`,
    };
  }
  return {
    classification: 'Pass',
    reason: `no ${o.direction === 'either' ? 'change' : o.direction} beyond the tolerance band ${band} at ${pct} confidence (CI [${fmt(lower)}, ${fmt(upper)}])`,
  };
}

function insufficient(o: Resolved, sides: PerSide<CleanSample>): string | undefined {
  const short = (['canary', 'baseline'] as const).filter((side) => sides[side].sorted.length < o.minSamples);
  if (short.length === 0) return undefined;
  const detail = short.map((side) => `${sides[side].sorted.length} < ${o.minSamples} (${side})`).join(', ');
  return `insufficient samples: ${detail}`;
}

/**
 * Judges a canary sample against a baseline sample with a two-sided Mann-Whitney U test, the
 * Hodges-Lehmann shift (canary - baseline) and its confidence interval, a tolerance band and an
 * effect-size gate. Never throws: bad options give `Error`, too few points give `NoData`.
 * See docs/judge.md.
 */
export function judgeMetric(
  baseline: readonly number[] | Float64Array,
  canary: readonly number[] | Float64Array,
  options: JudgeOptions = {},
): JudgeResult {
  const o = resolve(options);
  const problem = invalidOption(o);
  if (problem !== undefined) return emptyResult('Error', `invalid options: ${problem}`);
  const sides = {
    baseline: cleanSample(baseline, o.removeOutliers),
    canary: cleanSample(canary, o.removeOutliers),
  };
  if (o.nonFinite === 'error' && sides.baseline.nonFinite + sides.canary.nonFinite > 0) {
    const counts = `baseline ${sides.baseline.nonFinite}, canary ${sides.canary.nonFinite}`;
    return emptyResult('Error', `non-finite values (NaN or Infinity) present: ${counts}`, sides);
  }
  const short = insufficient(o, sides);
  if (short !== undefined) return emptyResult('NoData', short, sides);

  const xs = sides.canary.sorted;
  const ys = sides.baseline.sorted;
  const test = mannWhitneySorted(xs, ys, { method: o.method });
  const interval = test.distribution
    ? exactShiftInterval(xs, ys, test.distribution, o.confidence)
    : asymptoticShiftInterval(xs, ys, o.confidence);
  const ci = [interval.lower, interval.upper] as const;
  const baselineMedian = medianSorted(ys);
  const margin = o.tolerance * Math.abs(baselineMedian);
  const effect = effectSizes({ baseline: ys, canary: xs }, test.u);
  const verdict = decide(o, { ci, margin, effect });
  const { warnings: _none, ...counts } = emptyResult(verdict.classification, verdict.reason, sides);
  return {
    ...counts,
    method: test.method,
    u: test.u,
    pValue: test.pValue,
    estimate: hodgesLehmann(xs, ys),
    ci,
    confidence: interval.confidence,
    band: [0 - margin, margin],
    effectSize: effect,
    median: { baseline: baselineMedian, canary: medianSorted(xs) },
    mean: { baseline: mean(ys), canary: mean(xs) },
    warnings: test.fallback === undefined ? [] : [test.fallback],
  };
}
