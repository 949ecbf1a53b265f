/**
 * Issue 23: the JSON Schemas in schemas/ (for yaml-language-server) accept every example and shipped
 * template, and refuse the invalid and hostile fixtures; what a JSON Schema cannot express (PromQL,
 * CEL, references between objects) is refused by `serin lint` instead, and each such fixture is
 * named here so that the split stays deliberate.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { documentToJs, parseYamlStream, readInputText } from '../../src/cli/input-files.ts';
import { renderGenerated } from '../../src/cli/gen-crds.ts';
import { runCliCaptured } from '../../src/main.ts';

const ajv = new Ajv({ allErrors: true, strict: true });
const SCHEMAS = new Map<string, ValidateFunction>(
  readdirSync('schemas').map((file) => {
    const schema = JSON.parse(readFileSync(join('schemas', file), 'utf8')) as { title: string };
    return [schema.title, ajv.compile(schema)];
  }),
);

interface Doc {
  apiVersion?: unknown;
  kind?: unknown;
  [field: string]: unknown;
}

/** The documents of a file, read with the CLI's own limits; throws what the CLI would report. */
function documents(file: string): Doc[] {
  return parseYamlStream(readInputText(file), file).map((document, index) => {
    if (document.errors.length > 0) throw new Error(`YAML: ${document.errors[0]?.message ?? ''}`);
    return documentToJs(document, file, index) as Doc;
  });
}

const isSerin = (doc: Doc): boolean =>
  typeof doc.apiVersion === 'string' && doc.apiVersion.startsWith('serin.dev/');

/** The schema errors of one serin document, or 'no schema' when its kind has none. */
function problems(doc: Doc): string[] {
  const validate = SCHEMAS.get(String(doc.kind));
  if (validate === undefined) return [`no schema for kind ${String(doc.kind)}`];
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`);
}

const yamlFiles = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => join(dir, name));

const VALID_FILES = [
  ...yamlFiles('docs/examples'),
  ...yamlFiles('analysis-templates'),
  'test/fixtures/replay/canary.yaml',
  ...yamlFiles('test/fixtures/import').filter((file) => file.endsWith('.expected.yaml')),
];

/** Invalid fixtures whose problem is beyond a JSON Schema; `serin lint` refuses each. */
const LINT_ONLY = new Set([
  'test/fixtures/invalid/cel-syntax-error.yaml',
  'test/fixtures/invalid/cel-type-error.yaml',
  'test/fixtures/invalid/duplicate-template-reference.yaml',
  'test/fixtures/invalid/judge-comparison-promql-error.yaml',
  'test/fixtures/invalid/judge-scored-with-condition.yaml',
  'test/fixtures/invalid/missing-required-arg.yaml',
  'test/fixtures/invalid/promql-syntax-error.yaml',
  'test/fixtures/invalid/undeclared-placeholder.yaml',
  'test/fixtures/invalid/unknown-template-reference.yaml',
  'test/fixtures/hostile/hostile-cel.yaml',
  'test/fixtures/hostile/long-promql-chain.yaml',
]);

/** Fixtures that are not readable YAML at all: an editor (and serin) refuses them before any schema. */
const UNREADABLE = new Set([
  'test/fixtures/invalid/yaml-syntax-error.yaml',
  'test/fixtures/hostile/billion-laughs.yaml',
  'test/fixtures/hostile/binary-nul.yaml',
  'test/fixtures/hostile/crlf-bom.yaml',
  'test/fixtures/hostile/deep-nesting.yaml',
  'test/fixtures/hostile/duplicate-keys.yaml',
  'test/fixtures/hostile/invalid-utf8.yaml',
  'test/fixtures/hostile/random-bytes.yaml',
  'test/fixtures/hostile/self-alias.yaml',
  'test/fixtures/hostile/too-many-documents.yaml',
]);

const INVALID_FILES = [...yamlFiles('test/fixtures/invalid'), ...yamlFiles('test/fixtures/hostile')];
const REFUSED_BY_SCHEMA = INVALID_FILES.filter((file) => !LINT_ONLY.has(file) && !UNREADABLE.has(file));

describe('editor schemas (schemas/*.json)', () => {
  it('one per kind, each a valid JSON Schema (compiled by ajv in strict mode)', () => {
    expect([...SCHEMAS.keys()].sort()).toEqual([
      'AnalysisTemplate',
      'Approval',
      'Canary',
      'ClusterAnalysisTemplate',
    ]);
  });

  it('schemas/ and docs/api.md match what `npm run gen:crds` generates (run it after changing src/api)', () => {
    const generated = renderGenerated();
    const schemaFiles = [...generated.keys()].filter((path) => path.startsWith('schemas/'));
    expect(
      readdirSync('schemas')
        .map((name) => `schemas/${name}`)
        .sort(),
    ).toEqual(schemaFiles.sort());
    for (const path of [...schemaFiles, 'docs/api.md']) {
      expect(readFileSync(path, 'utf8'), `${path} is stale`).toBe(generated.get(path));
    }
  });

  it('the examples and templates hold serin objects of every kind (the checks below see something)', () => {
    const kinds = new Set(
      VALID_FILES.flatMap((file) => documents(file).filter(isSerin)).map((doc) => doc.kind),
    );
    expect([...kinds].sort()).toEqual(['AnalysisTemplate', 'Approval', 'Canary', 'ClusterAnalysisTemplate']);
  });

  it.each(VALID_FILES)('accept every serin object in %s', (file) => {
    for (const doc of documents(file).filter(isSerin))
      expect([String(doc.kind), problems(doc)]).toEqual([String(doc.kind), []]);
  });

  it.each(REFUSED_BY_SCHEMA)('refuse %s', (file) => {
    const serin = documents(file).filter(isSerin);
    expect(serin.length).toBeGreaterThan(0);
    expect(serin.some((doc) => problems(doc).length > 0)).toBe(true);
  });

  it.each([...UNREADABLE])('%s is not readable YAML, so no schema is asked', (file) => {
    expect(() => documents(file)).toThrow();
  });

  it.each([...LINT_ONLY])(
    '%s has a valid shape (a JSON Schema cannot see its problem) and serin lint refuses it',
    async (file) => {
      for (const doc of documents(file).filter(isSerin)) expect(problems(doc)).toEqual([]);
      const lint = await runCliCaptured(['lint', file]);
      expect(lint.code).toBe(1);
    },
  );

  it('refuse a misspelt field, as the API server does with strict field validation', () => {
    const canary = documents('docs/examples/canary.yaml')[0] as Doc & { spec: Record<string, unknown> };
    expect(problems({ ...canary, spec: { ...canary.spec, stpes: [] } })).toContain(
      '/spec must NOT have additional properties',
    );
  });

  it('carry the field descriptions for editor hovers', () => {
    const schema = JSON.parse(readFileSync('schemas/canary.json', 'utf8')) as {
      properties: { spec: { properties: Record<string, { description?: string }> } };
    };
    expect(schema.properties.spec.properties.progressDeadlineSeconds?.description).toContain('Default 600');
  });
});
