import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

type Node = Record<string, unknown>;

const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every schema node a user can name in `kubectl explain` (the root and each property), without a description. */
function undescribed(node: Node, path: string): string[] {
  const found: string[] = [];
  if (typeof node.description !== 'string' || node.description.trim() === '') found.push(path);
  found.push(...undescribedBelow(node, path));
  return found;
}

function undescribedBelow(node: Node, path: string): string[] {
  const found: string[] = [];
  if (isNode(node.properties)) {
    for (const [name, sub] of Object.entries(node.properties)) {
      if (isNode(sub)) found.push(...undescribed(sub, `${path}.${name}`));
    }
  }
  // An array's items and a map's values are named through the field that holds them.
  if (isNode(node.items)) found.push(...undescribedBelow(node.items, `${path}[]`));
  if (isNode(node.additionalProperties)) {
    found.push(...undescribedBelow(node.additionalProperties, `${path}{}`));
  }
  return found;
}

/** CEL rules without a message people can read (the API server would print the rule itself). */
function rulesWithoutMessage(node: Node, path: string): string[] {
  const found: string[] = [];
  const rules = Array.isArray(node['x-kubernetes-validations']) ? node['x-kubernetes-validations'] : [];
  for (const rule of rules as Node[]) {
    if (typeof rule.message !== 'string' || rule.message === '') found.push(`${path}: ${String(rule.rule)}`);
  }
  const children = [
    ...Object.entries(isNode(node.properties) ? node.properties : {}).map(([n, s]) => [`${path}.${n}`, s]),
    [`${path}[]`, node.items],
    [`${path}{}`, node.additionalProperties],
  ] as [string, unknown][];
  for (const [childPath, child] of children)
    if (isNode(child)) found.push(...rulesWithoutMessage(child, childPath));
  return found;
}

/** Fields whose schema has a default that their description does not mention ("Default 600."). */
function defaultsNotDescribed(node: Node, path: string): string[] {
  const found: string[] = [];
  const description = typeof node.description === 'string' ? node.description : '';
  if (node.default !== undefined && !description.includes('Default')) found.push(path);
  for (const [name, sub] of Object.entries(isNode(node.properties) ? node.properties : {})) {
    if (isNode(sub)) found.push(...defaultsNotDescribed(sub, `${path}.${name}`));
  }
  if (isNode(node.items)) found.push(...defaultsNotDescribed(node.items, `${path}[]`));
  return found;
}

const CRDS = readdirSync('crds')
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => {
    const crd = parse(readFileSync(join('crds', name), 'utf8')) as {
      spec: { names: { kind: string }; versions: { schema: { openAPIV3Schema: Node } }[] };
    };
    return [crd.spec.names.kind, crd.spec.versions[0]!.schema.openAPIV3Schema] as const;
  });

describe('the generated CRDs document themselves', () => {
  it('ships the four kinds', () => {
    expect(CRDS.map(([kind]) => kind).sort()).toEqual([
      'AnalysisTemplate',
      'Approval',
      'Canary',
      'ClusterAnalysisTemplate',
    ]);
  });

  it.each(CRDS)('every field of %s has a description (add .describe() in src/api)', (kind, schema) => {
    expect(undescribed(schema, kind)).toEqual([]);
  });

  it.each(CRDS)(
    'every field of %s with a default names it in its description (kubectl explain does not show defaults)',
    (kind, schema) => {
      expect(defaultsNotDescribed(schema, kind)).toEqual([]);
    },
  );

  it.each(CRDS)('every CEL rule of %s has a message', (kind, schema) => {
    expect(rulesWithoutMessage(schema, kind)).toEqual([]);
  });

  it('finds a field without a description, in a list item and a map value too (the checker itself can fail)', () => {
    const schema: Node = {
      description: 'root',
      type: 'object',
      properties: {
        described: { type: 'string', description: 'yes' },
        bare: { type: 'string' },
        list: {
          type: 'array',
          description: 'a list',
          items: { type: 'object', properties: { inner: { type: 'integer' } } },
        },
        map: {
          type: 'object',
          description: 'a map',
          additionalProperties: {
            type: 'object',
            properties: { value: { type: 'string', description: ' ' } },
          },
        },
      },
    };
    expect(undescribed(schema, 'X')).toEqual(['X.bare', 'X.list[].inner', 'X.map{}.value']);
    expect(rulesWithoutMessage({ 'x-kubernetes-validations': [{ rule: 'true' }] }, 'X')).toEqual(['X: true']);
    const defaults: Node = {
      properties: {
        a: { default: 3, description: 'A count. Default 3.' },
        b: { default: 1, description: 'B.' },
      },
    };
    expect(defaultsNotDescribed(defaults, 'X')).toEqual(['X.b']);
  });

  it('describes the durations, CEL conditions and PromQL placeholders with an example', () => {
    const template = CRDS.find(([kind]) => kind === 'AnalysisTemplate')![1];
    const metric = (
      ((template.properties as Record<string, Node>).spec!.properties as Record<string, Node>).metrics!
        .items as Node
    ).properties as Record<string, Node>;
    expect(metric.interval!.description).toMatch(/duration.*e\.g\. 1m/);
    expect(metric.successCondition!.description).toMatch(/CEL.*Example: result < 0\.01/);
    const prometheus = ((metric.provider!.properties as Record<string, Node>).prometheus!.properties ??
      {}) as Record<string, Node>;
    expect(prometheus.query!.description).toContain('{{canary.workload}}');
  });
});
