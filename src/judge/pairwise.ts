import { JudgeError } from './errors.ts';

/*
 * Order statistics of the m·n pairwise differences x_i - y_j without materialising them.
 *
 * For sorted x and y, the number of differences <= t is counted in O(m + n) with two pointers,
 * because floating-point subtraction is monotone in each argument. The k-th smallest difference
 * is the smallest double t with count(t) >= k, found by bisection over the doubles themselves
 * (ordered through their bit patterns), so it takes at most 64 counts and returns exactly one of
 * the computed differences — the same value brute force would sort into place k.
 */

const scratch = new Float64Array(1);
const scratchBits = new BigInt64Array(scratch.buffer);
const MAGNITUDE = 0x7fffffffffffffffn;
const SIGN = -0x8000000000000000n;

/** Maps a double to an integer key with the same order (-0 and +0 share the key 0). */
function orderKey(value: number): bigint {
  scratch[0] = value;
  const bits = scratchBits[0] ?? 0n;
  return bits >= 0n ? bits : -(bits & MAGNITUDE);
}

function fromOrderKey(key: bigint): number {
  scratchBits[0] = key >= 0n ? key : -key | SIGN;
  return scratch[0] ?? NaN;
}

/** Number of pairs with xs[i] - ys[j] <= t, for ascending xs and ys. */
export function countDifferencesAtMost(xs: Float64Array, ys: Float64Array, t: number): number {
  const n = ys.length;
  let count = 0;
  let j = 0; // first index with xs[i] - ys[j] <= t; moves right as xs[i] grows
  for (const x of xs) {
    while (j < n && x - (ys[j] ?? NaN) > t) j++;
    count += n - j;
  }
  return count;
}

/**
 * The k-th smallest (1-based) of the differences xs[i] - ys[j], for ascending, finite xs and ys.
 * O((m + n) · 64).
 */
export function kthDifference(xs: Float64Array, ys: Float64Array, k: number): number {
  const total = xs.length * ys.length;
  if (!Number.isInteger(k) || k < 1 || k > total) {
    throw new JudgeError('E_JUDGE_RANGE', `k = ${k} is outside 1..${total}`);
  }
  const low = (xs[0] ?? NaN) - (ys[ys.length - 1] ?? NaN);
  const high = (xs[xs.length - 1] ?? NaN) - (ys[0] ?? NaN);
  let lo = orderKey(low); // count(lo - 1) < k ... maintained loosely: answer >= lo
  let hi = orderKey(high); // count(hi) >= k
  while (lo < hi) {
    const mid = (lo + hi) >> 1n;
    if (countDifferencesAtMost(xs, ys, fromOrderKey(mid)) >= k) hi = mid;
    else lo = mid + 1n;
  }
  // +0 instead of -0: the key 0 stands for both.
  return fromOrderKey(hi) + 0;
}

/**
 * The Hodges-Lehmann estimate of the shift of x relative to y: the median of all pairwise
 * differences x_i - y_j (the mean of the two middle ones when m·n is even, as R's median does).
 */
export function hodgesLehmann(xs: Float64Array, ys: Float64Array): number {
  const total = xs.length * ys.length;
  const upperMiddle = Math.floor(total / 2) + 1;
  if (total % 2 === 1) return kthDifference(xs, ys, upperMiddle);
  return (kthDifference(xs, ys, upperMiddle - 1) + kthDifference(xs, ys, upperMiddle)) / 2;
}
