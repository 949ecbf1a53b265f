import { describe, expect, it } from 'vitest';
import { degrade, degradationName, interpolateCumulative, withoutResets, type RawSeries } from './degrade.ts';
import { toOpenMetrics } from './openmetrics.ts';

const series = (labels: Record<string, string>, values: number[]): RawSeries => ({
  labels,
  samples: values.map((v, i) => ({ t: i * 60_000, v })),
});
const requests = (code: string, values: number[]) =>
  series({ __name__: 'istio_requests_total', pod: 'a', response_code: code }, values);
const last = (s: RawSeries | undefined) => s?.samples.at(-1)?.v;
/** The increase between two sample times (minutes), a series not yet born counting 0. */
const increase = (s: RawSeries | undefined, from: number, to: number) => {
  const at = (minute: number) => s?.samples.find((x) => x.t === minute * 60_000)?.v ?? 0;
  return at(to) - at(from);
};

describe('error injection', () => {
  it('moves a share of all requests from the 200 series into a new 500 series, traffic unchanged', () => {
    const ok = requests('200', [0, 1000, 2000, 3000]);
    const { series: out, changed } = degrade([ok], { kind: 'errors', add: 0.02 });
    expect(changed).toBe(2);
    const errors = out.find((s) => s.labels.response_code === '500');
    const donor = out.find((s) => s.labels.response_code === '200');
    // 2% of 1000 requests a minute become errors; the first sample (0) holds none, so it is not born yet.
    expect(errors?.samples.map((s) => s.v)).toEqual([20, 40, 60]);
    expect(donor?.samples.map((s) => s.v)).toEqual([0, 980, 1960, 2940]);
    expect((last(errors) ?? 0) + (last(donor) ?? 0)).toBe(3000);
  });

  it('raises the error ratio of every window by the share, on top of the errors already there', () => {
    const ok = requests('200', [0, 990, 1980, 2970]);
    const bad = requests('503', [0, 10, 20, 30]);
    const { series: out } = degrade([ok, bad], { kind: 'errors', add: 0.01 });
    const all = out.reduce((sum, s) => sum + increase(s, 1, 3), 0);
    const errs = out
      .filter((s) => /^5/.test(s.labels.response_code ?? ''))
      .reduce((sum, s) => sum + increase(s, 1, 3), 0);
    expect(all).toBe(2000);
    expect(errs / all).toBeCloseTo(0.02, 12);
  });

  it('never takes more than the donor received in an interval (counters stay monotonic)', () => {
    const ok = requests('200', [0, 5, 5, 5]);
    const bad = requests('500', [0, 995, 1995, 2995]);
    const { series: out } = degrade([ok, bad], { kind: 'errors', add: 0.05 });
    const donor = out.find((s) => s.labels.response_code === '200');
    const values = donor?.samples.map((s) => s.v) ?? [];
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1] ?? 0);
    expect(values.at(-1)).toBe(0);
  });

  it('counts a reset counter from its new value', () => {
    expect(
      withoutResets([
        { t: 0, v: 10 },
        { t: 1, v: 15 },
        { t: 2, v: 3 },
      ]).map((s) => s.v),
    ).toEqual([10, 15, 18]);
  });
});

describe('latency scaling', () => {
  const bucket = (le: string, values: number[]) => series({ __name__: 'lat_bucket', pod: 'a', le }, values);

  it('interpolates a cumulative count linearly inside a bucket', () => {
    expect(interpolateCumulative([100, 200, Infinity], [50, 90, 100], 150)).toBe(70);
    expect(interpolateCumulative([100, 200, Infinity], [50, 90, 100], 50)).toBe(25);
  });

  it('doubles every latency: the count under 200 ms becomes the old count under 100 ms', () => {
    const input = [
      bucket('100', [0, 50]),
      bucket('200', [0, 90]),
      bucket('+Inf', [0, 100]),
      series({ __name__: 'lat_sum', pod: 'a' }, [0, 9000]),
      series({ __name__: 'lat_count', pod: 'a' }, [0, 100]),
    ];
    const { series: out, changed } = degrade(input, { kind: 'latency', factor: 2 });
    expect(changed).toBe(4);
    const at = (le: string) => last(out.find((s) => s.labels.le === le));
    expect(at('100')).toBe(25);
    expect(at('200')).toBe(50);
    expect(at('+Inf')).toBe(100);
    expect(last(out.find((s) => s.labels.__name__ === 'lat_sum'))).toBe(18000);
    expect(last(out.find((s) => s.labels.__name__ === 'lat_count'))).toBe(100);
  });

  it('leaves counters without buckets alone', () => {
    const ok = requests('200', [0, 1]);
    expect(degrade([ok], { kind: 'latency', factor: 2 }).changed).toBe(0);
  });
});

describe('names and text', () => {
  it('names the degradations as the report prints them', () => {
    expect(degradationName({ kind: 'errors', add: 0.005 })).toBe('error ratio +0.5%');
    expect(degradationName({ kind: 'latency', factor: 1.5 })).toBe('latency ×1.5');
  });

  it('writes one family per name with millisecond timestamps, ending in # EOF', () => {
    const text = toOpenMetrics([requests('200', [1, 2])]);
    expect(text).toBe(
      [
        '# TYPE istio_requests_total unknown',
        'istio_requests_total{pod="a",response_code="200"} 1 0.000',
        'istio_requests_total{pod="a",response_code="200"} 2 60.000',
        '# EOF',
        '',
      ].join('\n'),
    );
  });
});
