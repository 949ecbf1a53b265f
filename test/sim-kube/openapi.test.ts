import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startKubeSim, type KubeSim } from '../../src/sim/kube/index.ts';

const run = promisify(execFile);
const HAS_KUBECTL = (() => {
  try {
    execFileSync('kubectl', ['version', '--client']);
    return true;
  } catch {
    return false;
  }
})();

let sim: KubeSim;
let dir: string;
afterEach(async () => {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

function approvalFile(extraSpec: Record<string, unknown> = {}): string {
  dir = mkdtempSync(join(tmpdir(), 'serin-openapi-'));
  const file = join(dir, 'approval.yaml');
  const spec = {
    canaryRef: { name: 'web' },
    action: 'Promote',
    revision: 'abc',
    approver: 'serin-sim',
    ...extraSpec,
  };
  writeFileSync(
    file,
    stringify({
      apiVersion: 'serin.dev/v1alpha1',
      kind: 'Approval',
      metadata: { name: 'web-ok', namespace: 'shop' },
      spec,
    }),
  );
  return file;
}

async function kubectlCreate(file: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run('kubectl', ['create', '-f', file, '--kubeconfig', sim.kubeconfigPath]);
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, out: e.stderr };
  }
}

describe('OpenAPI v3 for kubectl', () => {
  it('indexes every served group-version and tags its write operations with kind and fieldValidation', async () => {
    sim = await startKubeSim({ port: 0 });
    dir = mkdtempSync(join(tmpdir(), 'serin-openapi-'));
    const index = (await (await fetch(`${sim.url}/openapi/v3`)).json()) as {
      paths: Record<string, { serverRelativeURL: string }>;
    };
    expect(index.paths['apis/serin.dev/v1alpha1']).toEqual({
      serverRelativeURL: '/openapi/v3/apis/serin.dev/v1alpha1',
    });
    expect(index.paths['api/v1']).toBeDefined();
    const gv = (await (await fetch(`${sim.url}/openapi/v3/apis/serin.dev/v1alpha1`)).json()) as {
      paths: Record<
        string,
        { patch?: { 'x-kubernetes-group-version-kind': unknown; parameters: { name: string }[] } }
      >;
    };
    const patch = gv.paths['/apis/serin.dev/v1alpha1/namespaces/{namespace}/approvals/{name}']?.patch;
    expect(patch?.['x-kubernetes-group-version-kind']).toEqual({
      group: 'serin.dev',
      version: 'v1alpha1',
      kind: 'Approval',
    });
    expect(patch?.parameters.map((p) => p.name)).toContain('fieldValidation');
  });

  it.skipIf(!HAS_KUBECTL)(
    'lets kubectl create -f validate on the server without --validate=false',
    async () => {
      sim = await startKubeSim({ port: 0, namespaces: ['shop'] });
      expect(await kubectlCreate(approvalFile())).toEqual({
        code: 0,
        out: 'approval.serin.dev/web-ok created\n',
      });
      const bad = await kubectlCreate(approvalFile({ bogus: 1 }));
      expect(bad.code).not.toBe(0);
      expect(bad.out).toContain('strict decoding error: unknown field "spec.bogus"');
    },
  );
});
