import { JudgeError } from './errors.ts';

/*
 * Order statistics of the m·n pairwise differences x_i - y_j without materialising them.
 *
 * For sorted x and y, the number of differences <= t is counted in O(m + n) with two pointers,
 * because floating-point subtraction is monotone in each argument. The k-th smallest difference
 * is the smallest double t with count(t) >= k, found by bisection over the doubles themselves
 * (ordered through their bit patterns) until few differences remain between the bounds, which
 * are then listed and sorted. It returns exactly one of the computed differences — the same value
 * brute force would sort into place k.
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
  const m = xs.length;
  const n = ys.length;
  let count = 0;
  let j = 0; // first index with xs[i] - ys[j] <= t; moves right as xs[i] grows
  for (let i = 0; i < m; i++) {
    const x = xs[i] ?? NaN;
    while (j < n && x - (ys[j] ?? NaN) > t) j++;
    count += n - j;
  }
  return count;
}

/** The differences d with low < d <= high, unsorted (two pointers, O(m + n + output)). */
function differencesBetween(xs: Float64Array, ys: Float64Array, low: number, high: number): Float64Array {
  const out: number[] = [];
  const n = ys.length;
  let first = 0; // first j with x - ys[j] <= high
  let end = 0; // first j with x - ys[j] <= low
  for (const x of xs) {
    while (first < n && x - (ys[first] ?? NaN) > high) first++;
    while (end < n && x - (ys[end] ?? NaN) > low) end++;
    for (let j = first; j < end; j++) out.push(x - (ys[j] ?? NaN));
  }
  return Float64Array.from(out);
}

/**
 * Once this few differences remain between the bounds they are listed and sorted; bisecting
 * further would cost a full O(m + n) count per halving.
 */
const ENUMERATE_BELOW = 4096;

/**
 * The k-th smallest (1-based) of the differences xs[i] - ys[j], for ascending, finite xs and ys.
 * At most 64 counts of O(m + n) each, usually far fewer.
 */
export function kthDifference(xs: Float64Array, ys: Float64Array, k: number): number {
  const total = xs.length * ys.length;
  if (!Number.isInteger(k) || k < 1 || k > total) {
    throw new JudgeError('E_JUDGE_RANGE', `k = ${k} is outside 1..${total}`);
  }
  const smallest = (xs[0] ?? NaN) - (ys[ys.length - 1] ?? NaN);
  // Invariant: count(lo) < k <= count(hi), where lo is the key just below the smallest difference.
  let lo = orderKey(smallest) - 1n;
  let hi = orderKey((xs[xs.length - 1] ?? NaN) - (ys[0] ?? NaN));
  let countLo = 0;
  let countHi = total;
  while (hi - lo > 1n && countHi - countLo > ENUMERATE_BELOW) {
    const mid = (lo + hi) >> 1n;
    const count = countDifferencesAtMost(xs, ys, fromOrderKey(mid));
    if (count >= k) {
      hi = mid;
      countHi = count;
    } else {
      lo = mid;
      countLo = count;
    }
  }
  if (hi - lo === 1n) return fromOrderKey(hi) + 0; // +0, not -0: the key 0 stands for both
  const between = differencesBetween(xs, ys, fromOrderKey(lo), fromOrderKey(hi)).sort();
  return (between[k - countLo - 1] ?? NaN) + 0;
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
