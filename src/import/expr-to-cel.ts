import { checkCondition } from '../analysis/conditions.ts';
import type { BinaryOp, ExprNode } from './expr-parse.ts';

/**
 * Translates a parsed Argo condition into serin's CEL with the same meaning.
 *
 * Argo hands a vector query's result to its condition as a list, always (one series is `[x]`);
 * serin hands over a `double` for one series and a `list<double>` for several. So:
 * - `single`: the query provably returns at most one series (see query-shape.ts). `result[0]` is
 *   then serin's `result`, and `len(result)` is 1 whenever a condition runs (no data never reaches
 *   one in serin), which keeps the common `result[0] >= 0.95` as `result >= 0.95`.
 * - otherwise every use of the list goes through `(type(result) == list ? dyn(result) : [result])`,
 *   which is the list Argo would have seen for either shape.
 * A scalar query (`scalar(...)`, a number) is a number in both.
 *
 * CEL's `&&`/`||` absorb an error on either side where expr-lang stops at the first error; when the
 * left side can fail (an index), `a || b` is written `a ? true : b`, which fails the same way.
 */

export interface CelMode {
  /** Whether Argo sees a number (a scalar query) or a list (a vector query). */
  readonly argoShape: 'scalar' | 'vector';
  /** The query returns at most one series, so serin's `result` is always a double. */
  readonly single: boolean;
}

export type CelTranslation =
  { readonly ok: true; readonly cel: string } | { readonly ok: false; readonly reason: string };

type CelType = 'int' | 'double' | 'bool' | 'list';

interface Emitted {
  readonly code: string;
  readonly type: CelType;
  /** Binding strength: 0 ternary, 1 ||, 2 &&, 3 comparison, 4 + -, 5 * / %, 6 unary, 7 atom. */
  readonly prec: number;
  /** Whether evaluating it can fail on some result (an index out of range, % 0). */
  readonly canFail: boolean;
}

class Untranslatable extends Error {
  readonly code = 'Untranslatable';
}

/** The condition needs the list form; thrown in `single` mode to retry without it. */
class NeedsList extends Error {
  readonly code = 'NeedsList';
}

const LIST = '(type(result) == list ? dyn(result) : [result])';

const REASONS: Readonly<Record<string, string>> = {
  default:
    "Argo's default() ignores its first argument and returns the default only when the whole result is nil, which a Prometheus result never is (so it returns the result list, and a comparison with it is an Error in Argo); what it is usually meant for, a value when there is no data, is serin's noData",
  isNil: 'a Prometheus result is never nil in Argo, and serin never runs a condition without data (noData)',
  asInt: 'asInt() truncates in Go and is undefined for NaN; serin has no equivalent with the same result',
  map: 'map() builds a new list; serin conditions support all, any, none, one, filter and count',
  sum: 'sum() has no CEL equivalent in serin',
  max: 'max() has no CEL equivalent in serin',
  min: 'min() has no CEL equivalent in serin',
  mean: 'mean() has no CEL equivalent in serin',
  median: 'median() has no CEL equivalent in serin',
  abs: 'abs() has no CEL equivalent in serin',
  ceil: 'ceil() has no CEL equivalent in serin',
  floor: 'floor() has no CEL equivalent in serin',
  round: 'round() has no CEL equivalent in serin',
};

const BINARY_PREC: Readonly<Record<BinaryOp, number>> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 3,
  '<=': 3,
  '>': 3,
  '>=': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
};

function atom(code: string, type: CelType, canFail = false): Emitted {
  return { code, type, prec: 7, canFail };
}

function wrap(e: Emitted, prec: number): string {
  return e.prec < prec ? `(${e.code})` : e.code;
}

function formatDouble(value: number): string {
  if (!Number.isFinite(value)) throw new Untranslatable(`number ${value} cannot be written in CEL`);
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

function toDouble(e: Emitted): Emitted {
  if (e.type === 'double') return e;
  if (e.type !== 'int') throw new Untranslatable(`expected a number, got a ${e.type}`);
  // An int literal as a double; -0 is 0 (an int has no negative zero, and 1 / -0.0 is -Inf).
  if (/^-?\d+$/.test(e.code)) return atom(`${String(Number(e.code) + 0)}.0`, 'double');
  return atom(`double(${e.code})`, 'double', e.canFail);
}

function isNumeric(type: CelType): boolean {
  return type === 'int' || type === 'double';
}

class Emitter {
  constructor(
    private readonly mode: CelMode,
    /** Inside a predicate: the CEL name of its element (`#`). */
    private readonly elem?: string,
  ) {}

  private get inClosure(): boolean {
    return this.elem !== undefined;
  }

  emit(node: ExprNode): Emitted {
    switch (node.k) {
      case 'num':
        return node.int ? atom(String(node.value), 'int') : atom(formatDouble(node.value), 'double');
      case 'bool':
        return atom(String(node.value), 'bool');
      case 'result':
        return this.resultValue();
      case 'elem':
        if (this.elem === undefined) throw new Untranslatable('"#" outside a predicate');
        return atom(this.elem, 'double');
      case 'index':
        return this.index(node.target, node.index);
      case 'call':
        return this.call(node.name, node.args);
      case 'closure':
        throw new Untranslatable('a predicate outside all/any/none/one/filter/count');
      case 'unary':
        return this.unary(node.op, this.emit(node.arg));
      case 'binary':
        return this.binary(node.op, node.left, node.right);
      case 'cond':
        return this.cond(node);
    }
  }

  private resultValue(): Emitted {
    if (this.mode.argoShape === 'scalar') return atom('result', 'double');
    if (this.mode.single) throw new NeedsList();
    return atom(LIST, 'list');
  }

  private index(target: ExprNode, at: ExprNode): Emitted {
    if (target.k !== 'result' || this.mode.argoShape === 'scalar') {
      throw new Untranslatable('only the result list can be indexed');
    }
    const position = literalInt(at);
    if (position === undefined) throw new Untranslatable('an index must be an integer literal');
    if (this.inClosure)
      throw new Untranslatable('an index inside a predicate is evaluated differently by CEL');
    if (this.mode.single) {
      if (position === 0 || position === -1) return atom('result', 'double');
      throw new NeedsList();
    }
    const code = position >= 0 ? `${LIST}[${position}]` : `${LIST}[size(${LIST}) - ${-position}]`;
    return atom(code, 'double', true);
  }

  private call(name: string, args: readonly ExprNode[]): Emitted {
    switch (name) {
      case 'len':
        return this.len(args);
      case 'isNaN':
      case 'isInf': {
        const arg = this.single(name, args);
        if (arg.type !== 'double') throw new Untranslatable(`${name}() takes a float, got ${arg.type}`);
        return atom(`${name}(${arg.code})`, 'bool', arg.canFail);
      }
      case 'asFloat':
        return toDouble(this.single(name, args));
      case 'all':
      case 'any':
      case 'none':
      case 'one':
        return this.quantifier(name, args);
      case 'filter':
        return atom(this.filter(args), 'list');
      case 'count':
        return atom(`size(${this.filter(args)})`, 'int');
      default:
        throw new Untranslatable(`${name}(): ${REASONS[name] ?? 'not in the supported subset'}`);
    }
  }

  private single(name: string, args: readonly ExprNode[]): Emitted {
    const [arg] = args;
    if (args.length !== 1 || arg === undefined) throw new Untranslatable(`${name}() takes one argument`);
    return this.emit(arg);
  }

  private len(args: readonly ExprNode[]): Emitted {
    const [arg] = args;
    if (args.length !== 1 || arg === undefined) throw new Untranslatable('len() takes one argument');
    if (arg.k === 'result' && this.mode.argoShape === 'vector' && this.mode.single) return atom('1', 'int');
    const listed = this.emit(arg);
    if (listed.type !== 'list') throw new Untranslatable(`len() of a ${listed.type}`);
    return atom(`size(${listed.code})`, 'int');
  }

  private predicateBody(args: readonly ExprNode[], name: string): Emitted {
    const [source, closure] = args;
    if (args.length !== 2 || source?.k !== 'result' || closure?.k !== 'closure') {
      throw new Untranslatable(
        `${name}() is supported over result with a predicate, e.g. ${name}(result, {# > 0.9})`,
      );
    }
    if (this.mode.argoShape === 'scalar') throw new Untranslatable(`${name}() over a scalar result`);
    if (this.inClosure) throw new Untranslatable('nested predicates are not supported');
    // With one series, the element is serin's result itself.
    const body = new Emitter(this.mode, this.mode.single ? 'result' : 'x').emit(closure.body);
    if (body.type !== 'bool') throw new Untranslatable(`the predicate of ${name}() must be a bool`);
    if (body.canFail)
      throw new Untranslatable(`a predicate that can fail is evaluated differently by CEL's ${name}`);
    return body;
  }

  private quantifier(name: 'all' | 'any' | 'none' | 'one', args: readonly ExprNode[]): Emitted {
    const body = this.predicateBody(args, name);
    if (this.mode.single) {
      // One element: each quantifier is the predicate on it (none: its negation).
      return name === 'none' ? { code: `!${wrap(body, 6)}`, type: 'bool', prec: 6, canFail: false } : body;
    }
    const macro = { all: 'all', any: 'exists', none: 'exists', one: 'exists_one' }[name];
    const code = `${LIST}.${macro}(x, ${body.code})`;
    return name === 'none' ? { code: `!${code}`, type: 'bool', prec: 6, canFail: false } : atom(code, 'bool');
  }

  private filter(args: readonly ExprNode[]): string {
    if (this.mode.single) throw new NeedsList();
    const body = this.predicateBody(args, 'filter');
    return `${LIST}.filter(x, ${body.code})`;
  }

  private unary(op: '!' | '-', arg: Emitted): Emitted {
    if (op === '!') {
      if (arg.type !== 'bool') throw new Untranslatable(`! of a ${arg.type}`);
      return { code: `!${wrap(arg, 6)}`, type: 'bool', prec: 6, canFail: arg.canFail };
    }
    if (!isNumeric(arg.type)) throw new Untranslatable(`- of a ${arg.type}`);
    return { code: `-${wrap(arg, 6)}`, type: arg.type, prec: 6, canFail: arg.canFail };
  }

  private binary(op: BinaryOp, leftNode: ExprNode, rightNode: ExprNode): Emitted {
    const left = this.emit(leftNode);
    const right = this.emit(rightNode);
    const canFail = left.canFail || right.canFail;
    const prec = BINARY_PREC[op];
    if (op === '&&' || op === '||') return logical(op, left, right);
    if (op === '==' || op === '!=' || op === '<' || op === '<=' || op === '>' || op === '>=') {
      const [a, b] = comparable(op, left, right);
      const folded = foldComparison(op, a, b);
      if (folded !== undefined) return atom(String(folded), 'bool');
      return { code: `${wrap(a, prec + 1)} ${op} ${wrap(b, prec + 1)}`, type: 'bool', prec, canFail };
    }
    if (!isNumeric(left.type) || !isNumeric(right.type)) {
      throw new Untranslatable(`${op} needs numbers, got ${left.type} and ${right.type}`);
    }
    if (op === '%') {
      if (left.type !== 'int' || right.type !== 'int') {
        throw new Untranslatable('% on a float is an error in expr-lang, and has no CEL equivalent');
      }
      return { code: `${wrap(left, prec)} % ${wrap(right, prec + 1)}`, type: 'int', prec, canFail: true };
    }
    // expr-lang's / is always a float division; CEL's int / int would truncate.
    const ints = left.type === 'int' && right.type === 'int' && op !== '/';
    const [a, b] = ints ? [left, right] : [toDouble(left), toDouble(right)];
    return {
      code: `${wrap(a, prec)} ${op} ${wrap(b, prec + 1)}`,
      type: ints ? 'int' : 'double',
      prec,
      canFail,
    };
  }

  private cond(node: Extract<ExprNode, { k: 'cond' }>): Emitted {
    const test = this.emit(node.test);
    if (test.type !== 'bool') throw new Untranslatable('the test of ?: must be a bool');
    let then = this.emit(node.then);
    let otherwise = this.emit(node.else);
    if (then.type !== otherwise.type) {
      if (!isNumeric(then.type) || !isNumeric(otherwise.type)) {
        throw new Untranslatable('the branches of ?: have different types');
      }
      then = toDouble(then);
      otherwise = toDouble(otherwise);
    }
    return {
      code: `${wrap(test, 1)} ? ${wrap(then, 1)} : ${wrap(otherwise, 0)}`,
      type: then.type,
      prec: 0,
      canFail: test.canFail || then.canFail || otherwise.canFail,
    };
  }
}

function literalInt(node: ExprNode): number | undefined {
  if (node.k === 'num' && node.int) return node.value;
  if (node.k === 'unary' && node.op === '-' && node.arg.k === 'num' && node.arg.int) return -node.arg.value;
  return undefined;
}

/** `1 == 0` (from len(result) == 0 with one series) is written as the bool it always is. */
function foldComparison(op: string, a: Emitted, b: Emitted): boolean | undefined {
  if (!/^-?\d+$/.test(a.code) || !/^-?\d+$/.test(b.code)) return undefined;
  const x = Number(a.code);
  const y = Number(b.code);
  const table: Readonly<Record<string, boolean>> = {
    '==': x === y,
    '!=': x !== y,
    '<': x < y,
    '<=': x <= y,
    '>': x > y,
    '>=': x >= y,
  };
  return table[op];
}

function logical(op: '&&' | '||', left: Emitted, right: Emitted): Emitted {
  if (left.type !== 'bool' || right.type !== 'bool') {
    throw new Untranslatable(`${op} needs bools, got ${left.type} and ${right.type}`);
  }
  // A constant on the left decides or drops out, as it does in expr-lang (left to right).
  const absorbing = op === '||' ? 'true' : 'false';
  if (left.code === absorbing) return left;
  if (left.code === (op === '||' ? 'false' : 'true')) return right;
  const canFail = left.canFail || right.canFail;
  if (left.canFail) {
    // expr-lang stops at an error on the left; CEL's || and && would let the right side decide.
    const code =
      op === '||'
        ? `${wrap(left, 1)} ? true : ${wrap(right, 0)}`
        : `${wrap(left, 1)} ? ${wrap(right, 1)} : false`;
    return { code, type: 'bool', prec: 0, canFail };
  }
  const prec = BINARY_PREC[op];
  return { code: `${wrap(left, prec)} ${op} ${wrap(right, prec + 1)}`, type: 'bool', prec, canFail };
}

function comparable(op: string, left: Emitted, right: Emitted): [Emitted, Emitted] {
  if (isNumeric(left.type) && isNumeric(right.type)) {
    return left.type === right.type ? [left, right] : [toDouble(left), toDouble(right)];
  }
  if (left.type === 'bool' && right.type === 'bool' && (op === '==' || op === '!=')) return [left, right];
  const hint = left.type === 'list' || right.type === 'list' ? ' (did you mean result[0]?)' : '';
  throw new Untranslatable(
    `${op} between a ${left.type} and a ${right.type} is an error in Argo on every measurement${hint}`,
  );
}

/** Translates a parsed condition; `{ ok: false, reason }` when it has no faithful CEL form. */
export function exprToCel(node: ExprNode, mode: CelMode): CelTranslation {
  const attempt = (m: CelMode): CelTranslation => {
    const emitted = new Emitter(m).emit(node);
    if (emitted.type !== 'bool')
      return { ok: false, reason: `the condition is a ${emitted.type}, not a bool` };
    // serin bounds what a condition may hold; the list form is long, so a long condition may not fit.
    const shapes =
      m.argoShape === 'scalar' || m.single ? (['scalar'] as const) : (['scalar', 'list'] as const);
    for (const shape of shapes) {
      const checked = checkCondition(emitted.code, shape);
      if (!checked.ok)
        return { ok: false, reason: `its CEL form is not a valid serin condition: ${checked.error}` };
    }
    return { ok: true, cel: emitted.code };
  };
  try {
    try {
      return attempt(mode);
    } catch (err) {
      if (err instanceof NeedsList && mode.single) return attempt({ ...mode, single: false });
      throw err;
    }
  } catch (err) {
    if (err instanceof Untranslatable) return { ok: false, reason: err.message };
    throw err;
  }
}
