import { JudgeError } from './errors.ts';

/** Rank statistics of two samples, from one merge of the sorted samples. */
export interface RankSummary {
  /** U of the first sample: pairs (x, y) with x > y, plus half the pairs with x = y. */
  readonly u: number;
  /** Σ (t³ - t) over groups of tied values in the pooled sample (0 when there are no ties). */
  readonly tieTerm: number;
  /** True when any value occurs more than once in the pooled sample. */
  readonly hasTies: boolean;
}

/** Sorts a copy of `values` ascending (numeric, not lexicographic). */
export function sortedCopy(values: readonly number[] | Float64Array): Float64Array {
  return Float64Array.from(values).sort();
}

/** The length of the run of values equal to sorted[start]. */
function runLength(sorted: Float64Array, start: number, value: number): number {
  let end = start;
  while (end < sorted.length && sorted[end] === value) end++;
  return end - start;
}

/**
 * U and the tie term of the Mann-Whitney test for ascending-sorted samples `xs` and `ys`.
 *
 * Average ranks for ties make x's contribution in a tie group of cx x's and cy y's, with b y's
 * below it, exactly cx·(b + cy/2); computing U from those counts instead of summing ranks keeps it
 * an exact half-integer. Linear after the O(n log n) sort.
 */
export function rankSummary(xs: Float64Array, ys: Float64Array): RankSummary {
  let i = 0;
  let j = 0;
  let u = 0;
  let tieTerm = 0;
  let hasTies = false;
  while (i < xs.length || j < ys.length) {
    const xv = xs[i];
    const yv = ys[j];
    // Exhausted sides are undefined, so this also works for infinite values.
    const value = xv === undefined ? (yv ?? NaN) : yv === undefined ? xv : Math.min(xv, yv);
    const cx = xv === value ? runLength(xs, i, value) : 0;
    const cy = yv === value ? runLength(ys, j, value) : 0;
    if (cx + cy === 0) throw new JudgeError('E_JUDGE_NAN', 'samples must not contain NaN');
    u += cx * (j + cy / 2);
    const t = cx + cy;
    if (t > 1) {
      hasTies = true;
      tieTerm += t * t * t - t;
    }
    i += cx;
    j += cy;
  }
  return { u, tieTerm, hasTies };
}

/** Σ (t³ - t) over the groups of equal values inside one sorted sample. */
export function withinTieTerm(sorted: Float64Array): number {
  let term = 0;
  let start = 0;
  while (start < sorted.length) {
    const t = runLength(sorted, start, sorted[start] ?? NaN);
    term += t * t * t - t;
    start += Math.max(t, 1);
  }
  return term;
}
