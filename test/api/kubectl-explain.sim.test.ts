/**
 * Issue 23, done when: `kubectl explain canary.spec.steps.analysis` shows real descriptions. The
 * simulator loads the generated crds/ and publishes each CRD's schema at /openapi/v3 as
 * kube-apiserver does, so the real kubectl reads them; `serin explain` must print the same text.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { explain, explainedKinds, type SchemaNode } from '../../src/cli/explain.ts';
import { startKubeSim, type KubeSim } from '../../src/sim/kube/index.ts';

const run = promisify(execFile);
/** kubectl is on every machine the project runs on; without it this proof skips, except in CI (CI=true), where it fails. */
const HAS_KUBECTL = (() => {
  try {
    execFileSync('kubectl', ['version', '--client']);
    return true;
  } catch (err) {
    if (process.env.CI === 'true') throw new Error('CI=true but kubectl does not run', { cause: err });
    return false;
  }
})();

interface Node {
  description?: string;
  properties?: Record<string, Node>;
  items?: Node;
}

describe('kubectl explain canary.spec.steps.analysis', () => {
  it('the generated CRD describes the field and each field below it', () => {
    const crd = parse(readFileSync('crds/canaries.serin.dev.yaml', 'utf8')) as {
      spec: { versions: { schema: { openAPIV3Schema: Node } }[] };
    };
    const root = crd.spec.versions[0]!.schema.openAPIV3Schema;
    const steps = root.properties!.spec!.properties!.steps!;
    const analysis = steps.items!.properties!.analysis!;
    expect(steps.description).toMatch(/^The rollout, in order/);
    expect(analysis.description).toMatch(/^Run the templates' metrics/);
    for (const field of ['templates', 'args', 'onFailure']) {
      expect(analysis.properties![field]!.description, field).toMatch(/\w{4,}/);
    }
  });
});

/** Paths kubectl prints a field list for (objects and lists of objects), and a few leaves. */
function explainedPaths(node: SchemaNode, prefix: string): string[] {
  const holder = node.items ?? node;
  return Object.entries(holder.properties ?? {}).flatMap(([name, sub]) => {
    const path = `${prefix}.${name}`;
    const hasFields = Object.keys((sub.items ?? sub).properties ?? {}).length > 0;
    return hasFields ? [path, ...explainedPaths(sub, path)] : [];
  });
}

describe.skipIf(!HAS_KUBECTL)('the real kubectl explain against the simulator', () => {
  let sim: KubeSim;
  beforeAll(async () => {
    sim = await startKubeSim({ port: 0 });
  });
  afterAll(async () => {
    await sim.stop();
  });

  const kubectlExplain = async (path: string): Promise<string> =>
    (await run('kubectl', ['explain', path, '--kubeconfig', sim.kubeconfigPath])).stdout;

  it('shows the real descriptions of canary.spec.steps.analysis', async () => {
    const text = await kubectlExplain('canary.spec.steps.analysis');
    expect(text).not.toContain('<empty>');
    expect(text).not.toContain('<no description>');
    expect(text).toContain("DESCRIPTION:\n    Run the templates' metrics and wait for the verdict");
    expect(text).toContain(
      '  templates\t<[]Object> -required-\n    The templates whose metrics run together',
    );
  });

  const leaves = ['canary.spec.onFailure', 'canary.spec.progressDeadlineSeconds', 'approval.spec.action'];
  const paths = [
    ...explainedKinds().flatMap((kind) => [
      kind.names.singular,
      ...explainedPaths(kind.schema, kind.names.singular),
    ]),
    ...leaves,
  ];

  it(`serin explain prints what kubectl explain prints, for ${paths.length} kinds and fields`, async () => {
    const differ: string[] = [];
    for (const path of paths) {
      const offline = explain(path);
      const online = await kubectlExplain(path);
      if (offline.kind !== 'text' || offline.text !== online) differ.push(path);
    }
    expect(differ).toEqual([]);
  }, 120_000);
});
