import { describe, expect, it } from 'vitest';
import { median, percentile, summarize } from './stats.ts';

describe('benchmark statistics', () => {
  it('takes the nearest-rank percentile, never an interpolated value', () => {
    const samples = [5, 1, 4, 2, 3];
    expect(percentile(samples, 50)).toBe(3);
    expect(percentile(samples, 41)).toBe(3);
    expect(percentile(samples, 40)).toBe(2);
  });

  it('makes p99 the maximum when there are fewer than 100 samples', () => {
    const samples = Array.from({ length: 20 }, (_, i) => 100 + i);
    expect(percentile(samples, 99)).toBe(119);
  });

  it('makes p99 the 99th of 100 sorted samples', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(samples, 99)).toBe(99);
  });

  it('averages the two middle samples for the median of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([3, 1, 2])).toBe(2);
  });

  it('reports NaN for no samples rather than a made-up number', () => {
    expect(summarize([]).median).toBeNaN();
    expect(summarize([]).p99).toBeNaN();
  });

  it('summarises min, median, p99 and max', () => {
    expect(summarize([30, 10, 20])).toEqual({ n: 3, min: 10, median: 20, p99: 30, max: 30 });
  });
});
