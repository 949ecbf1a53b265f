import { describe, expect, it } from 'vitest';
import { vectorSelectorsOf } from './selectors.ts';

describe('vectorSelectorsOf', () => {
  it('finds every selector once, without its range or offset', () => {
    const q =
      'sum(last_over_time(req_total{ns="a", code=~"5.."}[1m]) - req_total{ns="a", code=~"5.."} offset 1m) / sum(rate(req_total{ns="a"}[1m]))';
    expect(vectorSelectorsOf(q)).toEqual(['req_total{ns="a", code=~"5.."}', 'req_total{ns="a"}']);
  });

  it('reads selectors inside histogram_quantile', () => {
    expect(vectorSelectorsOf('histogram_quantile(0.99, sum by (le) (rate(lat_bucket{w="x"}[5m])))')).toEqual([
      'lat_bucket{w="x"}',
    ]);
  });
});
