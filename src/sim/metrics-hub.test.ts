import { describe, expect, it } from 'vitest';
import { mergeExpositions } from './metrics-hub.ts';

describe('mergeExpositions', () => {
  it('lists each metric family once, with the samples of every source', () => {
    const a =
      '# HELP m requests\n# TYPE m counter\nm{w="a"} 1\n# HELP h latency\n# TYPE h histogram\nh_bucket{le="1"} 2\nh_sum 3\nh_count 2\n';
    const b = '# HELP m requests\n# TYPE m counter\nm{w="b"} 5\n';
    expect(mergeExpositions([a, b])).toBe(
      '# HELP m requests\n# TYPE m counter\nm{w="a"} 1\nm{w="b"} 5\n# HELP h latency\n# TYPE h histogram\nh_bucket{le="1"} 2\nh_sum 3\nh_count 2\n',
    );
  });
});
