import { afterAll, beforeAll, expect, it } from 'vitest';
import { ResourceCache, type KubeClient } from '../../src/kube/index.ts';
import { NS } from './sim-helpers.ts';
import { eventually, startSim, type KubeSim } from '../support/index.ts';

let sim: KubeSim;
let client: KubeClient;

beforeAll(async () => {
  ({ sim, client } = await startSim({ namespaces: [NS] }));
});
afterAll(async () => {
  await sim.stop();
});

it('stop() right after the first list cuts the watch that is still connecting, instead of waiting out its timeout', async () => {
  // The window is between the list and the watch's response headers: stop() then found nothing to
  // cut, and returned only when the server ended the watch, minutes later (serin dashboard's Ctrl-C).
  for (let i = 0; i < 10; i++) {
    const cache = new ResourceCache({ client, apiVersion: 'v1', kind: 'Secret', namespace: NS });
    cache.start();
    await cache.synced;
    // Land stop() at different points of the watch's connection.
    await new Promise((resolve) => setTimeout(resolve, i));
    const stopped = await Promise.race([
      cache.stop().then(() => true),
      new Promise<boolean>((resolve) =>
        setTimeout(() => {
          resolve(false);
        }, 10_000),
      ),
    ]);
    expect(stopped).toBe(true);
  }
  await eventually(() => sim.openWatchCount() === 0, 'the server sees every watch closed');
}, 60_000);
