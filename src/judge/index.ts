/** The statistical judge: canary vs baseline, pure math (see docs/judge.md). */
export { judgeMetric, JUDGE_DEFAULTS } from './classify.ts';
export {
  decideScore,
  scoreMetrics,
  type Score,
  type ScoreDecision,
  type ScoreInput,
  type ScoreThresholds,
  type ScoreVerdict,
} from './score.ts';
export {
  mannWhitneyU,
  AUTO_EXACT_BELOW,
  type MannWhitneyOptions,
  type MannWhitneyResult,
  type TestMethod,
} from './mann-whitney.ts';
export { asymptoticShiftInterval, exactShiftInterval, type ShiftInterval } from './confidence-interval.ts';
export { hodgesLehmann, kthDifference } from './pairwise.ts';
export { uDistribution, EXACT_MAX_POOLED, type UDistribution } from './exact-distribution.ts';
export { normalCdf, normalQuantile, normalSf } from './normal.ts';
export { sortedCopy } from './ranks.ts';
export { JudgeError, type JudgeErrorCode } from './errors.ts';
export type {
  Classification,
  Direction,
  EffectSize,
  EffectSizeMeasure,
  JudgeOptions,
  JudgeResult,
  PerSide,
} from './types.ts';
