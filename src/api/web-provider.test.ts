import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AnalysisTemplateSpec } from './analysis-template.ts';
import { JSON_PATH_PATTERN, WebProvider, parseJsonPath } from './web-provider.ts';

const pattern = new RegExp(JSON_PATH_PATTERN);

describe('jsonPath: the supported subset', () => {
  it.each([
    ['$', []],
    [
      '$.data.errorRate',
      [
        { kind: 'key', key: 'data' },
        { kind: 'key', key: 'errorRate' },
      ],
    ],
    [
      '$.a[0].b',
      [
        { kind: 'key', key: 'a' },
        { kind: 'index', index: 0 },
        { kind: 'key', key: 'b' },
      ],
    ],
    ["$['odd key']", [{ kind: 'key', key: 'odd key' }]],
    ['$["k.with.dots"]', [{ kind: 'key', key: 'k.with.dots' }]],
    ['$.items[*].v', [{ kind: 'key', key: 'items' }, { kind: 'wildcard' }, { kind: 'key', key: 'v' }]],
    [
      '{$.data.ok}',
      [
        { kind: 'key', key: 'data' },
        { kind: 'key', key: 'ok' },
      ],
    ],
  ])('accepts %s', (text, segments) => {
    expect(parseJsonPath(text)).toEqual({ ok: true, segments });
    expect(pattern.test(text), 'the CRD pattern agrees').toBe(true);
  });

  it.each([
    ['data.x', 'must start with $ (the document root)'],
    ['$..x', 'at column 2: recursive descent (..) is not supported'],
    ['$.*', 'at column 2: use [*] for every element of an array'],
    ['$.a[?(@.b > 1)]', 'at column 4: filter expressions ([?(...)]) are not supported'],
    ['$.a[-1]', 'at column 4: negative indexes are not supported'],
    ['$.a[0:2]', 'at column 4: slices ([a:b]) are not supported'],
    ['$.a[0,1]', 'at column 4: unions ([a,b]) are not supported'],
    ["$['a\\'b']", 'at column 2: a quoted key must be closed by its quote and ], without a backslash'],
    ['{$.a}.b', 'must start with $ (the document root)'],
    ['$.a b', "at column 4: expected .name, [0], ['key'] or [*]"],
  ])('refuses %s: %s', (text, error) => {
    expect(parseJsonPath(text)).toEqual({ ok: false, error });
    expect(pattern.test(text), 'the CRD pattern agrees').toBe(false);
  });
});

describe('the web provider schema', () => {
  const base = { url: 'https://checker.test/api', jsonPath: '$.value' };

  it('defaults to GET with a 10s timeout', () => {
    expect(WebProvider.parse(base)).toEqual({ ...base, method: 'GET', timeout: '10s' });
  });

  it.each([
    [
      { ...base, url: 'ftp://checker.test/' },
      'url',
      'must be an absolute http:// or https:// URL without spaces',
    ],
    [{ ...base, method: 'DELETE' }, 'method', undefined],
    [{ ...base, body: '{}' }, 'body', 'a body needs method: POST'],
    [{ ...base, timeout: '2m' }, 'timeout', 'must be above 0 and at most 1m'],
    [
      { ...base, jsonPath: '$..x' },
      'jsonPath',
      'unsupported JSONPath: at column 2: recursive descent (..) is not supported',
    ],
    [{ ...base, headers: [{ name: 'X-A' }] }, 'headers', 'set exactly one of value and valueFrom'],
    [
      {
        ...base,
        headers: [
          { name: 'X-A', value: '1' },
          { name: 'x-a', value: '2' },
        ],
      },
      'headers',
      'duplicate header "x-a"',
    ],
    [{ ...base, headers: [{ name: 'Bad Name', value: '1' }] }, 'headers', undefined],
  ])('refuses %j at %s', (spec, field, message) => {
    const result = WebProvider.safeParse(spec);
    expect(result.success).toBe(false);
    const issue = result.error?.issues.find((i) => i.path[0] === field);
    expect(issue, JSON.stringify(result.error?.issues)).toBeDefined();
    if (message !== undefined) expect(issue?.message).toBe(message);
  });
});

describe('the CRD pattern and the parser', () => {
  it('accept exactly the same jsonPaths (property)', () => {
    const pieces = fc.constantFrom(
      '$',
      '.',
      '..',
      'a',
      'b_1',
      '-',
      '[',
      ']',
      '0',
      '12',
      '-1',
      '*',
      "'",
      '"',
      ' ',
      '{',
      '}',
      '\\',
      ':',
      ',',
      '?',
    );
    fc.assert(
      // Half of them rooted at $, so both sides accept a good share.
      fc.property(fc.boolean(), fc.array(pieces, { maxLength: 12 }), (rooted, parts) => {
        const text = (rooted ? '$' : '') + parts.join('');
        expect(parseJsonPath(text).ok, text).toBe(pattern.test(text));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('a web metric in a template', () => {
  it('refuses minTraffic, which needs a Prometheus the metric does not have', () => {
    const result = AnalysisTemplateSpec.safeParse({
      metrics: [
        {
          name: 'smoke',
          successCondition: 'result == 0',
          minTraffic: { query: 'sum(rate(x[1m]))', min: 10 },
          provider: { web: { url: 'http://checker.test/', jsonPath: '$.failed' } },
        },
      ],
    });
    expect(result.error?.issues).toEqual([
      expect.objectContaining({
        path: ['metrics', 0, 'minTraffic'],
        message: 'applies to prometheus metrics only: a web metric has no Prometheus to ask',
      }),
    ]);
  });
});
