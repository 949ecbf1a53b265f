import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createKubeClient, loadKubeConfig } from '../../src/kube/index.ts';
import { startKubeSim, type KubeSim } from '../../src/sim/kube/index.ts';
import { canary } from '../controller/harness.ts';

const run = promisify(execFile);
const HAS_KUBECTL = (() => {
  try {
    execFileSync('kubectl', ['version', '--client']);
    return true;
  } catch {
    return false;
  }
})();
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

let sim: KubeSim;
afterEach(async () => sim.stop());

async function withCanary(): Promise<void> {
  sim = await startKubeSim({ port: 0, namespaces: ['shop'] });
  const client = createKubeClient(loadKubeConfig({ kubeconfig: sim.kubeconfigPath }).kubeConfig);
  const obj = canary();
  obj.metadata = { name: 'web', namespace: 'shop' };
  await client.create(obj);
  await client.mergePatch(
    { apiVersion: 'serin.dev/v1alpha1', kind: 'Canary', namespace: 'shop', name: 'web' },
    {
      status: {
        phase: 'Paused',
        canaryWeight: 50,
        currentStepIndex: 4,
        revision: 'bd5ccb6e57',
        message: 'waits',
      },
    },
    { subresource: 'status' },
  );
}

async function getTable(path: string): Promise<Record<string, unknown>> {
  const token = sim.kubeconfig.users[0]!.token;
  const res = await fetch(`${sim.url}${path}`, {
    headers: { Accept: TABLE, Authorization: `Bearer ${token}` },
  });
  return (await res.json()) as Record<string, unknown>;
}

describe('the Table format', () => {
  it('serves a custom resource list as a Table of its CRD’s printer columns, with the Name first', async () => {
    await withCanary();
    const table = await getTable('/apis/serin.dev/v1alpha1/namespaces/shop/canaries');
    expect(table).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
    const columns = (table.columnDefinitions as { name: string; priority: number }[]).map((c) => [
      c.name,
      c.priority,
    ]);
    expect(columns).toEqual([
      ['Name', 0],
      ['Phase', 0],
      ['Weight', 0],
      ['Step', 0],
      ['Revision', 1],
      ['Message', 1],
      ['Age', 0],
    ]);
    const rows = table.rows as { cells: unknown[]; object: { kind: string; metadata: { name: string } } }[];
    expect(rows.map((r) => r.cells.slice(0, 6))).toEqual([['web', 'Paused', 50, 4, 'bd5ccb6e57', 'waits']]);
    expect(rows[0]?.cells[6]).toMatch(/^\d+s$/);
    expect(rows[0]?.object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'web' } });
  });

  it('serves one object as a one-row Table, and plain JSON when the client does not ask for a Table', async () => {
    await withCanary();
    const one = await getTable('/apis/serin.dev/v1alpha1/namespaces/shop/canaries/web');
    expect((one.rows as unknown[]).length).toBe(1);
    const token = sim.kubeconfig.users[0]!.token;
    const plain = await fetch(`${sim.url}/apis/serin.dev/v1alpha1/namespaces/shop/canaries/web`, {
      headers: { Accept: 'application/json', Authorization: `Bearer ${token}` },
    });
    expect(((await plain.json()) as { kind: string }).kind).toBe('Canary');
  });

  it.skipIf(!HAS_KUBECTL)(
    'lets kubectl get canaries show serin’s columns (wide adds the priority-1 ones)',
    async () => {
      await withCanary();
      const kubectl = async (...args: string[]) =>
        (await run('kubectl', ['get', 'canaries', '-n', 'shop', '--kubeconfig', sim.kubeconfigPath, ...args]))
          .stdout;
      expect((await kubectl()).split('\n')[0]?.split(/\s+/)).toEqual([
        'NAME',
        'PHASE',
        'WEIGHT',
        'STEP',
        'AGE',
      ]);
      expect((await kubectl()).split('\n')[1]).toMatch(/^web\s+Paused\s+50\s+4\s+\d+s$/);
      expect((await kubectl('-o', 'wide')).split('\n')[0]?.split(/\s+/)).toEqual([
        'NAME',
        'PHASE',
        'WEIGHT',
        'STEP',
        'REVISION',
        'MESSAGE',
        'AGE',
      ]);
    },
  );
});
