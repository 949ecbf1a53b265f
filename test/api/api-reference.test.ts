import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderApiReference, rulesInWords } from '../../src/cli/api-reference.ts';
import { explainedKinds, type SchemaNode } from '../../src/cli/explain.ts';

const reference = readFileSync('docs/api.md', 'utf8');

/** Every field path of a kind as docs/api.md writes it (`[]` for the items of a list). */
function fieldPaths(node: SchemaNode, prefix: string): string[] {
  const holder = node.items ?? node;
  const base = node.items === undefined ? prefix : `${prefix}[]`;
  return Object.entries(holder.properties ?? {}).flatMap(([name, sub]) => {
    const path = base === '' ? name : `${base}.${name}`;
    return [path, ...fieldPaths(sub, path)];
  });
}

/** The rows of one kind's section of docs/api.md, by their field path. */
function section(kind: string): Map<string, string> {
  const start = reference.indexOf(`## ${kind}\n`);
  const end = reference.indexOf('\n## ', start + 1);
  const text = reference.slice(start, end === -1 ? undefined : end);
  return new Map(
    [...text.matchAll(/^\| `([^`]+)` \|(.*)$/gm)].map((match) => [match[1] ?? '', match[2] ?? '']),
  );
}

describe('docs/api.md', () => {
  it('is what the generator writes (npm run gen:crds)', () => {
    expect(reference).toBe(renderApiReference());
  });

  it.each(explainedKinds().map((kind) => [kind.names.kind, kind] as const))(
    'has a row for every field of %s',
    (name, kind) => {
      const rows = section(name);
      const missing = fieldPaths(kind.schema, '')
        .filter((path) => !['apiVersion', 'kind', 'metadata'].includes(path))
        .filter((path) => !rows.has(path));
      expect(missing).toEqual([]);
      expect(rows.size).toBeGreaterThan(5);
    },
  );

  it('gives type, default, description and the rules in words', () => {
    const canary = section('Canary');
    expect(canary.get('spec.progressDeadlineSeconds')).toMatch(
      /^ integer \| `600` \| Seconds the canary .* \| at least 1 \|$/,
    );
    expect(canary.get('spec.steps[]')).toContain('must set exactly one of setWeight, pause, analysis (CEL: ');
    expect(canary.get('spec.steps[].setWeight')).toContain('| 0 to 100 |');
    expect(canary.get('spec.service.name')).toContain('Services &lt;name&gt;-primary');
    const template = section('AnalysisTemplate');
    expect(template.get('spec.metrics[].provider.judge.confidence')).toContain('| above 0, below 1 |');
    expect(template.get('spec.metrics')).toContain('items unique by name');
    expect(template.get('spec.metrics[].provider.judge')).toContain('scoring needs comparisons (CEL: ');
  });

  it('writes bounds, lengths, patterns, enums and CEL messages as words', () => {
    const node: SchemaNode = {
      type: 'string',
      enum: ['A', 'B'],
      minLength: 1,
      pattern: '^a|b$',
      'x-kubernetes-validations': [{ rule: 'self != "B"', message: 'must not be B' }],
    };
    expect(rulesInWords(node, true)).toEqual([
      'required',
      'one of `A`, `B`',
      'not empty',
      'matches `^a|b$`',
      'must not be B (CEL: `self != "B"`)',
    ]);
    expect(rulesInWords({ type: 'integer', minimum: 2, maximum: 5 }, false)).toEqual(['2 to 5']);
    expect(rulesInWords({ type: 'array', maxItems: 3 }, false)).toEqual(['at most 3 items']);
    // zod's safe-integer bounds are JavaScript's limit, not a rule.
    expect(rulesInWords({ type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER }, false)).toEqual([
      'at least 0',
    ]);
    expect(rulesInWords({ type: 'number', minimum: 0, exclusiveMinimum: true }, false)).toEqual(['above 0']);
  });
});
