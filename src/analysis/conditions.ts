import { Environment } from '@marcbachmann/cel-js';

/**
 * CEL success/failure conditions over a measurement's `result`.
 *
 * `result` is a `double` for a scalar or a one-series vector, and a `list<double>` for a vector
 * with several series. Expressions are type-checked against that declaration, and parsing is
 * bounded so a template cannot make the controller parse or evaluate something huge.
 */

/** Whether `result` is one number or a list of numbers. */
export type ResultShape = 'scalar' | 'list';

export type ConditionCheck = { ok: true } | { ok: false; error: string };
export type ConditionValue = { ok: true; value: boolean } | { ok: false; error: string };

/** Longest condition accepted, in characters. */
export const MAX_CONDITION_LENGTH = 2048;

const LIMITS = {
  maxAstNodes: 256,
  maxDepth: 32,
  maxListElements: 64,
  maxMapEntries: 64,
  maxCallArguments: 8,
};

function baseEnvironment(): Environment {
  // cel-js has no mixed int/double equality or arithmetic; without these, `result == 0` or
  // `result * 100 > 5` would be errors for a double `result`, a trap for template authors.
  return new Environment({ limits: LIMITS })
    .registerOperator('double == int', (a: number, b: bigint) => a === Number(b))
    .registerOperator('double + int', (a: number, b: bigint) => a + Number(b))
    .registerOperator('double - int', (a: number, b: bigint) => a - Number(b))
    .registerOperator('double * int', (a: number, b: bigint) => a * Number(b))
    .registerOperator('double / int', (a: number, b: bigint) => a / Number(b))
    .registerOperator('int + double', (a: bigint, b: number) => Number(a) + b)
    .registerOperator('int - double', (a: bigint, b: number) => Number(a) - b)
    .registerOperator('int * double', (a: bigint, b: number) => Number(a) * b)
    .registerOperator('int / double', (a: bigint, b: number) => Number(a) / b)
    .registerFunction('isNaN(double): bool', (x: number) => Number.isNaN(x))
    .registerFunction('isInf(double): bool', (x: number) => x === Infinity || x === -Infinity);
}

const base = baseEnvironment();
const ENVIRONMENTS: Record<ResultShape, Environment> = {
  scalar: base.clone().registerVariable('result', 'double'),
  list: base.clone().registerVariable('result', 'list<double>'),
};

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0] ?? message;
}

function tooLong(expression: string): string | undefined {
  return expression.length > MAX_CONDITION_LENGTH
    ? `condition is ${expression.length} characters long; the limit is ${MAX_CONDITION_LENGTH}`
    : undefined;
}

/**
 * Parses and type-checks `expression` with `result` declared as `double` (scalar) or
 * `list<double>` (list). The expression must produce a `bool`. Never throws.
 */
export function checkCondition(
  expression: string,
  shape: ResultShape,
): { ok: true } | { ok: false; error: string } {
  const length = tooLong(expression);
  if (length !== undefined) return { ok: false, error: length };
  try {
    const checked = ENVIRONMENTS[shape].check(expression);
    if (!checked.valid) return { ok: false, error: firstLine(checked.error) };
    if (checked.type !== 'bool' && checked.type !== 'dyn') {
      return { ok: false, error: `condition must be a bool, but it is a ${checked.type ?? 'unknown type'}` };
    }
    return { ok: true };
  } catch (err) {
    return { ok: false, error: firstLine(err) };
  }
}

/**
 * Evaluates `expression` with `result` bound to a number (scalar) or an array (list). Any parse,
 * type or evaluation error, and any non-bool value, is `{ ok: false }` — never a truth value.
 */
export function evaluateCondition(
  expression: string,
  result: number | number[],
): { ok: true; value: boolean } | { ok: false; error: string } {
  const shape: ResultShape = Array.isArray(result) ? 'list' : 'scalar';
  const checked = checkCondition(expression, shape);
  if (!checked.ok) return checked;
  try {
    const value: unknown = ENVIRONMENTS[shape].evaluate(expression, { result });
    if (typeof value !== 'boolean') {
      return { ok: false, error: `condition must evaluate to a bool, got ${typeof value}` };
    }
    return { ok: true, value };
  } catch (err) {
    return { ok: false, error: firstLine(err) };
  }
}
