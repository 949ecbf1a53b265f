import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  CelCostError,
  STATIC_ESTIMATED_COST_LIMIT,
  STATIC_ESTIMATED_CRD_COST_LIMIT,
  celCostReport,
  estimateRuleCost,
  type RuleCost,
  type SchemaNode,
} from './cel-cost.ts';

const EXACTLY_ONE = '[has(self.a), has(self.b)].exists_one(x, x)';
const UNIQUE_NAMES = 'self.all(c, self.exists_one(d, d.name == c.name))';

const twoOptionalFields: SchemaNode = {
  type: 'object',
  properties: { a: { type: 'string' }, b: { type: 'string' } },
  'x-kubernetes-validations': [{ rule: EXACTLY_ONE }],
};

function namedList(name: SchemaNode): SchemaNode {
  return { type: 'array', maxItems: 16, items: { type: 'object', properties: { name } } };
}

function crdWith(schema: SchemaNode): unknown {
  return { spec: { versions: [{ name: 'v1', served: true, schema: { openAPIV3Schema: schema } }] } };
}

const format = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
const share = (cost: number, limit: number): string => `${((100 * cost) / limit).toFixed(2)}%`;

function describeRule(entry: RuleCost): string {
  return `${entry.path}: ${entry.rule} costs ${format(entry.cost)} × ${format(entry.cardinality)} = ${format(entry.total)}`;
}

const crdFiles = readdirSync('crds')
  .filter((name) => name.endsWith('.yaml'))
  .sort();

describe('the CEL rules in crds/ fit kube-apiserver’s static cost budget', () => {
  it.each(crdFiles)('%s: every rule and their sum are within budget', (file) => {
    const report = celCostReport(parse(readFileSync(join('crds', file), 'utf8')));
    const largest = Math.max(0, ...report.rules.map((entry) => entry.total));
    console.log(
      `${file}: estimated CEL cost ${format(report.total)} of ${format(STATIC_ESTIMATED_CRD_COST_LIMIT)} ` +
        `(${share(report.total, STATIC_ESTIMATED_CRD_COST_LIMIT)}); largest rule ${format(largest)} of ` +
        `${format(STATIC_ESTIMATED_COST_LIMIT)}; ${report.rules.length} rules`,
    );
    const overRule = report.rules.filter((entry) => entry.total > STATIC_ESTIMATED_COST_LIMIT);
    expect(overRule.map(describeRule), `rules over ${format(STATIC_ESTIMATED_COST_LIMIT)}`).toEqual([]);
    const everyRule = report.rules.map(describeRule).join('\n');
    expect(
      report.total,
      `total over ${format(STATIC_ESTIMATED_CRD_COST_LIMIT)}:\n${everyRule}`,
    ).toBeLessThanOrEqual(STATIC_ESTIMATED_CRD_COST_LIMIT);
  });
});

describe('estimateRuleCost', () => {
  // `celGo` is cel-go's own estimate, worked out by hand from checker/cost.go and parser/macro.go
  // (literals 0, idents and selects 1, has() 1 + operand, list literal 10 + elements, && and || the
  // sum of their sides, macros expanded); `model` is this estimator's figure, pinned so that a change
  // to the model is deliberate.
  it.each([
    {
      name: 'a single has()',
      rule: 'has(self.x)',
      self: { type: 'object', properties: { x: { type: 'string' } } },
      celGo: 2,
      model: 3,
    },
    { name: 'the exactly-one-of rule', rule: EXACTLY_ONE, self: twoOptionalFields, celGo: 22, model: 33 },
    {
      name: 'an exists over 16 numbers',
      rule: 'self.exists(c, c.weight > 0.0)',
      self: {
        type: 'array',
        maxItems: 16,
        items: { type: 'object', properties: { weight: { type: 'number' } } },
      },
      celGo: 114,
      model: 140,
    },
    {
      name: 'pairwise uniqueness over 16 names of 63 characters',
      rule: UNIQUE_NAMES,
      self: namedList({ type: 'string', maxLength: 63 }),
      celGo: 8290,
      model: 8700,
    },
    {
      name: 'ordered optional numbers',
      rule: '!has(self.marginal) || !has(self.pass) || self.marginal <= self.pass',
      self: { type: 'object', properties: { marginal: { type: 'number' }, pass: { type: 'number' } } },
      celGo: 11,
      model: 15,
    },
  ] satisfies { name: string; rule: string; self: SchemaNode; celGo: number; model: number }[])(
    'is never below cel-go’s estimate as worked out by hand from its source: $name',
    ({ rule, self, celGo, model }) => {
      const cost = estimateRuleCost(rule, self);
      expect(cost).toBe(model);
      expect(cost).toBeGreaterThanOrEqual(celGo);
    },
  );

  it('sizes a string as 4 bytes per character of maxLength, and an unbounded one as 3 MiB', () => {
    const compare = (name: SchemaNode): number =>
      estimateRuleCost('self.a == self.b', { type: 'object', properties: { a: name, b: name } });
    // 1 + ceil(0.1 × size) + two selects of 2
    expect(compare({ type: 'string', maxLength: 10 })).toBe(1 + 4 + 4);
    expect(compare({ type: 'string' })).toBe(1 + Math.ceil(0.1 * 3 * 1024 * 1024) + 4);
  });

  it('charges a pairwise-uniqueness rule over unbounded names more than a rule may cost', () => {
    expect(estimateRuleCost(UNIQUE_NAMES, namedList({ type: 'string' }))).toBeGreaterThan(
      STATIC_ESTIMATED_COST_LIMIT,
    );
    expect(estimateRuleCost(UNIQUE_NAMES, namedList({ type: 'string', maxLength: 63 }))).toBeLessThanOrEqual(
      STATIC_ESTIMATED_COST_LIMIT,
    );
  });

  it('iterates an unbounded list as many times as its smallest items fit in one request', () => {
    const items: SchemaNode = { type: 'object', properties: { weight: { type: 'number' } } };
    const cost = estimateRuleCost('self.exists(c, c.weight > 0.0)', { type: 'array', items });
    // range 1 + fixed 11 + ⌊3 MiB / 3⌋ × (body 4 + exists' step 4)
    expect(cost).toBe(1 + 11 + Math.floor((3 * 1024 * 1024) / 3) * 8);
  });

  it.each([
    ['an index', 'self.a[0] == 1', "'[]'"],
    ['a map literal', "{'a': 1} == self.a", "'map'"],
    ['a function whose cost depends on its input', "self.b.matches('^x')", 'matches'],
    ['a two-variable comprehension', 'self.a.all(i, v, v > 0)', 'two-variable'],
    ['a field the schema does not declare', 'has(self.missing)', 'missing'],
    ['an equality between objects', 'self.c == self.c', 'objects'],
  ])('throws, naming it, on CEL it cannot bound: %s', (_name, rule, named) => {
    const self: SchemaNode = {
      type: 'object',
      properties: {
        a: { type: 'array', items: { type: 'integer' } },
        b: { type: 'string' },
        c: { type: 'object', properties: {} },
      },
    };
    expect(() => estimateRuleCost(rule, self)).toThrow(CelCostError);
    expect(() => estimateRuleCost(rule, self)).toThrow(named);
  });
});

describe('celCostReport', () => {
  const underList = (list: Partial<SchemaNode>): unknown =>
    crdWith({
      type: 'object',
      properties: {
        spec: { type: 'object', properties: { steps: { type: 'array', items: twoOptionalFields, ...list } } },
      },
    });

  it('puts a cheap rule under an unbounded list over budget (about a million repetitions)', () => {
    const [entry] = celCostReport(underList({})).rules;
    expect(entry).toMatchObject({
      path: 'v1:spec.steps[]',
      rule: EXACTLY_ONE,
      cost: 33,
      cardinality: 1_048_576,
    });
    expect(entry!.total).toBeGreaterThan(STATIC_ESTIMATED_COST_LIMIT);
  });

  it('fits the same rule once the list has maxItems: 64', () => {
    const report = celCostReport(underList({ maxItems: 64 }));
    expect(report.rules).toEqual([
      { path: 'v1:spec.steps[]', rule: EXACTLY_ONE, cost: 33, cardinality: 64, total: 33 * 64 },
    ]);
    expect(report.total).toBe(33 * 64);
  });

  it('multiplies the bounds of nested lists and maps', () => {
    const report = celCostReport(
      crdWith({
        type: 'object',
        'x-kubernetes-validations': [{ rule: 'has(self.outer)' }],
        properties: {
          outer: {
            type: 'array',
            maxItems: 4,
            items: {
              type: 'object',
              additionalProperties: {
                ...twoOptionalFields,
                'x-kubernetes-validations': [{ rule: 'has(self.a)' }],
              },
              maxProperties: 5,
            },
          },
        },
      }),
    );
    expect(report.rules.map(({ path, cardinality }) => [path, cardinality])).toEqual([
      ['v1:<root>', 1],
      ['v1:outer[]{}', 20],
    ]);
    expect(report.total).toBe(3 + 3 * 20);
  });

  it('treats a map without maxProperties as unbounded', () => {
    const report = celCostReport(
      crdWith({
        type: 'object',
        properties: { m: { type: 'object', additionalProperties: twoOptionalFields } },
      }),
    );
    expect(report.rules[0]!.cardinality).toBe(1_048_576);
  });

  it('skips versions that are not served', () => {
    const crd = crdWith(twoOptionalFields) as { spec: { versions: { served: boolean }[] } };
    crd.spec.versions[0]!.served = false;
    expect(celCostReport(crd)).toEqual({ rules: [], total: 0 });
  });
});
