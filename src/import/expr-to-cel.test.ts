import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateCondition } from '../analysis/conditions.ts';
import { argoPhase, evaluateArgo } from './expr-eval.ts';
import { parseExpr, type ExprNode } from './expr-parse.ts';
import { exprToCel, type CelMode } from './expr-to-cel.ts';

const LIST = '(type(result) == list ? dyn(result) : [result])';
const SINGLE: CelMode = { argoShape: 'vector', single: true };
const MANY: CelMode = { argoShape: 'vector', single: false };
const SCALAR: CelMode = { argoShape: 'scalar', single: false };

function node(text: string): ExprNode {
  const parsed = parseExpr(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.node;
}

function cel(text: string, mode: CelMode): string {
  const translated = exprToCel(node(text), mode);
  if (!translated.ok) throw new Error(translated.reason);
  return translated.cel;
}

function reason(text: string, mode: CelMode = MANY): string {
  const parsed = parseExpr(text);
  if (!parsed.ok) return parsed.reason;
  const translated = exprToCel(parsed.node, mode);
  return translated.ok ? `translated: ${translated.cel}` : translated.reason;
}

describe('expr → CEL, one form per rule', () => {
  it.each([
    ['result[0] >= 0.95', SINGLE, 'result >= 0.95'],
    ['result[0] >= 0.95', MANY, `${LIST}[0] >= 0.95`],
    ['len(result) == 0 || result[0] < 0.01', SINGLE, 'result < 0.01'],
    ['len(result) == 0 || result[0] < 0.01', MANY, `size(${LIST}) == 0 || ${LIST}[0] < 0.01`],
    ['isNaN(result[0])', SINGLE, 'isNaN(result)'],
    ['isInf(result[0])', MANY, `isInf(${LIST}[0])`],
    ['all(result, {# > 0.9})', MANY, `${LIST}.all(x, x > 0.9)`],
    ['all(result, # > 0.9)', SINGLE, 'result > 0.9'],
    ['any(result, {# > 0.9})', MANY, `${LIST}.exists(x, x > 0.9)`],
    ['none(result, {isNaN(#)})', MANY, `!${LIST}.exists(x, isNaN(x))`],
    ['one(result, {# > 1})', MANY, `${LIST}.exists_one(x, x > 1.0)`],
    ['count(result, {# > 1}) >= 2', MANY, `size(${LIST}.filter(x, x > 1.0)) >= 2`],
    ['len(filter(result, {# > 1})) > 0', MANY, `size(${LIST}.filter(x, x > 1.0)) > 0`],
    ['result > 0.5 and not isNaN(result)', SCALAR, 'result > 0.5 && !isNaN(result)'],
    ['result[0] * 100 > 99', SINGLE, 'result * 100.0 > 99.0'],
    ['len(result) / 2 > 1', MANY, `double(size(${LIST})) / 2.0 > 1.0`],
    ['result[-1] < 3', MANY, `${LIST}[size(${LIST}) - 1] < 3.0`],
    ['result[0] > 0.5 ? result[0] < 2 : false', SINGLE, 'result > 0.5 ? result < 2.0 : false'],
    ['asFloat(len(result)) >= 1', MANY, `double(size(${LIST})) >= 1.0`],
  ])('%s (%o) → %s', (source, mode, expected) => {
    expect(cel(source, mode)).toBe(expected);
  });

  it('keeps expr-lang order when the left side can fail: a || b becomes a ? true : b', () => {
    expect(cel('result[1] > 0.5 || true', MANY)).toBe(`${LIST}[1] > 0.5 ? true : true`);
    // CEL's || would absorb the index error; Argo reports Error on a one-series result.
    expect(evaluateArgo(node('result[1] > 0.5 || true'), [0.3]).ok).toBe(false);
    expect(evaluateCondition(cel('result[1] > 0.5 || true', MANY), 0.3).ok).toBe(false);
  });

  it.each([
    ['default(result[0], 0) >= 0.95', /default\(\): Argo's default\(\) ignores its first argument/],
    ['isNil(result)', /isNil\(\): a Prometheus result is never nil/],
    ['asInt(result[0]) == 1', /asInt\(\) truncates/],
    [
      'result > 0.5',
      /> between a list and a double is an error in Argo on every measurement \(did you mean result\[0\]\?\)/,
    ],
    ['result[0] ** 2 > 1', /the power operator has no CEL equivalent/],
    ['result[0] % 2 == 1', /% on a float is an error in expr-lang/],
    ['"ok" == "ok"', /strings, maps and other literals are not supported/],
    ['result[0] in [1, 2]', /the in operator is not supported/],
    ['sum(result) > 1', /sum\(\) has no CEL equivalent/],
    ['foo > 1', /unknown name "foo"/],
    ['result[0] ?? 1', /nil coalescing/],
    ['result[0:1]', /slices have no CEL equivalent/],
    ['all(result, {all(result, {# > 1})})', /nested predicates/],
    ['result[0]', /the condition is a double, not a bool/],
  ])('reports %s as not convertible, with the reason', (source, expected) => {
    expect(reason(source)).toMatch(expected);
  });
});

describe('argoPhase: what Argo decides without data', () => {
  it('an empty result is an Error for result[0] and Failed for a len() guard', () => {
    expect(argoPhase({ success: node('result[0] >= 0.95') }, [])).toBe('Error');
    expect(argoPhase({ failure: node('len(result) == 0 || result[0] > 1') }, [])).toBe('Failed');
    expect(argoPhase({ success: node('result[0] >= 0.95') }, [NaN])).toBe('Failed');
    expect(argoPhase({}, [])).toBe('Successful');
    expect(argoPhase({ success: node('result[0] > 1'), failure: node('result[0] < 0') }, [0.5])).toBe(
      'Inconclusive',
    );
  });
});

// The supported subset, as generators of expr-lang text over result (a list) and # (an element).
const number = fc.oneof(
  fc.integer({ min: -3, max: 3 }).map(String),
  fc.constantFrom('0.5', '0.95', '1.5', '0.01', '100'),
);
const value = (elem: boolean): fc.Arbitrary<string> =>
  fc.letrec<{ v: string }>((tie) => ({
    v: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      number,
      fc.constantFrom('result[0]', 'result[-1]', 'len(result)', ...(elem ? ['#', '#'] : ['result[1]'])),
      fc
        .tuple(tie('v'), fc.constantFrom('+', '-', '*', '/'), tie('v'))
        .map(([a, op, b]) => `(${a} ${op} ${b})`),
      tie('v').map((a) => `-(${a})`),
    ),
  })).v;
const condition = (elem: boolean): fc.Arbitrary<string> =>
  fc.letrec<{ c: string }>((tie) => ({
    c: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc
        .tuple(value(elem), fc.constantFrom('==', '!=', '<', '<=', '>', '>='), value(elem))
        .map(([a, op, b]) => `${a} ${op} ${b}`),
      value(elem).map((a) => `isNaN(${a})`),
      fc
        .tuple(tie('c'), fc.constantFrom('&&', '||', 'and', 'or'), tie('c'))
        .map(([a, op, b]) => `(${a}) ${op} (${b})`),
      tie('c').map((a) => `!(${a})`),
      fc.tuple(tie('c'), tie('c'), tie('c')).map(([a, b, c]) => `(${a}) ? (${b}) : (${c})`),
      ...(elem
        ? []
        : [
            fc
              .tuple(fc.constantFrom('all', 'any', 'none', 'one'), condition(true))
              .map(([f, p]) => `${f}(result, {${p}})`),
            condition(true).map((p) => `count(result, {${p}}) > 0`),
          ]),
    ),
  })).c;
const sample = fc.oneof(
  fc.double({ min: -5, max: 5, noNaN: true }),
  fc.constantFrom(0, 1, 0.5, NaN, Infinity),
);

/** What serin hands a condition for the list Argo saw: a double for one series, else the list. */
function serinResult(list: number[]): number | number[] {
  return list.length === 1 ? (list[0] ?? NaN) : list;
}

function argoOutcome(text: string, result: number | number[]): boolean | 'error' {
  const value = evaluateArgo(node(text), result);
  return value.ok && value.value.t === 'bool' ? value.value.v : 'error';
}

function celOutcome(expression: string, result: number | number[]): boolean | 'error' {
  const value = evaluateCondition(expression, result);
  return value.ok ? value.value : 'error';
}

describe('property: the CEL form decides as Argo does, on results serin evaluates', () => {
  it('for any query shape (the list form), on 1 to 4 series', () => {
    fc.assert(
      fc.property(condition(false), fc.array(sample, { minLength: 1, maxLength: 4 }), (text, list) => {
        fc.pre(!list.every(Number.isNaN)); // all NaN is no data in serin: conditions never run
        const translated = exprToCel(node(text), MANY);
        if (!translated.ok) return; // reported, never guessed
        expect(celOutcome(translated.cel, serinResult(list))).toEqual(argoOutcome(text, list));
      }),
      { numRuns: 400 },
    );
  });

  it('for a query that returns at most one series (the double form)', () => {
    fc.assert(
      fc.property(condition(false), sample, (text, x) => {
        fc.pre(!Number.isNaN(x));
        const translated = exprToCel(node(text), SINGLE);
        if (!translated.ok) return;
        expect(celOutcome(translated.cel, x)).toEqual(argoOutcome(text, [x]));
      }),
      { numRuns: 400 },
    );
  });

  it('translates most generated conditions (the property is not vacuous)', () => {
    const texts = fc.sample(condition(false), { numRuns: 200, seed: 7 });
    const translated = texts.filter((text) => exprToCel(node(text), MANY).ok);
    expect(translated.length).toBeGreaterThan(100);
  });
});
