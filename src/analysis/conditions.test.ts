import { describe, expect, it } from 'vitest';
import { MAX_CONDITION_LENGTH, checkCondition, evaluateCondition } from './conditions.ts';

describe('checkCondition', () => {
  it('accepts a comparison on a scalar result', () => {
    expect(checkCondition('result < 0.05', 'scalar')).toEqual({ ok: true });
  });

  it('accepts list macros on a list result', () => {
    expect(checkCondition('result.all(x, x < 0.05)', 'list')).toEqual({ ok: true });
  });

  it('rejects a syntax error', () => {
    expect(checkCondition('result <', 'scalar').ok).toBe(false);
  });

  it('rejects an unknown variable', () => {
    const out = checkCondition('rezult < 1', 'scalar');
    expect(out.ok).toBe(false);
  });

  it('rejects indexing a scalar result', () => {
    expect(checkCondition('result[0] < 1', 'scalar').ok).toBe(false);
  });

  it('rejects a condition that is not a bool', () => {
    const out = checkCondition('result * 2', 'scalar');
    expect(out).toEqual({ ok: false, error: 'condition must be a bool, but it is a double' });
  });

  it('rejects a condition over the parse limits', () => {
    const big = `result in [${Array.from({ length: 100 }, (_, i) => `${i}.0`).join(',')}]`;
    expect(checkCondition(big, 'scalar').ok).toBe(false);
    expect(checkCondition('true || '.repeat(MAX_CONDITION_LENGTH / 8 + 1) + 'true', 'scalar').ok).toBe(false);
  });
});

describe('evaluateCondition', () => {
  it('compares a double result with an int literal', () => {
    expect(evaluateCondition('result == 0', 0)).toEqual({ ok: true, value: true });
    expect(evaluateCondition('result * 100 > 5', 0.1)).toEqual({ ok: true, value: true });
  });

  it('treats +Inf as larger than any threshold', () => {
    expect(evaluateCondition('result < 0.05', Infinity)).toEqual({ ok: true, value: false });
    expect(evaluateCondition('isInf(result)', -Infinity)).toEqual({ ok: true, value: true });
  });

  it('evaluates a list result with all()', () => {
    expect(evaluateCondition('result.all(x, x < 0.05)', [0.01, 0.2])).toEqual({ ok: true, value: false });
  });

  it('returns an error, never a truth value, when evaluation fails', () => {
    const out = evaluateCondition('result[3] < 1', [0.1]);
    expect(out.ok).toBe(false);
  });

  it('returns an error when the result shape does not fit the expression', () => {
    expect(evaluateCondition('result < 1', [0.1, 0.2]).ok).toBe(false);
  });
});
