import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/kube/index.ts';
import { createKubeClient, loadKubeConfig } from '../../src/kube/index.ts';
import { startKubeSim, type KubeSim } from '../../src/sim/kube/index.ts';
import { canary } from '../controller/harness.ts';

let sim: KubeSim | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function create(notifications: unknown): Promise<string> {
  sim ??= await startKubeSim({ port: 0, namespaces: ['test'] });
  const client = createKubeClient(loadKubeConfig({ kubeconfig: sim.kubeconfigPath }).kubeConfig);
  const object = canary({ notifications } as never);
  const { name: _name, ...metadata } = object.metadata;
  try {
    await client.create<KubeObject>({ ...object, metadata: { ...metadata, generateName: 'c-' } });
    return 'created';
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

describe('spec.notifications in the CRD (the API server refuses it before serin sees it)', () => {
  it('accepts receivers with known events', async () => {
    expect(await create({ receivers: [{ receiver: 'team-chat', events: ['Aborted'] }] })).toBe('created');
  });

  it('refuses an unknown event, a receiver listed twice and an event listed twice', async () => {
    expect(await create({ receivers: [{ receiver: 'team-chat', events: ['Rollbacked'] }] })).toMatch(
      /spec\.notifications\.receivers\[0\]\.events\[0\].*Unsupported value: "Rollbacked"/,
    );
    expect(await create({ receivers: [{ receiver: 'a' }, { receiver: 'a' }] })).toMatch(/Duplicate value/);
    expect(await create({ receivers: [{ receiver: 'a' }], events: ['Aborted', 'Aborted'] })).toMatch(
      /Duplicate value/,
    );
  });
});
