import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResourceCache, type KubeClient } from '../../src/kube/index.ts';
import { NS, secret } from './sim-helpers.ts';
import { eventually, startSim, type KubeSim } from '../support/index.ts';

let sim: KubeSim;
let client: KubeClient;

beforeAll(async () => {
  ({ sim, client } = await startSim({ namespaces: [NS] }));
});
afterAll(async () => {
  await sim.stop();
});

describe('many watchers', () => {
  it('keeps 100 concurrent informers in step with the server through a dropped watch', async () => {
    const caches = Array.from(
      { length: 100 },
      () =>
        new ResourceCache({
          client,
          apiVersion: 'v1',
          kind: 'Secret',
          namespace: NS,
          backoff: { initialMs: 20, maxMs: 500 },
        }),
    );
    const started = Date.now();
    for (const c of caches) c.start();
    await Promise.all(caches.map((c) => c.synced));
    const syncedMs = Date.now() - started;

    const writesAt = Date.now();
    for (let i = 0; i < 20; i++) await client.create(secret(`many-${i}`, String(i)));
    sim.faults.dropWatches();
    for (let i = 0; i < 20; i += 2)
      await client.delete({ apiVersion: 'v1', kind: 'Secret', namespace: NS, name: `many-${i}` });
    const want = (await client.list('v1', 'Secret', { namespace: NS })).items
      .map((o) => o.metadata.name)
      .sort();
    await eventually(
      () =>
        caches.every(
          (c) =>
            JSON.stringify(
              c
                .list()
                .map((o) => o.metadata.name)
                .sort(),
            ) === JSON.stringify(want),
        ),
      'all 100 caches to converge',
      30_000,
    );
    const convergedMs = Date.now() - writesAt;
    console.log(
      `100 informers: synced in ${syncedMs} ms; 30 writes + a dropped watch converged in ${convergedMs} ms`,
    );
    expect(caches.every((c) => c.healthy())).toBe(true);
    await Promise.all(caches.map((c) => c.stop()));
  });
});
