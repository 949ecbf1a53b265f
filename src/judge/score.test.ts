import { describe, expect, it } from 'vitest';
import { JudgeError } from './errors.ts';
import { decideScore, scoreMetrics, type ScoreInput } from './score.ts';
import type { Classification } from './types.ts';

const metric = (classification: Classification, weight = 1, critical = false, name?: string): ScoreInput => ({
  name,
  result: { classification },
  weight,
  critical,
});
const thresholds = { pass: 95, marginal: 75 };

describe('scoreMetrics', () => {
  it('scores the weighted share of passing metrics', () => {
    const score = scoreMetrics([metric('Pass', 3), metric('High', 1)], thresholds);
    expect(score.score).toBe(75);
  });

  it('maps the score to Successful, Inconclusive or Failed at the thresholds', () => {
    expect(scoreMetrics([metric('Pass')], thresholds).verdict).toBe('Successful');
    expect(scoreMetrics([metric('Pass', 3), metric('Low', 1)], thresholds).verdict).toBe('Inconclusive');
    expect(scoreMetrics([metric('Pass', 1), metric('High', 1)], thresholds).verdict).toBe('Failed');
  });

  it('counts NoData and Error as not passed', () => {
    expect(scoreMetrics([metric('Pass'), metric('NoData'), metric('Error')], thresholds).score).toBeCloseTo(
      100 / 3,
      12,
    );
  });

  it('forces the score to 0 when a critical metric is not Pass', () => {
    const score = scoreMetrics([metric('Pass', 10), metric('NoData', 1, true, 'error-rate')], thresholds);
    expect(score).toEqual({ score: 0, verdict: 'Failed', reason: 'error-rate is NoData' });
  });

  it('does not let a passing critical metric change the score', () => {
    expect(scoreMetrics([metric('Pass', 1, true), metric('High', 1)], thresholds).score).toBe(50);
  });

  it('is Inconclusive when there is nothing weighted to score', () => {
    expect(scoreMetrics([], thresholds).verdict).toBe('Inconclusive');
    expect(scoreMetrics([metric('Pass', 0)], thresholds).verdict).toBe('Inconclusive');
  });

  it('rejects thresholds out of order and negative weights', () => {
    expect(() => scoreMetrics([metric('Pass')], { pass: 70, marginal: 80 })).toThrow(/marginal <= pass/);
    expect(() => scoreMetrics([metric('Pass')], { pass: 101, marginal: 80 })).toThrow(/pass <= 100/);
    expect(() => scoreMetrics([metric('Pass', -1)], thresholds)).toThrow(/weights/);
  });

  it('rejects a pass threshold of 0, which would call a score of 0 Successful', () => {
    expect(() => scoreMetrics([metric('High')], { pass: 0, marginal: 0 })).toThrow(/pass > 0, got 0 and 0/);
    expect(() => decideScore([metric('NoData')], { pass: 0, marginal: 0 })).toThrow(JudgeError);
  });
});

describe('decideScore', () => {
  it('gives the verdict of the score when every metric has a result', () => {
    const decision = decideScore([metric('Pass', 3), metric('High', 1)], thresholds);
    expect(decision).toMatchObject({ verdict: 'Inconclusive', unknown: [] });
    expect(decision.best).toEqual(decision.worst);
  });

  it('gives no verdict when the metrics without data could still tip it either way', () => {
    const decision = decideScore(
      [metric('Pass', 1, false, 'latency'), metric('NoData', 1, false, 'errors')],
      thresholds,
    );
    expect(decision.worst).toMatchObject({ score: 50, verdict: 'Failed' });
    expect(decision.best).toMatchObject({ score: 100, verdict: 'Successful' });
    expect(decision.verdict).toBeUndefined();
    expect(decision.unknown).toEqual(['errors']);
  });

  it('never passes or fails a canary that has no data at all', () => {
    expect(decideScore([metric('NoData'), metric('NoData', 2)], thresholds).verdict).toBeUndefined();
  });

  it('treats an Error result like missing data', () => {
    expect(decideScore([metric('Pass'), metric('Error')], thresholds).verdict).toBeUndefined();
  });

  it('keeps a failure that the known results already settle: a critical metric that is High', () => {
    const decision = decideScore([metric('High', 1, true, 'errors'), metric('NoData', 5)], thresholds);
    expect(decision.verdict).toBe('Failed');
    expect(decision.best.reason).toBe('errors is High');
  });

  it('keeps a pass when a NoData metric weighs too little to move the score below pass', () => {
    const decision = decideScore([metric('Pass', 19), metric('NoData', 1)], thresholds);
    expect(decision.worst.score).toBe(95);
    expect(decision.verdict).toBe('Successful');
  });

  it('gives no verdict when a critical metric has no data, since it alone could fail the score', () => {
    expect(decideScore([metric('Pass', 19), metric('NoData', 1, true)], thresholds).verdict).toBeUndefined();
  });
});
