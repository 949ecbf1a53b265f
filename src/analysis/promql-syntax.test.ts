import { describe, expect, it } from 'vitest';
import { checkPromqlSyntax } from './promql-syntax.ts';

describe('checkPromqlSyntax', () => {
  it('accepts the queries the shipped templates use', () => {
    expect(
      checkPromqlSyntax(
        'histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{destination_workload="x"}[1m])))',
      ),
    ).toBeUndefined();
    expect(checkPromqlSyntax('sum(rate(a[1m])) / sum(rate(b[1m])) or on() vector(1)')).toBeUndefined();
  });

  it('reports the position of an unclosed parenthesis at the end of the query', () => {
    const error = checkPromqlSyntax('sum(rate(x[5m])');
    expect(error).toMatchObject({ line: 1, column: 16, message: 'unexpected end of query' });
  });

  it('reports line and column inside a multi-line query', () => {
    const error = checkPromqlSyntax('sum(\n  rate(foo[5x])\n)');
    expect(error).toMatchObject({ line: 2, column: 13, message: 'unexpected input near "x])"' });
  });

  it('rejects an empty query', () => {
    expect(checkPromqlSyntax('  ')?.message).toBe('empty query');
  });
});
