import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KubeError,
  PatchContentType,
  StatusWriter,
  createKubeClient,
  retryOnConflict,
  type KubeClient,
  type KubeObject,
} from '../../src/kube/index.ts';
import { NS, canary, deployment, secret, virtualService } from './sim-helpers.ts';
import { clientFor, kubeConfigFor, startSim, type KubeSim } from '../support/index.ts';

let sim: KubeSim;
let client: KubeClient;

beforeAll(async () => {
  ({ sim, client } = await startSim({ namespaces: [NS] }));
});
afterAll(async () => {
  await sim.stop();
});

const ref = (o: KubeObject) => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  namespace: o.metadata.namespace ?? NS,
  name: o.metadata.name ?? '',
});

async function errorOf(p: Promise<unknown>): Promise<KubeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof KubeError)) throw new Error(`expected a KubeError, got ${String(err)}`);
  return err;
}

describe('CRUD through KubeClient', () => {
  it('creates, reads, lists by label, replaces and deletes an object', async () => {
    const created = await client.create(secret('crud-a', 'one', { team: 'red' }));
    await client.create(secret('crud-b', 'two', { team: 'blue' }));
    expect(created.metadata.resourceVersion).toBeTruthy();

    const read = await client.get(ref(created));
    expect(read.metadata.uid).toBe(created.metadata.uid);

    const red = await client.list('v1', 'Secret', { namespace: NS, labelSelector: 'team=red' });
    expect(red.items.map((o) => o.metadata.name)).toEqual(['crud-a']);
    expect(red.items[0]?.kind).toBe('Secret');
    expect(red.resourceVersion).not.toBe('');

    const replaced = await client.replace({
      ...read,
      metadata: { ...read.metadata, labels: { team: 'green' } },
    });
    expect(replaced.metadata.resourceVersion).not.toBe(read.metadata.resourceVersion);

    expect(await client.delete(ref(created))).toBe(true);
    expect(await client.find(ref(created))).toBeUndefined();
    expect(await client.delete(ref(created))).toBe(false);
  });

  it('names an object from generateName', async () => {
    const obj = secret('', 'x');
    obj.metadata = { generateName: 'gen-', namespace: NS };
    const a = await client.create(obj);
    const b = await client.create(obj);
    expect(a.metadata.name).toMatch(/^gen-.+/);
    expect(a.metadata.name).not.toBe(b.metadata.name);
  });

  it('reports a missing object as NotFound with the server message', async () => {
    const err = await errorOf(client.get({ apiVersion: 'v1', kind: 'Secret', namespace: NS, name: 'nope' }));
    expect(err).toMatchObject({ code: 'NotFound', status: 404 });
    expect(err.message).toContain('nope');
  });

  it('rejects a Canary that breaks its schema with Invalid (422) naming the field', async () => {
    const bad = canary('bad-steps');
    (bad.spec as { steps: unknown }).steps = [{ setWeight: 500 }];
    const err = await errorOf(client.create(bad));
    expect(err).toMatchObject({ code: 'Invalid', status: 422 });
    expect(err.message).toContain('setWeight');
  });
});

describe('optimistic concurrency', () => {
  it('fails a replace carrying a stale resourceVersion with Conflict (409)', async () => {
    const v1 = await client.create(secret('occ-put', 'a'));
    await client.mergePatch(ref(v1), { stringData: { value: 'b' } });
    const err = await errorOf(client.replace({ ...v1, stringData: { value: 'c' } }));
    expect(err).toMatchObject({ code: 'Conflict', status: 409 });
  });

  it('fails a merge patch carrying a stale resourceVersion with Conflict', async () => {
    const v1 = await client.create(secret('occ-merge', 'a'));
    await client.mergePatch(ref(v1), { metadata: { labels: { x: '1' } } });
    const err = await errorOf(
      client.mergePatch(ref(v1), {
        metadata: { resourceVersion: v1.metadata.resourceVersion, labels: { x: '2' } },
      }),
    );
    expect(err.code).toBe('Conflict');
  });

  it('retryOnConflict re-reads and wins after a concurrent writer', async () => {
    const other = clientFor(sim);
    const created = await client.create(secret('occ-retry', '0'));
    let attempts = 0;
    const result = await retryOnConflict(async () => {
      attempts++;
      const current = await client.get(ref(created));
      // A concurrent writer sneaks in before our first update only.
      if (attempts === 1) await other.mergePatch(ref(created), { metadata: { labels: { by: 'other' } } });
      return client.replace({ ...current, metadata: { ...current.metadata, annotations: { by: 'us' } } });
    });
    expect(attempts).toBe(2);
    expect(result.metadata.labels).toEqual({ by: 'other' });
    expect(result.metadata.annotations).toEqual({ by: 'us' });
  });
});

describe('patch content types', () => {
  it('applies a merge patch to a custom resource', async () => {
    const c = await client.create(canary('merge-cr'));
    const patched = await client.mergePatch(ref(c), { spec: { service: { port: 8080 } } });
    expect((patched.spec as { service: { port: number } }).service.port).toBe(8080);
  });

  it('applies a JSON patch whose test op holds', async () => {
    const vs = await client.create(virtualService('vs-ok'));
    const patched = await client.jsonPatch(ref(vs), [
      { op: 'test', path: '/spec/http/0/name', value: 'primary' },
      { op: 'replace', path: '/spec/http/0/route/0/weight', value: 80 },
      { op: 'replace', path: '/spec/http/0/route/1/weight', value: 20 },
    ]);
    const route = (patched.spec as { http: { route: { weight: number }[] }[] }).http[0]?.route;
    expect(route?.map((r) => r.weight)).toEqual([80, 20]);
  });

  it('rejects a JSON patch whose test op fails with Invalid (422) and changes nothing', async () => {
    const vs = await client.create(virtualService('vs-test'));
    const err = await errorOf(
      client.jsonPatch(ref(vs), [
        { op: 'test', path: '/spec/http/0/name', value: 'not-primary' },
        { op: 'replace', path: '/spec/http/0/route/0/weight', value: 0 },
      ]),
    );
    expect(err).toMatchObject({ code: 'Invalid', status: 422 });
    const after = await client.get(ref(vs));
    expect(after.metadata.resourceVersion).toBe(vs.metadata.resourceVersion);
  });

  it('server-side applies a custom resource as field manager serin', async () => {
    const applied = await client.applyPatch(canary('ssa-cr'));
    expect(applied.metadata.resourceVersion).toBeTruthy();
    const again = await client.applyPatch(canary('ssa-cr'));
    expect(again.metadata.resourceVersion).toBe(applied.metadata.resourceVersion);
  });

  it('gets 415 for a strategic merge patch on a custom resource (why serin never sends one)', async () => {
    const c = await client.create(canary('smp-cr'));
    const res = await client.transport.send({
      method: 'PATCH',
      path: `/apis/serin.dev/v1alpha1/namespaces/${NS}/canaries/${c.metadata.name ?? ''}`,
      body: { spec: { service: { port: 1 } } },
      contentType: 'application/strategic-merge-patch+json',
    });
    expect(res.status).toBe(415);
    expect(PatchContentType.Merge).toBe('application/merge-patch+json');
  });

  it('keeps the resourceVersion for a merge patch that changes nothing', async () => {
    const s = await client.create(secret('noop', 'a', { k: 'v' }));
    const same = await client.mergePatch(ref(s), { metadata: { labels: { k: 'v' } } });
    expect(same.metadata.resourceVersion).toBe(s.metadata.resourceVersion);
  });
});

describe('status and generation', () => {
  it('writes status with one merge patch to /status without touching spec or generation', async () => {
    const c = await client.create(canary('status-cr'));
    expect(c.metadata.generation).toBe(1);
    const writer = new StatusWriter(client);
    const result = await writer.write(c, { phase: 'Progressing', canaryWeight: 5, observedGeneration: 1 });
    expect(result.kind).toBe('written');
    const after = await client.get(ref(c));
    expect(after.status).toEqual({ phase: 'Progressing', canaryWeight: 5, observedGeneration: 1 });
    expect(after.metadata.generation).toBe(1);
    expect(after.spec).toEqual(c.spec);
  });

  it('removes status fields the new status no longer has', async () => {
    const c = await client.create(canary('status-rm'));
    const writer = new StatusWriter(client);
    const first = await writer.write(c, { phase: 'Paused', pauseReason: 'Manual' });
    if (first.kind !== 'written') throw new Error('expected a write');
    await writer.write(first.object, { phase: 'Progressing' });
    expect((await client.get(ref(c))).status).toEqual({ phase: 'Progressing' });
  });

  it('sends nothing when the status is unchanged', async () => {
    const c = await client.create(canary('status-same'));
    const writer = new StatusWriter(client);
    const first = await writer.write(c, { phase: 'Idle' });
    if (first.kind !== 'written') throw new Error('expected a write');
    expect(await writer.write(first.object, { phase: 'Idle' })).toEqual({ kind: 'unchanged' });
  });

  it('ignores status in a write to the main resource, and bumps generation only for spec', async () => {
    const d = await client.create(deployment('gen-deploy'));
    const withStatus = await client.mergePatch(ref(d), { status: { replicas: 7 } });
    expect(withStatus.status).not.toMatchObject({ replicas: 7 });
    expect(withStatus.metadata.generation).toBe(1);
    const scaled = await client.mergePatch(ref(d), { spec: { replicas: 3 } });
    expect(scaled.metadata.generation).toBe(2);
    const status = await client.mergePatch(ref(d), { status: { replicas: 3 } }, { subresource: 'status' });
    expect(status.metadata.generation).toBe(2);
  });
});

describe('retries on injected faults', () => {
  it('retries a GET through two injected 500s', async () => {
    const s = await client.create(secret('retry-get', 'a'));
    sim.faults.failNext({
      method: 'GET',
      path: `/api/v1/namespaces/${NS}/secrets/retry-get`,
      count: 2,
      status: 500,
    });
    await expect(client.get(ref(s))).resolves.toMatchObject({ metadata: { name: 'retry-get' } });
    // The same faults do reach a client that may not retry: the retries above were real.
    sim.faults.failNext({
      method: 'GET',
      path: `/api/v1/namespaces/${NS}/secrets/retry-get`,
      count: 1,
      status: 500,
    });
    const once = createKubeClient(kubeConfigFor(sim), { retry: { maxAttempts: 1 } });
    await expect(once.get(ref(s))).rejects.toMatchObject({ code: 'Server', status: 500 });
  });

  it('surfaces a 500 on create rather than risk creating twice', async () => {
    sim.faults.failNext({ method: 'POST', path: `/api/v1/namespaces/${NS}/secrets`, count: 1, status: 500 });
    const err = await errorOf(client.create(secret('retry-create', 'a')));
    expect(err).toMatchObject({ code: 'Server', status: 500 });
    await expect(client.create(secret('retry-create', 'a'))).resolves.toBeTruthy();
  });

  it('retries a create turned away with 429', async () => {
    sim.faults.failNext({ method: 'POST', path: `/api/v1/namespaces/${NS}/secrets`, count: 1, status: 429 });
    await expect(client.create(secret('retry-429', 'a'))).resolves.toBeTruthy();
  });

  it('surfaces an injected 409 on a patch to the caller', async () => {
    const s = await client.create(secret('inject-409', 'a'));
    sim.faults.failNext({
      method: 'PATCH',
      path: `/api/v1/namespaces/${NS}/secrets/inject-409`,
      count: 1,
      status: 409,
    });
    const err = await errorOf(client.mergePatch(ref(s), { metadata: { labels: { a: 'b' } } }));
    expect(err.code).toBe('Conflict');
  });
});
