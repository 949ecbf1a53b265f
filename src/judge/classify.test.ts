import { describe, expect, it } from 'vitest';
import { JudgeProvider } from '../api/index.ts';
import { normalSample } from '../../test/judge/random.ts';
import { judgeMetric } from './classify.ts';

// Latency-like samples: baseline around 100 ms; canaries shifted by a known amount.
const baseline = normalSample(60, 100, 5, 1);
const canaryAt = (mean: number, n = 60, seed = 2): number[] => normalSample(n, mean, 5, seed);

describe('judgeMetric guards', () => {
  it('returns NoData with "insufficient samples: 7 < 20" when a side has fewer than minSamples', () => {
    const result = judgeMetric(baseline, canaryAt(100, 7));
    expect(result.classification).toBe('NoData');
    expect(result.reason).toBe('insufficient samples: 7 < 20 (canary)');
    expect(result.n).toEqual({ baseline: 60, canary: 7 });
    expect(result.method).toBe('none');
  });

  it('never passes too few points, even when they are clearly bad (Kayenta #780)', () => {
    const result = judgeMetric(baseline.slice(0, 5), [900, 950, 1000, 990, 1010]);
    expect(result.classification).toBe('NoData');
    expect(result.reason).toMatch(/5 < 20 \(canary\), 5 < 20 \(baseline\)/);
  });

  it('counts points after removing NaN and infinities', () => {
    const canary = [...canaryAt(100, 19), NaN, Infinity];
    const result = judgeMetric(baseline, canary);
    expect(result.classification).toBe('NoData');
    expect(result.removed.nonFinite).toEqual({ baseline: 0, canary: 2 });
  });

  it('returns Error when non-finite values are configured as an error', () => {
    const result = judgeMetric(baseline, [...canaryAt(100), NaN], { nonFinite: 'error' });
    expect(result.classification).toBe('Error');
    expect(result.reason).toMatch(/canary 1/);
  });

  it.each([
    [{ confidence: 1 }, /confidence/],
    [{ confidence: 0 }, /confidence/],
    [{ tolerance: -0.1 }, /tolerance/],
    [{ minSamples: 0 }, /minSamples/],
    [{ minSamples: 2.5 }, /minSamples/],
    [{ allowedIncrease: NaN }, /allowedIncrease/],
  ])('returns Error for unusable options %o', (options, message) => {
    const result = judgeMetric(baseline, canaryAt(100), options);
    expect(result.classification).toBe('Error');
    expect(result.reason).toMatch(message);
  });

  it('removes IQR outliers only when asked', () => {
    const canary = [...canaryAt(100), 5000, 6000];
    expect(judgeMetric(baseline, canary).removed.outliers.canary).toBe(0);
    const cleaned = judgeMetric(baseline, canary, { removeOutliers: true });
    expect(cleaned.removed.outliers.canary).toBe(2);
    expect(cleaned.n.canary).toBe(60);
  });
});

describe('judgeMetric classification', () => {
  it('classifies a clear increase as High when higher is worse', () => {
    const result = judgeMetric(baseline, canaryAt(140));
    expect(result.classification).toBe('High');
    expect(result.ci![0]).toBeGreaterThan(result.band![1]);
    expect(result.reason).toMatch(/^increase: 98% CI/);
  });

  it('passes the same increase when only a decrease is bad', () => {
    expect(judgeMetric(baseline, canaryAt(140), { direction: 'decrease' }).classification).toBe('Pass');
  });

  it('classifies a clear decrease as Low when either direction is bad', () => {
    expect(judgeMetric(baseline, canaryAt(60), { direction: 'either' }).classification).toBe('Low');
  });

  it('passes a significant shift that stays inside the tolerance band', () => {
    const result = judgeMetric(baseline, canaryAt(110));
    expect(result.pValue).toBeLessThan(0.01);
    expect(result.classification).toBe('Pass');
    expect(judgeMetric(baseline, canaryAt(110), { tolerance: 0 }).classification).toBe('High');
  });

  it('passes samples drawn from the same distribution', () => {
    expect(judgeMetric(baseline, canaryAt(100), { direction: 'either' }).classification).toBe('Pass');
  });

  it('passes identical samples', () => {
    const result = judgeMetric(baseline, [...baseline], { direction: 'either', tolerance: 0 });
    expect(result.classification).toBe('Pass');
    expect(result.pValue).toBe(1);
    expect(result.estimate).toBe(0);
  });

  it('requires the mean ratio to exceed allowedIncrease before declaring High', () => {
    const canary = canaryAt(140); // mean ratio about 1.4
    expect(judgeMetric(baseline, canary, { allowedIncrease: 1.3 }).classification).toBe('High');
    const gated = judgeMetric(baseline, canary, { allowedIncrease: 1.5 });
    expect(gated.classification).toBe('Pass');
    expect(gated.reason).toMatch(/below the effect-size gate: mean ratio 1\.\d+ <= 1\.5/);
  });

  it('requires the mean ratio to be below allowedDecrease before declaring Low', () => {
    const canary = canaryAt(60);
    expect(
      judgeMetric(baseline, canary, { direction: 'decrease', allowedDecrease: 0.7 }).classification,
    ).toBe('Low');
    expect(
      judgeMetric(baseline, canary, { direction: 'decrease', allowedDecrease: 0.5 }).classification,
    ).toBe('Pass');
  });

  it('gates on CLES when the effect size measure is cles', () => {
    const canary = canaryAt(140);
    const result = judgeMetric(baseline, canary, { effectSize: 'cles', allowedIncrease: 0.9 });
    expect(result.effectSize!.cles).toBeGreaterThan(0.9);
    expect(result.classification).toBe('High');
    // CLES cannot exceed 1, so a gate at 1 never opens.
    expect(judgeMetric(baseline, canary, { effectSize: 'cles', allowedIncrease: 1 }).classification).toBe(
      'Pass',
    );
  });

  it('reports the mean ratio as null when the baseline mean is not positive', () => {
    const result = judgeMetric(
      baseline.map((v) => v - 110),
      canaryAt(140).map((v) => v - 110),
      { allowedIncrease: 5 },
    );
    expect(result.effectSize!.meanRatio).toBeNull();
    // Without a ratio the gate cannot hold the verdict back.
    expect(result.classification).toBe('High');
  });

  it('uses the exact method for small untied samples and reports the achieved coverage', () => {
    const result = judgeMetric(baseline.slice(0, 25), canaryAt(140, 25), { minSamples: 10 });
    expect(result.method).toBe('exact');
    expect(result.confidence).toBeGreaterThanOrEqual(0.98);
  });

  it('warns when the exact method was requested but ties forced the normal approximation', () => {
    const tied = baseline.map(Math.round);
    const result = judgeMetric(tied, canaryAt(100).map(Math.round), { method: 'exact' });
    expect(result.method).toBe('asymptotic');
    expect(result.warnings).toEqual(['exact method unavailable with ties']);
  });

  it('accepts a parsed JudgeProvider from an AnalysisTemplate as its options', () => {
    const provider = JudgeProvider.parse({
      prometheus: { address: 'http://127.0.0.1:9090' },
      baselineQuery: 'a',
      canaryQuery: 'b',
      minSamples: 70,
    });
    expect(judgeMetric(baseline, canaryAt(140), provider).classification).toBe('NoData');
  });
});
