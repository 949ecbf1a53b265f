import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResourceCache, type CacheEvent, type KubeClient, type KubeObject } from '../../src/kube/index.ts';
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

const ref = (name: string) => ({ apiVersion: 'v1', kind: 'Secret', namespace: NS, name });

/** A started cache over Secrets with `labelSelector`, recording every event it delivers. */
async function recordingCache(label: string) {
  const cache = new ResourceCache({
    client,
    apiVersion: 'v1',
    kind: 'Secret',
    namespace: NS,
    labelSelector: `suite=${label}`,
    backoff: { initialMs: 20, maxMs: 200 },
  });
  const events: string[] = [];
  cache.onChange((e: CacheEvent<KubeObject>) => {
    events.push(`${e.type}:${e.object.metadata.name ?? ''}@${e.object.metadata.resourceVersion ?? ''}`);
  });
  cache.start();
  await cache.synced;
  return { cache, events };
}

/** The cache holds exactly what the server holds (names and resourceVersions). */
async function matchesServer(cache: ResourceCache, label: string): Promise<boolean> {
  const server = await client.list('v1', 'Secret', { namespace: NS, labelSelector: `suite=${label}` });
  const want = server.items.map((o) => `${o.metadata.name ?? ''}@${o.metadata.resourceVersion ?? ''}`).sort();
  const have = cache
    .list()
    .map((o) => `${o.metadata.name ?? ''}@${o.metadata.resourceVersion ?? ''}`)
    .sort();
  return JSON.stringify(want) === JSON.stringify(have);
}

/** No (type, object, resourceVersion) delivered twice; the last event per object is its final state. */
function expectExactlyOnce(events: string[], finalStates: Map<string, string>): void {
  expect(new Set(events).size).toBe(events.length);
  const last = new Map<string, string>();
  for (const e of events) {
    const [type, rest] = e.split(':') as [string, string];
    const [name, rv] = rest.split('@') as [string, string];
    last.set(name, type === 'deleted' ? 'deleted' : rv);
  }
  expect(Object.fromEntries(last)).toEqual(Object.fromEntries(finalStates));
}

async function finalStates(names: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of names) {
    const obj = await client.find(ref(name));
    out.set(name, obj?.metadata.resourceVersion ?? 'deleted');
  }
  return out;
}

describe('ResourceCache', () => {
  it('lists then watches: holds objects created before and after it started', async () => {
    await client.create(secret('lw-before', 'a', { suite: 'lw' }));
    const { cache } = await recordingCache('lw');
    expect(cache.isSynced()).toBe(true);
    expect(cache.get(NS, 'lw-before')).toBeDefined();
    await client.create(secret('lw-after', 'b', { suite: 'lw' }));
    await eventually(() => cache.get(NS, 'lw-after') !== undefined, 'the watch to deliver lw-after');
    expect(cache.healthy()).toBe(true);
    await cache.stop();
  });

  it('survives dropped watches without missing or duplicating final states', async () => {
    const names = ['drop-a', 'drop-b', 'drop-c', 'drop-d'];
    await client.create(secret('drop-a', '1', { suite: 'drop' }));
    await client.create(secret('drop-b', '1', { suite: 'drop' }));
    const { cache, events } = await recordingCache('drop');
    for (let round = 0; round < 5; round++) {
      sim.faults.dropWatches();
      await client.mergePatch(ref('drop-a'), { stringData: { value: `a${round}` } });
      await client.create(secret(`drop-tmp-${round}`, 'x', { suite: 'drop' }));
      await client.delete(ref(`drop-tmp-${round}`));
    }
    await client.delete(ref('drop-b'));
    await client.create(secret('drop-c', '1', { suite: 'drop' }));
    sim.faults.dropWatches();
    await client.create(secret('drop-d', '1', { suite: 'drop' }));
    await eventually(() => matchesServer(cache, 'drop'), 'the cache to match the server');
    const finals = await finalStates(names);
    // Short-lived objects must not linger in the cache (their final state is "deleted").
    for (let round = 0; round < 5; round++) finals.set(`drop-tmp-${round}`, 'deleted');
    expectExactlyOnce(events, finals);
    expect(cache.health().watches).toBeGreaterThan(1);
    await cache.stop();
  });

  it('re-lists after 410 Expired and reports deletions that happened meanwhile', async () => {
    await client.create(secret('exp-a', '1', { suite: 'exp' }));
    await client.create(secret('exp-b', '1', { suite: 'exp' }));
    // Unchanged across the re-list: must not be reported again.
    await client.create(secret('exp-keep', '1', { suite: 'exp' }));
    const { cache, events } = await recordingCache('exp');
    const listsBefore = cache.health().lists;
    // Hold the watch reconnect back while things change and the history is forgotten, so the
    // resume arrives with a resourceVersion the server no longer has.
    sim.faults.setLatency(1500, { method: 'GET', watch: true });
    sim.faults.dropWatches();
    await client.delete(ref('exp-b'));
    await client.mergePatch(ref('exp-a'), { stringData: { value: '2' } });
    await client.create(secret('exp-c', '1', { suite: 'exp' }));
    sim.faults.expireHistory();
    sim.faults.setLatency(0);
    await eventually(() => matchesServer(cache, 'exp'), 'the cache to match the server');
    expect(cache.health().lists).toBeGreaterThan(listsBefore);
    expectExactlyOnce(events, await finalStates(['exp-a', 'exp-b', 'exp-c', 'exp-keep']));
    expect(events.filter((e) => e.includes('exp-keep'))).toHaveLength(1);
    await cache.stop();
  });

  it('reconnects with backoff after failed watches and becomes healthy again', async () => {
    const { cache } = await recordingCache('fail');
    // Watch requests only: lists go through KubeClient, which retries 500s on its own.
    sim.faults.failNext({
      method: 'GET',
      path: `/api/v1/namespaces/${NS}/secrets`,
      watch: true,
      count: 4,
      status: 500,
    });
    sim.faults.dropWatches();
    await eventually(() => cache.health().consecutiveFailures >= 3, 'failures to be counted');
    expect(cache.healthy()).toBe(false);
    await client.create(secret('fail-after', '1', { suite: 'fail' }));
    await eventually(() => cache.get(NS, 'fail-after') !== undefined, 'recovery');
    await eventually(() => cache.healthy(), 'health to return', 5000);
    await cache.stop();
  });

  it('keeps objects outside its label selector out', async () => {
    const { cache } = await recordingCache('sel');
    await client.create(secret('sel-in', '1', { suite: 'sel' }));
    await client.create(secret('sel-out', '1', { suite: 'other' }));
    await eventually(() => cache.get(NS, 'sel-in') !== undefined, 'sel-in');
    expect(cache.get(NS, 'sel-out')).toBeUndefined();
    await cache.stop();
  });

  it('rejects synced when stopped before the first list', async () => {
    const cache = new ResourceCache({ client, apiVersion: 'v1', kind: 'Secret', namespace: NS });
    const stopped = cache.stop();
    await expect(cache.synced).rejects.toThrow(/stopped/);
    await stopped;
  });
});
