/**
 * Generators of hostile and broken files for the CLI's readers: what CI pipelines, pull requests
 * and copy-paste hand to `serin lint`, `serin analyze --template` and `serin judge`.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Valid files to start from: shipped templates, the example Canary, a judge sample. */
export const SEEDS: readonly string[] = [
  readFileSync('analysis-templates/istio-success-rate.yaml', 'utf8'),
  readFileSync('analysis-templates/istio-judge-vs-primary.yaml', 'utf8'),
  readFileSync('docs/examples/canary.yaml', 'utf8'),
  '12.5\n13\n14.25\nNaN\n+Inf\n# comment\n15\n',
  'time,latency\n1,20.5\n2,21\n3,"22"\n',
];

const seed = fc.constantFrom(...SEEDS);

/** Random bytes, including NULs, invalid UTF-8 and control characters. */
const randomBytes = fc.uint8Array({ maxLength: 2048 });

/** A valid file cut short at a random byte. */
const truncated = fc
  .tuple(seed, fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([text, at]) => utf8(text).slice(0, Math.floor(at * text.length)));

/** A valid file with a few lines deleted, duplicated or swapped. */
const mutated = fc
  .tuple(seed, fc.array(fc.tuple(fc.nat(), fc.constantFrom('delete', 'duplicate', 'swap')), { maxLength: 4 }))
  .map(([text, edits]) => {
    const lines = text.split('\n');
    for (const [n, edit] of edits) {
      const i = n % lines.length;
      const line = lines[i] ?? '';
      if (edit === 'delete') lines.splice(i, 1);
      else if (edit === 'duplicate') lines.splice(i, 0, line);
      else [lines[i], lines[0]] = [lines[0] ?? '', line];
    }
    return utf8(lines.join('\n'));
  });

/** Alias bombs: each level an alias list of the one below ("billion laughs"), or merge keys. */
const aliasBomb = fc
  .tuple(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 2, max: 12 }), fc.boolean())
  .map(([depth, breadth, merge]) => {
    const lines = ['l0: &l0 [' + Array.from({ length: breadth }, () => '"lol"').join(',') + ']'];
    for (let d = 1; d < depth; d++) {
      lines.push(
        merge
          ? `l${d}: &l${d}\n  <<: [${Array.from({ length: breadth }, () => `*l${d - 1}`).join(', ')}]\n  k${d}: v`
          : `l${d}: &l${d} [${Array.from({ length: breadth }, () => `*l${d - 1}`).join(',')}]`,
      );
    }
    return utf8(`${lines.join('\n')}\n`);
  });

/** Self-referencing and mutually referencing anchors. */
const cyclic = fc.constantFrom('a: &a [*a]\n', 'a: &a {b: *a}\n', 'x: &x\n  y: *x\n').map(utf8);

/** Deep nesting: flow lists and maps, or block indentation. */
const deep = fc
  .tuple(fc.integer({ min: 10, max: 5_000 }), fc.constantFrom('flow-list', 'flow-map', 'block'))
  .map(([n, shape]) => {
    if (shape === 'flow-list') return utf8(`spec: ${'['.repeat(n)}${']'.repeat(n)}\n`);
    if (shape === 'flow-map') return utf8(`spec: ${'{a: '.repeat(n)}1${'}'.repeat(n)}\n`);
    const depth = Math.min(n, 500);
    return utf8(Array.from({ length: depth }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n');
  });

/** Huge scalars, plain and quoted. */
const hugeScalar = fc
  .tuple(fc.integer({ min: 1_000, max: 2_000_000 }), fc.boolean())
  .map(([n, quoted]) =>
    utf8(`apiVersion: serin.dev/v1alpha1\nkind: ${quoted ? `"${'A'.repeat(n)}"` : 'A'.repeat(n)}\n`),
  );

/** Numbers and values that break naive parsers, in YAML and in judge samples. */
const oddNumbers = fc
  .subarray(
    [
      '1e400',
      '-0',
      'NaN',
      '.nan',
      '.inf',
      '-.Inf',
      '0x1F',
      '1_000',
      '0o17',
      '1e-400',
      '+.5',
      '9'.repeat(400),
    ],
    {
      minLength: 1,
    },
  )
  .chain((values) =>
    fc.constantFrom(
      utf8(values.join('\n') + '\n'),
      utf8(
        `apiVersion: serin.dev/v1alpha1\nkind: AnalysisTemplate\nmetadata: {name: n}\nspec:\n  metrics:\n${values.map((v, i) => `    - {name: m${i}, count: ${v}, successCondition: "result < ${v}", provider: {prometheus: {address: "http://p", query: up}}}`).join('\n')}\n`,
      ),
    ),
  );

/** Duplicate keys, tags (!!binary, !!js/function, custom), mixed line endings, BOMs. */
const yamlOddities = fc
  .tuple(
    seed,
    fc.constantFrom(
      'kind: A\nkind: B\n',
      'x: !!binary aGVsbG8=\n',
      'x: !!js/function "function () { return process.exit(1) }"\n',
      'x: !custom {a: 1}\n',
      'x: !!set {a, b}\n',
      'x: !!omap [a: 1]\n',
      '%YAML 1.1\n---\nx: yes\n',
      '? [complex, key]\n: value\n',
    ),
    fc.constantFrom('\n', '\r\n', '\r', '\n\r'),
    fc.boolean(),
  )
  .map(([text, oddity, newline, bom]) =>
    utf8(`${bom ? '\uFEFF' : ''}${(oddity + text).split('\n').join(newline)}`),
  );

/** A valid template whose CEL condition or PromQL query is hostile. */
const hostileExpressions = fc
  .tuple(
    fc.integer({ min: 1, max: 20_000 }),
    fc.constantFrom('cel-parens', 'cel-long', 'promql-parens', 'promql-regex', 'promql-long'),
  )
  .map(([n, kind]) => {
    let condition = 'result < 0.05';
    let query = 'up';
    if (kind === 'cel-parens') condition = `${'('.repeat(n)}result${')'.repeat(n)} < 1`;
    if (kind === 'cel-long') condition = Array.from({ length: n }, () => 'result < 1').join(' && ');
    if (kind === 'promql-parens') query = `${'('.repeat(n)}up${')'.repeat(n)}`;
    if (kind === 'promql-regex') query = `up{job=~"${'(a|aa)*'.repeat(Math.min(n, 2_000))}b"}`;
    if (kind === 'promql-long') query = Array.from({ length: n }, (_, i) => `up{i="${i}"}`).join(' + ');
    return utf8(
      [
        'apiVersion: serin.dev/v1alpha1',
        'kind: AnalysisTemplate',
        'metadata: {name: hostile}',
        'spec:',
        '  metrics:',
        '    - name: m',
        `      successCondition: ${JSON.stringify(condition)}`,
        '      provider:',
        '        prometheus:',
        '          address: http://127.0.0.1:9',
        `          query: ${JSON.stringify(query)}`,
        '',
      ].join('\n'),
    );
  });

/** A generated file, shown in failure reports by its class, size and first bytes, not as a byte list. */
export interface HostileFile {
  readonly kind: string;
  readonly bytes: Uint8Array;
}

function labelled(kind: string, bytes: Uint8Array): HostileFile {
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.slice(0, 120));
  return {
    kind,
    bytes,
    [fc.toStringMethod]: () => `${kind}, ${bytes.length} bytes: ${JSON.stringify(head)}…`,
  } as HostileFile;
}

/** Every class, labelled, so a failure names the class it came from. */
export const hostileFile: fc.Arbitrary<HostileFile> = fc.oneof(
  randomBytes.map((bytes) => labelled('random bytes', bytes)),
  truncated.map((bytes) => labelled('truncated', bytes)),
  mutated.map((bytes) => labelled('mutated', bytes)),
  aliasBomb.map((bytes) => labelled('alias bomb', bytes)),
  cyclic.map((bytes) => labelled('cyclic alias', bytes)),
  deep.map((bytes) => labelled('deep nesting', bytes)),
  hugeScalar.map((bytes) => labelled('huge scalar', bytes)),
  oddNumbers.map((bytes) => labelled('odd numbers', bytes)),
  yamlOddities.map((bytes) => labelled('YAML oddities', bytes)),
  hostileExpressions.map((bytes) => labelled('hostile CEL/PromQL', bytes)),
);
