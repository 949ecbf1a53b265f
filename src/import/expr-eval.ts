import type { ExprNode } from './expr-parse.ts';

/**
 * Evaluates a parsed Argo condition the way Argo Rollouts does (expr-lang): left to right, `&&` and
 * `||` short-circuit, an index out of range or `% 0` is an error, `/` is always a float division.
 * It is the reference the CEL translation is checked against (by a property test), and it tells
 * the importer what Argo would have decided on a result without data (`[]`, `[NaN]`).
 */

export type ArgoValue =
  | { readonly t: 'int'; readonly v: number }
  | { readonly t: 'float'; readonly v: number }
  | { readonly t: 'bool'; readonly v: boolean }
  | { readonly t: 'list'; readonly v: readonly number[] };

export type ArgoEval =
  { readonly ok: true; readonly value: ArgoValue } | { readonly ok: false; readonly error: string };

class EvalError extends Error {
  readonly code = 'ArgoEvalError';
}

interface Scope {
  readonly result: ArgoValue;
  readonly elem?: number;
}

function num(value: ArgoValue): number {
  if (value.t === 'int' || value.t === 'float') return value.v;
  throw new EvalError(`expected a number, got ${value.t}`);
}

function bool(value: ArgoValue): boolean {
  if (value.t === 'bool') return value.v;
  throw new EvalError(`expected a bool, got ${value.t}`);
}

function list(value: ArgoValue): readonly number[] {
  if (value.t === 'list') return value.v;
  throw new EvalError(`expected a list, got ${value.t}`);
}

function isNumber(value: ArgoValue): boolean {
  return value.t === 'int' || value.t === 'float';
}

function evaluate(node: ExprNode, scope: Scope): ArgoValue {
  switch (node.k) {
    case 'num':
      return node.int ? { t: 'int', v: node.value } : { t: 'float', v: node.value };
    case 'bool':
      return { t: 'bool', v: node.value };
    case 'result':
      return scope.result;
    case 'elem':
      if (scope.elem === undefined) throw new EvalError('# outside a predicate');
      return { t: 'float', v: scope.elem };
    case 'index':
      return index(node.target, node.index, scope);
    case 'call':
      return call(node.name, node.args, scope);
    case 'closure':
      throw new EvalError('a predicate outside a call');
    case 'unary':
      if (node.op === '!') return { t: 'bool', v: !bool(evaluate(node.arg, scope)) };
      return negate(evaluate(node.arg, scope));
    case 'binary':
      return binary(node.op, node.left, node.right, scope);
    case 'cond':
      return bool(evaluate(node.test, scope)) ? evaluate(node.then, scope) : evaluate(node.else, scope);
  }
}

function negate(value: ArgoValue): ArgoValue {
  // Go's integers have no negative zero (0.5 / -(0) is +Inf there); JS numbers do.
  if (value.t === 'int') return { t: 'int', v: -value.v + 0 };
  if (value.t === 'float') return { t: 'float', v: -value.v };
  throw new EvalError(`cannot negate a ${value.t}`);
}

function index(target: ExprNode, at: ExprNode, scope: Scope): ArgoValue {
  const items = list(evaluate(target, scope));
  const position = evaluate(at, scope);
  if (position.t !== 'int') throw new EvalError('an index must be an integer');
  const i = position.v < 0 ? items.length + position.v : position.v;
  const item = items[i];
  if (item === undefined) throw new EvalError(`index out of range: ${position.v} (length ${items.length})`);
  return { t: 'float', v: item };
}

function predicate(args: readonly ExprNode[], scope: Scope): [readonly number[], (item: number) => boolean] {
  const [source, closure] = args;
  if (args.length !== 2 || source === undefined || closure?.k !== 'closure') {
    throw new EvalError('expected (list, predicate)');
  }
  const items = list(evaluate(source, scope));
  return [items, (item) => bool(evaluate(closure.body, { result: scope.result, elem: item }))];
}

function call(name: string, args: readonly ExprNode[], scope: Scope): ArgoValue {
  const one = (): ArgoValue => {
    const [arg] = args;
    if (args.length !== 1 || arg === undefined) throw new EvalError(`${name}() takes one argument`);
    return evaluate(arg, scope);
  };
  switch (name) {
    case 'len':
      return { t: 'int', v: list(one()).length };
    case 'isNaN':
      return { t: 'bool', v: Number.isNaN(num(one())) };
    case 'isInf':
      return { t: 'bool', v: Math.abs(num(one())) === Infinity };
    case 'asFloat':
      return { t: 'float', v: num(one()) };
    case 'all': {
      const [items, test] = predicate(args, scope);
      return { t: 'bool', v: items.every(test) };
    }
    case 'any': {
      const [items, test] = predicate(args, scope);
      return { t: 'bool', v: items.some(test) };
    }
    case 'none': {
      const [items, test] = predicate(args, scope);
      return { t: 'bool', v: !items.some(test) };
    }
    case 'one': {
      const [items, test] = predicate(args, scope);
      return { t: 'bool', v: items.filter(test).length === 1 };
    }
    case 'filter': {
      const [items, test] = predicate(args, scope);
      return { t: 'list', v: items.filter(test) };
    }
    case 'count': {
      const [items, test] = predicate(args, scope);
      return { t: 'int', v: items.filter(test).length };
    }
    default:
      throw new EvalError(`unknown function ${name}()`);
  }
}

function binary(op: string, leftNode: ExprNode, rightNode: ExprNode, scope: Scope): ArgoValue {
  const left = evaluate(leftNode, scope);
  if (op === '&&')
    return bool(left) ? { t: 'bool', v: bool(evaluate(rightNode, scope)) } : { t: 'bool', v: false };
  if (op === '||')
    return bool(left) ? { t: 'bool', v: true } : { t: 'bool', v: bool(evaluate(rightNode, scope)) };
  const right = evaluate(rightNode, scope);
  if (op === '==' || op === '!=') {
    const equal =
      isNumber(left) && isNumber(right)
        ? num(left) === num(right)
        : left.t === 'bool' && right.t === 'bool' && left.v === right.v;
    return { t: 'bool', v: op === '==' ? equal : !equal };
  }
  const a = num(left);
  const b = num(right);
  const ints = left.t === 'int' && right.t === 'int';
  switch (op) {
    case '<':
      return { t: 'bool', v: a < b };
    case '<=':
      return { t: 'bool', v: a <= b };
    case '>':
      return { t: 'bool', v: a > b };
    case '>=':
      return { t: 'bool', v: a >= b };
    case '+':
      return { t: ints ? 'int' : 'float', v: a + b };
    case '-':
      return { t: ints ? 'int' : 'float', v: a - b };
    case '*':
      return ints ? { t: 'int', v: a * b + 0 } : { t: 'float', v: a * b };
    case '/':
      return { t: 'float', v: a / b };
    case '%':
      if (!ints) throw new EvalError('% needs integers');
      if (b === 0) throw new EvalError('integer divide by zero');
      return { t: 'int', v: a % b };
    default:
      throw new EvalError(`unknown operator ${op}`);
  }
}

/** Evaluates `node` with `result` bound to a number (a scalar query) or a list (a vector query). */
export function evaluateArgo(node: ExprNode, result: number | readonly number[]): ArgoEval {
  const bound: ArgoValue = typeof result === 'number' ? { t: 'float', v: result } : { t: 'list', v: result };
  try {
    return { ok: true, value: evaluate(node, { result: bound }) };
  } catch (err) {
    if (err instanceof EvalError) return { ok: false, error: err.message };
    throw err;
  }
}

/** A measurement's phase as Argo's EvaluateResult decides it from the two conditions. */
export type ArgoPhase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

/** Argo's verdict for one measurement (conditions absent: always Successful). */
export function argoPhase(
  conditions: { readonly success?: ExprNode | undefined; readonly failure?: ExprNode | undefined },
  result: number | readonly number[],
): ArgoPhase {
  const run = (node: ExprNode | undefined): boolean | 'error' | undefined => {
    if (node === undefined) return undefined;
    const value = evaluateArgo(node, result);
    return value.ok && value.value.t === 'bool' ? value.value.v : 'error';
  };
  const success = run(conditions.success);
  const failure = run(conditions.failure);
  if (success === 'error' || failure === 'error') return 'Error';
  if (success === undefined && failure === undefined) return 'Successful';
  const failed = failure ?? !(success ?? false);
  const succeeded = success ?? !(failure ?? false);
  if (failed) return 'Failed';
  return succeeded ? 'Successful' : 'Inconclusive';
}
