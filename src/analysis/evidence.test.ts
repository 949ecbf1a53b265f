import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { metric } from '../../test/analysis/helpers.ts';
import { evidenceSpanMs, queryLookbackMs, withoutStrings } from './evidence.ts';

describe('queryLookbackMs', () => {
  it.each([
    ['up', 0],
    ['rate(x[5m])', 300_000],
    ['sum(rate(x[1m])) / sum(rate(y[90s]))', 90_000],
    ['rate(x[1m] offset 5m)', 360_000],
    ['max_over_time(rate(x[1m])[10m:30s])', 660_000],
    ['rate(x[1h30m])', 5_400_000],
    ['x offset -5m', 0],
  ])('reads %s as %i ms back', (query, ms) => {
    expect(queryLookbackMs(query)).toBe(ms);
  });

  it('applies an offset to the selector it follows, not to the whole expression before it', () => {
    // lezer-promql wraps `a - b offset 10s` in one OffsetExpr; Prometheus shifts only b.
    expect(queryLookbackMs('last_over_time(a[10s]) - a offset 10s')).toBe(10_000);
    expect(queryLookbackMs('a offset 10s - last_over_time(b[1m])')).toBe(60_000);
    expect(queryLookbackMs('a - rate(b[1m]) offset 1m')).toBe(120_000);
  });
});

describe('evidenceSpanMs', () => {
  it('is the longest lookback of the queries plus two scrape intervals', () => {
    const m = metric({
      provider: { prometheus: { address: 'http://p:9090', query: 'q', scrapeInterval: '15s' } },
    });
    expect(evidenceSpanMs({ metric: m, queries: ['rate(x[1m])', 'increase(y[2m])'] })).toBe(150_000);
  });

  it("takes Prometheus' default scrape interval, 1m, when the template does not say", () => {
    expect(evidenceSpanMs({ metric: metric(), queries: ['rate(x[1m])'] })).toBe(180_000);
  });

  it('does not cover judge metrics, which need minSamples points instead', () => {
    const judge = metric({
      successCondition: undefined,
      provider: {
        judge: { prometheus: { address: 'http://p:9090' }, baselineQuery: 'a', canaryQuery: 'b' },
      },
    });
    expect(evidenceSpanMs({ metric: judge, queries: [] })).toBeUndefined();
  });
});

describe('queryLookbackMs on a query too deep for the grammar', () => {
  it('falls back to the longest range plus the longest offset written in it', () => {
    const chain = Array.from({ length: 20_000 }, (_, i) => `rate(x{i="${i}"}[${i === 7 ? '5m' : '1m'}])`);
    const query = `${chain.join(' + ')} + y offset 2m`;
    expect(queryLookbackMs(query)).toBeGreaterThanOrEqual(300_000);
    expect(queryLookbackMs(query)).toBeLessThanOrEqual(420_000);
  });
});

describe('queryLookbackMs of queries that differ only in their strings', () => {
  it('empties string literals, escapes included, and leaves the rest of the query as written', () => {
    expect(withoutStrings(`rate(x{a="v\\"[5m]", b='w'}[1m]) offset 2m or y{c=~\`z\`}`)).toBe(
      `rate(x{a="", b=''}[1m]) offset 2m or y{c=~\`\`}`,
    );
  });

  it('reads the same lookback whatever the label values hold (so one parse serves every canary)', () => {
    const value = fc.string({
      unit: fc.constantFrom('a', '[', ']', '5m', 'offset 1h', '}', '{', '\\\\', '\\"', "'", ' '),
    });
    fc.assert(
      fc.property(value, value, (a, b) => {
        const query = (x: string, y: string): string =>
          `sum(last_over_time(m{ns="${x}", w="${y}"}[30s]) - m{ns="${x}", w="${y}"} offset 30s)`;
        expect(queryLookbackMs(query(a, b))).toBe(30_000);
      }),
    );
  });
});
