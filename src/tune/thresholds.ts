import type { Metric } from '../api/index.ts';
import { formatNumber } from '../analysis/index.ts';

/**
 * Suggested thresholds: for a condition of the simple form `result >= X` (or `>`, `<=`, `<`),
 * the strictest X whose false-alarm rate over history stays at or below the target. The rate of a
 * candidate is measured by replaying the runs with the condition rewritten (the caller's
 * `rateOf`), so limits such as failureLimit and consecutiveFailureLimit are honoured.
 */

export type ConditionField = 'successCondition' | 'failureCondition';
export type Operator = '>=' | '>' | '<=' | '<';

/** A condition of the form `result OP number`. */
export interface Comparison {
  readonly field: ConditionField;
  readonly operator: Operator;
  readonly threshold: number;
}

const SIMPLE = /^\s*result\s*(>=|<=|>|<)\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*$/;

/** The metric's conditions that have the simple form, in field order. */
export function comparisonsOf(metric: Pick<Metric, ConditionField>): Comparison[] {
  const found: Comparison[] = [];
  for (const field of ['successCondition', 'failureCondition'] as const) {
    const match = SIMPLE.exec(metric[field] ?? '');
    if (match?.[1] !== undefined && match[2] !== undefined) {
      found.push({ field, operator: match[1] as Operator, threshold: Number(match[2]) });
    }
  }
  return found;
}

/** The condition text for a threshold. */
export function conditionText(operator: Operator, threshold: number): string {
  return `result ${operator} ${formatNumber(threshold)}`;
}

/** The metric with one condition's threshold replaced. */
export function withThreshold(metric: Metric, comparison: Comparison, threshold: number): Metric {
  return { ...metric, [comparison.field]: conditionText(comparison.operator, threshold) };
}

/**
 * Whether a larger threshold fails more measurements. `result >= X` as a successCondition fails
 * values below X: raising X is stricter. As a failureCondition, `result >= X` fails values at or
 * above X: lowering X is stricter.
 */
export function largerIsStricter(comparison: Pick<Comparison, 'field' | 'operator'>): boolean {
  const upward = comparison.operator === '>=' || comparison.operator === '>';
  return comparison.field === 'successCondition' ? upward : !upward;
}

export interface Suggestion {
  readonly condition: string;
  readonly threshold: number;
  /** The false-alarm rate the threshold gives over history (runs that end Failed). */
  readonly rate: number;
}

/**
 * The strictest candidate whose rate is at most `target`, by bisection over the candidates
 * (the distinct measured values): the rate only grows as the threshold gets stricter. Undefined
 * when even the most lenient candidate fails more than the target (the failures then come from
 * something a threshold cannot fix, such as noData: Failed).
 */
export async function suggestThreshold(input: {
  readonly comparison: Comparison;
  readonly candidates: readonly number[];
  readonly target: number;
  readonly rateOf: (threshold: number) => Promise<number>;
}): Promise<Suggestion | undefined> {
  const distinct = [...new Set(input.candidates.filter((v) => Number.isFinite(v)))].sort((a, b) => a - b);
  // From the most lenient to the strictest.
  const ordered = largerIsStricter(input.comparison) ? distinct : distinct.reverse();
  const rates = new Map<number, number>();
  const rate = async (index: number): Promise<number> => {
    const known = rates.get(index);
    if (known !== undefined) return known;
    const value = await input.rateOf(ordered[index] as number);
    rates.set(index, value);
    return value;
  };
  if (ordered.length === 0 || (await rate(0)) > input.target) return undefined;
  let good = 0;
  let bad = ordered.length;
  while (bad - good > 1) {
    const mid = Math.floor((good + bad) / 2);
    if ((await rate(mid)) <= input.target) good = mid;
    else bad = mid;
  }
  const threshold = ordered[good] as number;
  return {
    condition: conditionText(input.comparison.operator, threshold),
    threshold,
    rate: await rate(good),
  };
}
