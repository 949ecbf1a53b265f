import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderCrds } from '../../src/cli/gen-crds.ts';
import { buildCrds } from '../../src/api/crds.ts';

type Node = Record<string, unknown>;
const ALLOWED_WITHOUT_TYPE = ['x-kubernetes-int-or-string', 'x-kubernetes-preserve-unknown-fields'];
const FORBIDDEN = [
  '$ref',
  '$schema',
  '$defs',
  'definitions',
  'const',
  'oneOf',
  'anyOf',
  'allOf',
  'not',
  'nullable',
];

/** Lists the ways a schema breaks Kubernetes' structural-schema rules, with their paths. */
function structuralViolations(node: Node, path: string): string[] {
  const found: string[] = [];
  for (const key of FORBIDDEN) if (key in node) found.push(`${path}: has ${key}`);
  const exempt = ALLOWED_WITHOUT_TYPE.some((key) => node[key] === true);
  if (typeof node.type !== 'string' && !exempt) found.push(`${path}: no type`);
  if ('properties' in node && 'additionalProperties' in node) {
    found.push(`${path}: properties and additionalProperties together`);
  }
  if (node.type === 'array' && typeof node.items !== 'object') found.push(`${path}: array without items`);
  for (const [name, sub] of Object.entries((node.properties ?? {}) as Record<string, Node>)) {
    found.push(...structuralViolations(sub, `${path}.${name}`));
  }
  if (typeof node.items === 'object') found.push(...structuralViolations(node.items as Node, `${path}[]`));
  if (typeof node.additionalProperties === 'object') {
    found.push(...structuralViolations(node.additionalProperties as Node, `${path}{}`));
  }
  return found;
}

function rootSchema(crd: ReturnType<typeof buildCrds>[number]): Node {
  const versions = crd.spec.versions as { schema: { openAPIV3Schema: Node } }[];
  return versions[0]!.schema.openAPIV3Schema;
}

describe('generated CRDs', () => {
  it('match the committed crds/ (run `npm run gen:crds` after changing src/api)', () => {
    const committed = readdirSync('crds').filter((name) => name.endsWith('.yaml'));
    const generated = renderCrds();
    expect(committed.sort()).toEqual([...generated.keys()].sort());
    for (const [name, text] of generated) {
      expect(readFileSync(join('crds', name), 'utf8'), `crds/${name} is stale`).toBe(text);
    }
  });

  it.each(buildCrds().map((crd) => [crd.metadata.name, crd] as const))(
    'the %s schema follows the structural-schema rules',
    (_name, crd) => {
      expect(structuralViolations(rootSchema(crd), 'openAPIV3Schema')).toEqual([]);
    },
  );

  it('detects a violation when a schema is not structural (the rule checker itself can fail)', () => {
    expect(structuralViolations({ type: 'object', properties: { a: { anyOf: [] } } }, 'x')).toEqual([
      'x.a: has anyOf',
      'x.a: no type',
    ]);
  });

  it('hoists the step union into one object with an exactly-one-of CEL rule', () => {
    const canary = buildCrds().find((crd) => crd.spec.names && (crd.spec.names as Node).kind === 'Canary')!;
    const spec = (rootSchema(canary).properties as Record<string, Node>).spec!;
    const steps = ((spec.properties as Record<string, Node>).steps!.items ?? {}) as Node;
    expect(Object.keys(steps.properties as Node)).toEqual(['setWeight', 'pause', 'analysis']);
    expect(steps['x-kubernetes-validations']).toEqual([
      {
        rule: '[has(self.setWeight), has(self.pause), has(self.analysis)].exists_one(x, x)',
        message: 'must set exactly one of setWeight, pause, analysis',
      },
    ]);
  });

  it('declares targetPort as int-or-string and keeps the machine state as opaque JSON', () => {
    const text = readFileSync('crds/canaries.serin.dev.yaml', 'utf8');
    const crd = parse(text) as Node;
    const schema = rootSchema(crd as never);
    const props = schema.properties as Record<string, Node>;
    const service = (props.spec!.properties as Record<string, Node>).service!;
    expect((service.properties as Record<string, Node>).targetPort).toEqual({
      'x-kubernetes-int-or-string': true,
      description: expect.stringContaining('a number (e.g. 8080)') as unknown,
    });
    const machine = (props.status!.properties as Record<string, Node>).machine;
    expect(machine).toEqual({
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
      description: expect.stringContaining('opaque') as unknown,
    });
  });

  it('gives Canary a status subresource, printer columns and short names', () => {
    const canary = parse(readFileSync('crds/canaries.serin.dev.yaml', 'utf8')) as {
      spec: { names: { shortNames: string[] }; versions: Node[] };
    };
    const version = canary.spec.versions[0]!;
    expect(version.subresources).toEqual({ status: {} });
    expect((version.additionalPrinterColumns as { name: string }[]).map((c) => c.name)).toEqual(
      expect.arrayContaining(['Phase', 'Weight', 'Step', 'Age']),
    );
    expect(canary.spec.names.shortNames).toContain('scn');
  });
});
