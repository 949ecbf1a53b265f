import { describe, expect, it } from 'vitest';
import { LATENCY_SIGMA, parseBehaviour, sampleLatency } from './behaviour.ts';

describe('parseBehaviour', () => {
  it('reads DEMO_ERROR_RATE and DEMO_LATENCY_MS', () => {
    const env = [
      { name: 'DEMO_ERROR_RATE', value: '0.2' },
      { name: 'DEMO_LATENCY_MS', value: '250' },
    ];
    expect(parseBehaviour(env)).toEqual({ behaviour: { errorRate: 0.2, latencyMs: 250 }, problems: [] });
  });

  it('falls back to the default and reports a value out of range', () => {
    const parsed = parseBehaviour([{ name: 'DEMO_ERROR_RATE', value: '20%' }]);
    expect(parsed.behaviour.errorRate).toBe(0);
    expect(parsed.problems).toEqual(['DEMO_ERROR_RATE="20%" is not a number in [0, 1]; using 0']);
    expect(parseBehaviour([{ name: 'DEMO_ERROR_RATE', value: '1.5' }]).problems).toHaveLength(1);
  });

  it('defaults to no errors and no latency', () => {
    expect(parseBehaviour(undefined).behaviour).toEqual({ errorRate: 0, latencyMs: 0 });
  });
});

describe('sampleLatency', () => {
  it('has the configured mean (within 5 standard errors)', () => {
    // A seeded LCG: deterministic, and enough for a mean check.
    let state = 42;
    const random = () => {
      state = (state * 1664525 + 1013904223) % 2 ** 32;
      return state / 2 ** 32;
    };
    const n = 20_000;
    const mean = 100;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += sampleLatency(mean, random);
    // Log-normal standard deviation: mean * sqrt(exp(sigma^2) - 1).
    const sd = mean * Math.sqrt(Math.exp(LATENCY_SIGMA ** 2) - 1);
    expect(Math.abs(sum / n - mean)).toBeLessThanOrEqual((5 * sd) / Math.sqrt(n));
  });

  it('is 0 when the mean is 0', () => {
    expect(sampleLatency(0, Math.random)).toBe(0);
  });
});
