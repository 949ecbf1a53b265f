/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment --
   client-node declares its models as classes but sends plain JSON; object literals are how it is used. */
/* eslint-disable @typescript-eslint/no-unsafe-return --
   these tests read raw wire JSON and assert on its shape. */
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, openRawWatch, raw, startSim } from './helpers.ts';
import { eventually } from '../support/index.ts';
import type { SimClients } from './helpers.ts';

const CMS = '/api/v1/namespaces/default/configmaps';

let s: SimClients;
beforeAll(async () => {
  s = await startSim();
});
afterAll(async () => {
  await s.sim.stop();
});

describe('kube simulator: fault injection', () => {
  it('fails exactly the next N matching requests with 500, then serves normally', async () => {
    s.sim.faults.failNext({ method: 'GET', path: CMS, count: 2, status: 500 });
    const first = await failure(s.core.listNamespacedConfigMap({ namespace: 'default' }));
    expect(first.code).toBe(500);
    expect(first.status).toMatchObject({ kind: 'Status', reason: 'InternalError' });
    expect((await failure(s.core.listNamespacedConfigMap({ namespace: 'default' }))).code).toBe(500);
    const ok = await s.core.listNamespacedConfigMap({ namespace: 'default' });
    expect(ok.kind).toBe('ConfigMapList');
  });

  it('answers 429 with Retry-After', async () => {
    s.sim.faults.failNext({ path: /\/configmaps$/, count: 1, status: 429 });
    const r = await raw(s.sim, 'GET', CMS);
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('1');
    expect(r.body).toMatchObject({ reason: 'TooManyRequests', details: { retryAfterSeconds: 1 } });
  });

  it('answers 429 with the Retry-After it was given', async () => {
    s.sim.faults.failNext({ path: CMS, count: 1, status: 429, retryAfterSeconds: 3 });
    const r = await raw(s.sim, 'GET', CMS);
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('3');
    expect(r.body).toMatchObject({ reason: 'TooManyRequests', details: { retryAfterSeconds: 3 } });
  });

  it('answers 503 ServiceUnavailable, with Retry-After only when one was given', async () => {
    s.sim.faults.failNext({ path: CMS, count: 1, status: 503 });
    s.sim.faults.failNext({ path: CMS, count: 1, status: 503, retryAfterSeconds: 2 });
    const plain = await raw(s.sim, 'GET', CMS);
    expect(plain.status).toBe(503);
    expect(plain.headers.get('retry-after')).toBeNull();
    expect(plain.body).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable', code: 503 });
    expect(plain.body.details).toBeUndefined();
    const told = await raw(s.sim, 'GET', CMS);
    expect(told.status).toBe(503);
    expect(told.headers.get('retry-after')).toBe('2');
    expect(told.body).toMatchObject({ reason: 'ServiceUnavailable', details: { retryAfterSeconds: 2 } });
    expect((await raw(s.sim, 'GET', CMS)).status).toBe(200);
  });

  it("fails only the requests of the user a fault names (one replica's, not another's)", async () => {
    const token = (user: string) => s.sim.kubeconfigFor(user).users[0]?.token ?? '';
    const as = (user: string) =>
      fetch(`${s.sim.url}${CMS}`, { headers: { Authorization: `Bearer ${token(user)}` } });
    s.sim.faults.failNext({ path: CMS, user: 'replica-a', count: 1, status: 503 });
    expect((await as('replica-b')).status).toBe(200);
    expect((await raw(s.sim, 'GET', CMS)).status).toBe(200);
    expect((await as('replica-a')).status).toBe(503);
    expect((await as('replica-a')).status).toBe(200);
  });

  it('forgets the failures armed but not consumed when told to', async () => {
    s.sim.faults.failNext({ path: CMS, count: 5, status: 500 });
    expect((await raw(s.sim, 'GET', CMS)).status).toBe(500);
    s.sim.faults.clearFailures();
    expect((await raw(s.sim, 'GET', CMS)).status).toBe(200);
  });

  it('answers 409 Conflict to a matching write', async () => {
    await s.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'f-cm' } } });
    s.sim.faults.failNext({ method: 'PATCH', count: 1, status: 409 });
    const r = await raw(s.sim, 'PATCH', `${CMS}/f-cm`, { data: { a: 'b' } }, 'application/merge-patch+json');
    expect(r.status).toBe(409);
    expect(r.body.reason).toBe('Conflict');
    expect(s.sim.store.get('v1', 'ConfigMap', 'default', 'f-cm')?.data).toBeUndefined();
  });

  it('leaves requests that do not match the method or path alone', async () => {
    s.sim.faults.failNext({ method: 'DELETE', path: CMS, count: 1, status: 500 });
    expect((await raw(s.sim, 'GET', CMS)).status).toBe(200);
    expect((await raw(s.sim, 'GET', '/api/v1/namespaces/default/secrets')).status).toBe(200);
    expect((await raw(s.sim, 'DELETE', CMS)).status).toBe(500);
  });

  it('fails watch requests with a non-200 status when told to', async () => {
    s.sim.faults.failNext({ path: CMS, watch: true, count: 1, status: 500 });
    expect((await raw(s.sim, 'GET', CMS)).status).toBe(200);
    let error: unknown;
    await new k8s.Watch(s.kc).watch(
      CMS,
      {},
      () => undefined,
      (err) => {
        error = err;
      },
    );
    await eventually(() => error !== undefined, 'the watch to fail');
    expect((error as { statusCode?: number }).statusCode).toBe(500);
  });

  it('adds latency to matching requests only (a slow request finishes after a fast one started later)', async () => {
    s.sim.faults.setLatency(400, { path: '/api/v1/namespaces/default/secrets' });
    const order: string[] = [];
    const slow = raw(s.sim, 'GET', '/api/v1/namespaces/default/secrets').then(() => order.push('slow'));
    await new Promise((r) => setTimeout(r, 20));
    const fast = raw(s.sim, 'GET', CMS).then(() => order.push('fast'));
    await Promise.all([slow, fast]);
    expect(order).toEqual(['fast', 'slow']);
    s.sim.faults.setLatency(0);
  });

  it('drops every open watch stream, and clients see the end', async () => {
    const a = await openRawWatch(s.sim, `${CMS}?watch=true`);
    let clientNodeDone = false;
    await new k8s.Watch(s.kc).watch(
      '/api/v1/namespaces/default/secrets',
      {},
      () => undefined,
      () => {
        clientNodeDone = true;
      },
    );
    await eventually(() => s.sim.openWatchCount() === 2, 'both watches to be open');
    s.sim.faults.dropWatches();
    await a.ended;
    await eventually(() => clientNodeDone, 'client-node to see the dropped watch');
    expect(s.sim.openWatchCount()).toBe(0);
  });

  it('expires history so that resuming a watch gets 410', async () => {
    const cm = await s.core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'f-exp' } },
    });
    const before = await openRawWatch(
      s.sim,
      `${CMS}?watch=true&resourceVersion=${cm.metadata!.resourceVersion!}`,
    );
    expect(before.isEnded()).toBe(false);
    before.close();
    s.sim.faults.expireHistory();
    const after = await openRawWatch(
      s.sim,
      `${CMS}?watch=true&resourceVersion=${cm.metadata!.resourceVersion!}`,
    );
    await after.ended;
    expect(after.events.map((e) => [e.type, e.object.code])).toEqual([['ERROR', 410]]);
  });
});
