/**
 * A parser for the part of Argo Rollouts' condition language (expr-lang, `successCondition` and
 * `failureCondition`) that has a CEL equivalent in serin. What it does not know is an
 * `{ ok: false, reason }`, never a guess: numbers, `true`/`false`, `result`,
 * indexing with an integer literal, `+ - * / %`, comparisons, `&& || !` (and `and`, `or`, `not`),
 * `? :`, parentheses, calls (`len`, `isNaN`, `all({# > 0.9})`...) and `#` inside a predicate.
 */

/** One node of a parsed condition. */
export type ExprNode =
  | { readonly k: 'num'; readonly value: number; readonly int: boolean }
  | { readonly k: 'bool'; readonly value: boolean }
  | { readonly k: 'result' }
  | { readonly k: 'elem' }
  | { readonly k: 'index'; readonly target: ExprNode; readonly index: ExprNode }
  | { readonly k: 'call'; readonly name: string; readonly args: readonly ExprNode[] }
  | { readonly k: 'closure'; readonly body: ExprNode }
  | { readonly k: 'unary'; readonly op: '!' | '-'; readonly arg: ExprNode }
  | { readonly k: 'binary'; readonly op: BinaryOp; readonly left: ExprNode; readonly right: ExprNode }
  | { readonly k: 'cond'; readonly test: ExprNode; readonly then: ExprNode; readonly else: ExprNode };

export type BinaryOp = '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%';

export type ExprParse =
  { readonly ok: true; readonly node: ExprNode } | { readonly ok: false; readonly reason: string };

type Token =
  | { readonly t: 'num'; readonly text: string }
  | { readonly t: 'ident'; readonly text: string }
  | { readonly t: 'op'; readonly text: string }
  | { readonly t: 'end' };

class Unsupported extends Error {
  readonly code = 'ExprUnsupported';
}

const OPERATORS = [
  '&&',
  '||',
  '==',
  '!=',
  '<=',
  '>=',
  '**',
  '??',
  '?.',
  '..',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '!',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  '?',
  ':',
  '#',
  '^',
  '.',
  '|',
];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const num = /^(\d[\d_]*(\.\d+)?([eE][+-]?\d+)?|\.\d+)/.exec(rest);
    if (num) {
      tokens.push({ t: 'num', text: num[0] });
      i += num[0].length;
      continue;
    }
    const ident = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(rest);
    if (ident) {
      tokens.push({ t: 'ident', text: ident[0] });
      i += ident[0].length;
      continue;
    }
    const op = OPERATORS.find((candidate) => rest.startsWith(candidate));
    if (op === undefined) {
      throw new Unsupported(
        `unexpected ${JSON.stringify(rest.slice(0, 1))} (strings, maps and other literals are not supported)`,
      );
    }
    tokens.push({ t: 'op', text: op });
    i += op.length;
  }
  tokens.push({ t: 'end' });
  return tokens;
}

const WORD_OPERATORS: Readonly<Record<string, string>> = { and: '&&', or: '||', not: '!' };
const NOT_SUPPORTED_OPERATORS: Readonly<Record<string, string>> = {
  '**': 'the power operator has no CEL equivalent',
  '^': 'the power operator has no CEL equivalent',
  '??': 'nil coalescing: a Prometheus result is never nil',
  '?.': 'optional chaining applies to maps and structs, not to a Prometheus result',
  '..': 'ranges have no CEL equivalent in serin',
  '|': 'pipes have no CEL equivalent in serin',
  '.': 'member access: a Prometheus result is a number or a list of numbers',
  in: 'the in operator is not supported',
  matches: 'string operators do not apply to a Prometheus result',
  contains: 'string operators do not apply to a Prometheus result',
  startsWith: 'string operators do not apply to a Prometheus result',
  endsWith: 'string operators do not apply to a Prometheus result',
  let: 'variables (let) are not supported',
};

/** Calls whose second argument is a predicate over the elements (`#`). */
const PREDICATE_CALLS: ReadonlySet<string> = new Set([
  'all',
  'any',
  'none',
  'one',
  'filter',
  'count',
  'map',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'groupBy',
  'sortBy',
  'sum',
  'reduce',
]);

class Parser {
  private pos = 0;
  private closureDepth = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  parse(): ExprNode {
    const node = this.ternary();
    const next = this.peek();
    if (next.t !== 'end') throw this.unexpected(next);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.pos] ?? { t: 'end' };
  }

  /** The operator the next token stands for, with `and`/`or`/`not` read as `&&`/`||`/`!`. */
  private peekOp(): string | undefined {
    const token = this.peek();
    if (token.t === 'op') return token.text;
    if (token.t === 'ident')
      return WORD_OPERATORS[token.text] ?? (token.text in NOT_SUPPORTED_OPERATORS ? token.text : undefined);
    return undefined;
  }

  private take(): Token {
    const token = this.peek();
    this.pos++;
    return token;
  }

  private expect(op: string): void {
    const token = this.take();
    if (token.t !== 'op' || token.text !== op) throw this.unexpected(token, `expected "${op}"`);
  }

  private unexpected(token: Token, what = 'unexpected'): Unsupported {
    const text = token.t === 'end' ? 'end of condition' : `"${token.text}"`;
    return new Unsupported(`${what}: ${text}`);
  }

  private checkOperator(op: string | undefined): void {
    if (op !== undefined && op in NOT_SUPPORTED_OPERATORS) {
      throw new Unsupported(`"${op}": ${NOT_SUPPORTED_OPERATORS[op] ?? ''}`);
    }
  }

  private ternary(): ExprNode {
    const test = this.binary(0);
    if (this.peekOp() !== '?') return test;
    this.take();
    const then = this.ternary();
    this.expect(':');
    return { k: 'cond', test, then, else: this.ternary() };
  }

  private static readonly LEVELS: readonly (readonly BinaryOp[])[] = [
    ['||'],
    ['&&'],
    ['==', '!=', '<', '<=', '>', '>='],
    ['+', '-'],
    ['*', '/', '%'],
  ];

  private binary(level: number): ExprNode {
    const ops = Parser.LEVELS[level];
    if (ops === undefined) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const op = this.peekOp();
      this.checkOperator(op);
      if (op === undefined || !(ops as readonly string[]).includes(op)) return left;
      this.take();
      const right = this.binary(level + 1);
      left = { k: 'binary', op: op as BinaryOp, left, right };
    }
  }

  private unary(): ExprNode {
    const op = this.peekOp();
    if (op === '!' || op === '-' || op === '+') {
      this.take();
      const arg = this.unary();
      return op === '+' ? arg : { k: 'unary', op, arg };
    }
    return this.postfix();
  }

  private postfix(): ExprNode {
    let node = this.primary();
    for (;;) {
      const op = this.peekOp();
      this.checkOperator(op);
      if (op !== '[') return node;
      this.take();
      if (this.peekOp() === ':') throw new Unsupported('slices have no CEL equivalent in serin');
      const index = this.ternary();
      if (this.peekOp() === ':') throw new Unsupported('slices have no CEL equivalent in serin');
      this.expect(']');
      node = { k: 'index', target: node, index };
    }
  }

  private primary(): ExprNode {
    const token = this.take();
    if (token.t === 'num') return number(token.text);
    if (token.t === 'op') return this.primaryOp(token.text);
    if (token.t === 'end') throw this.unexpected(token);
    if (token.text === 'true' || token.text === 'false') return { k: 'bool', value: token.text === 'true' };
    if (token.text === 'nil') throw new Unsupported('nil: a Prometheus result is never nil');
    if (this.peekOp() === '(') return this.call(token.text);
    if (token.text === 'result') return { k: 'result' };
    throw new Unsupported(`unknown name "${token.text}" (only result is defined)`);
  }

  private primaryOp(op: string): ExprNode {
    if (op === '(') {
      const inner = this.ternary();
      this.expect(')');
      return inner;
    }
    if (op === '#') {
      if (this.closureDepth === 0) throw new Unsupported('"#" outside a predicate');
      return { k: 'elem' };
    }
    if (op === '[') throw new Unsupported('array literals are not supported');
    throw new Unsupported(`unexpected "${op}"`);
  }

  private call(name: string): ExprNode {
    this.expect('(');
    const args: ExprNode[] = [];
    if (this.peekOp() !== ')') {
      for (;;) {
        args.push(this.argument(PREDICATE_CALLS.has(name) && args.length === 1));
        if (this.peekOp() !== ',') break;
        this.take();
      }
    }
    this.expect(')');
    return { k: 'call', name, args };
  }

  /** A call argument: an expression, or a predicate in braces (`{# > 0.9}`) for all/any/filter... */
  private argument(predicate: boolean): ExprNode {
    const braced = this.peekOp() === '{';
    if (braced) this.take();
    this.closureDepth++;
    try {
      const body = this.ternary();
      if (braced) this.expect('}');
      if (!braced && !(predicate && containsElem(body))) return body;
      if (containsClosure(body)) throw new Unsupported('nested predicates are not supported');
      return { k: 'closure', body };
    } finally {
      this.closureDepth--;
    }
  }
}

function containsElem(node: ExprNode): boolean {
  switch (node.k) {
    case 'elem':
      return true;
    case 'num':
    case 'bool':
    case 'result':
      return false;
    case 'index':
      return containsElem(node.target) || containsElem(node.index);
    case 'call':
      return node.args.some(containsElem);
    case 'closure':
      return false;
    case 'unary':
      return containsElem(node.arg);
    case 'binary':
      return containsElem(node.left) || containsElem(node.right);
    case 'cond':
      return containsElem(node.test) || containsElem(node.then) || containsElem(node.else);
  }
}

function containsClosure(node: ExprNode): boolean {
  switch (node.k) {
    case 'closure':
      return true;
    case 'call':
      return node.args.some(containsClosure);
    case 'index':
      return containsClosure(node.target) || containsClosure(node.index);
    case 'unary':
      return containsClosure(node.arg);
    case 'binary':
      return containsClosure(node.left) || containsClosure(node.right);
    case 'cond':
      return containsClosure(node.test) || containsClosure(node.then) || containsClosure(node.else);
    case 'num':
    case 'bool':
    case 'result':
    case 'elem':
      return false;
  }
}

function number(text: string): ExprNode {
  const clean = text.replaceAll('_', '');
  const int = /^\d+$/.test(clean);
  const value = Number(clean);
  if (int && !Number.isSafeInteger(value)) throw new Unsupported(`integer ${text} is too large`);
  return { k: 'num', value, int };
}

/** Parses an Argo condition; anything outside the supported subset is `{ ok: false, reason }`. */
export function parseExpr(text: string): ExprParse {
  try {
    return { ok: true, node: new Parser(tokenize(text)).parse() };
  } catch (err) {
    if (err instanceof Unsupported) return { ok: false, reason: err.message };
    throw err;
  }
}
