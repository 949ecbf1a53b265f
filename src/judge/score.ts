import { JudgeError } from './errors.ts';
import type { Classification } from './types.ts';

/** One judged metric as the score sees it. */
export interface ScoreInput {
  /** Shown in the reason when a critical metric fails. */
  readonly name?: string | undefined;
  readonly result: { readonly classification: Classification };
  /** Relative weight (>= 0). */
  readonly weight: number;
  /** A critical metric that is not Pass forces the score to 0. */
  readonly critical: boolean;
}

/** Score thresholds on the 0-100 scale, Kayenta-style (e.g. pass 95, marginal 75). */
export interface ScoreThresholds {
  readonly pass: number;
  readonly marginal: number;
}

export type ScoreVerdict = 'Successful' | 'Inconclusive' | 'Failed';

/** The combined outcome of several judged metrics. */
export interface Score {
  /** 0-100: the weighted share of metrics that passed. */
  readonly score: number;
  readonly verdict: ScoreVerdict;
  readonly reason: string;
}

function verdictFor(score: number, thresholds: ScoreThresholds): ScoreVerdict {
  if (score >= thresholds.pass) return 'Successful';
  return score >= thresholds.marginal ? 'Inconclusive' : 'Failed';
}

/**
 * Scores judged metrics: 100 · Σ weight of Pass metrics / Σ weight, mapped to Successful at or
 * above `pass` (which must be above 0), Inconclusive at or above `marginal`, Failed below. NoData
 * and Error count as not passed. A critical metric that is not Pass makes the score 0. With no
 * weight at all (no metrics, or all weights 0) the verdict is Inconclusive: nothing was shown to
 * pass.
 *
 * @throws JudgeError (E_JUDGE_THRESHOLDS) when the thresholds or weights are unusable.
 */
export function scoreMetrics(results: readonly ScoreInput[], thresholds: ScoreThresholds): Score {
  const { pass, marginal } = thresholds;
  // pass above 0: a score of 0 (nothing passed, or nothing had data) must never be Successful.
  if (!(marginal >= 0 && pass > 0 && pass <= 100 && marginal <= pass)) {
    throw new JudgeError(
      'E_JUDGE_THRESHOLDS',
      `need 0 <= marginal <= pass <= 100 and pass > 0, got ${marginal} and ${pass}`,
    );
  }
  if (results.some((r) => !(r.weight >= 0) || !Number.isFinite(r.weight))) {
    throw new JudgeError('E_JUDGE_THRESHOLDS', 'metric weights must be finite and >= 0');
  }
  const failedCritical = results.find((r) => r.critical && r.result.classification !== 'Pass');
  if (failedCritical) {
    const who = failedCritical.name ?? 'a critical metric';
    return { score: 0, verdict: 'Failed', reason: `${who} is ${failedCritical.result.classification}` };
  }
  const total = results.reduce((sum, r) => sum + r.weight, 0);
  if (total === 0) return { score: 0, verdict: 'Inconclusive', reason: 'no weighted metrics to score' };
  const passed = results.reduce((sum, r) => sum + (r.result.classification === 'Pass' ? r.weight : 0), 0);
  const score = (100 * passed) / total;
  const verdict = verdictFor(score, thresholds);
  const notPassed = results.filter((r) => r.result.classification !== 'Pass').length;
  return {
    score,
    verdict,
    reason: `${notPassed} of ${results.length} metrics did not pass; score ${score.toFixed(1)}`,
  };
}

/** A score whose verdict may still hang on the metrics that have no result. */
export interface ScoreDecision {
  /** The score as `scoreMetrics` gives it: NoData and Error count as not passed. */
  readonly worst: Score;
  /** The score had every NoData or Error metric passed; the same as `worst` when there is none. */
  readonly best: Score;
  /** The verdict when both agree, so the missing results could not change it; otherwise undefined. */
  readonly verdict: ScoreVerdict | undefined;
  /** Names (or positions) of the metrics without a result. */
  readonly unknown: readonly string[];
}

const isUnknown = (input: ScoreInput): boolean =>
  input.result.classification === 'NoData' || input.result.classification === 'Error';

/**
 * Scores metrics some of which may have no result (NoData, Error) without ever letting missing data
 * decide: the verdict is given only when it is the same whether the missing metrics pass or not.
 * Too little traffic on the canary therefore never fails it, and never passes it either; a verdict
 * that the known results already settle (a critical metric that is High, or a NoData metric too
 * light to move the score across a threshold) still stands.
 *
 * @throws JudgeError (E_JUDGE_THRESHOLDS) when the thresholds or weights are unusable.
 */
export function decideScore(results: readonly ScoreInput[], thresholds: ScoreThresholds): ScoreDecision {
  const worst = scoreMetrics(results, thresholds);
  const unknown = results.flatMap((r, i) => (isUnknown(r) ? [r.name ?? `#${i + 1}`] : []));
  if (unknown.length === 0) return { worst, best: worst, verdict: worst.verdict, unknown };
  const optimistic = results.map((r) =>
    isUnknown(r) ? { ...r, result: { classification: 'Pass' as const } } : r,
  );
  const best = scoreMetrics(optimistic, thresholds);
  return { worst, best, verdict: worst.verdict === best.verdict ? worst.verdict : undefined, unknown };
}
