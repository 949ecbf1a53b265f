/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment --
   client-node declares its models as classes but sends plain JSON; object literals are how it is used. */
/* eslint-disable @typescript-eslint/no-unsafe-return --
   these tests read raw wire JSON and assert on its shape. */
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployment, openRawWatch, raw, startSim } from './helpers.ts';
import { eventually } from '../support/index.ts';
import type { SimClients } from './helpers.ts';

const CMS = '/api/v1/namespaces/default/configmaps';

let s: SimClients;
beforeAll(async () => {
  s = await startSim({ bookmarkIntervalMs: 200, historyLimit: 5 });
});
afterAll(async () => {
  await s.sim.stop();
});

async function createCm(name: string, labels: Record<string, string> = {}): Promise<string> {
  const cm = await s.core.createNamespacedConfigMap({
    namespace: 'default',
    body: { metadata: { name, labels } },
  });
  return cm.metadata!.resourceVersion!;
}

describe('kube simulator: watches', () => {
  it('streams ADDED, MODIFIED and DELETED to client-node Watch as newline-delimited JSON', async () => {
    const seen: string[] = [];
    const w = await new k8s.Watch(s.kc).watch(
      '/apis/apps/v1/namespaces/default/deployments',
      { resourceVersion: String(await currentRv()) },
      (type, obj) => seen.push(`${type}:${obj.metadata.name}`),
      () => undefined,
    );
    await s.apps.createNamespacedDeployment({ namespace: 'default', body: deployment('w1') });
    await s.apps.patchNamespacedDeployment(
      { namespace: 'default', name: 'w1', body: { spec: { replicas: 2 } } },
      k8s.setHeaderOptions('Content-Type', 'application/merge-patch+json'),
    );
    await s.apps.deleteNamespacedDeployment({ namespace: 'default', name: 'w1' });
    await eventually(() => seen.length === 3, 'three events');
    expect(seen).toEqual(['ADDED:w1', 'MODIFIED:w1', 'DELETED:w1']);
    w.abort();
  });

  it('accepts watch=1 and starts with synthetic ADDED events when no resourceVersion is given', async () => {
    await createCm('w-initial');
    const w = await openRawWatch(s.sim, `${CMS}?watch=1`);
    await eventually(
      () => w.events.some((e) => e.object.metadata.name === 'w-initial'),
      'the existing object',
    );
    expect(w.events.every((e) => e.type === 'ADDED')).toBe(true);
    w.close();
  });

  it('resumes from a resourceVersion with only the later events', async () => {
    const rv = await createCm('w-resume-1');
    await createCm('w-resume-2');
    const w = await openRawWatch(s.sim, `${CMS}?watch=true&resourceVersion=${rv}`);
    await eventually(() => w.events.length >= 1, 'the missed event');
    expect(w.events.map((e) => `${e.type}:${e.object.metadata.name}`)).toEqual(['ADDED:w-resume-2']);
    w.close();
  });

  it('answers a too-old resourceVersion with HTTP 200, one ERROR 410 Expired event, then ends', async () => {
    const rv = await createCm('w-old');
    for (let i = 0; i < 6; i += 1) await createCm(`w-old-${i}`); // historyLimit is 5
    const w = await openRawWatch(s.sim, `${CMS}?watch=true&resourceVersion=${rv}`);
    await w.ended;
    expect(w.status).toBe(200);
    expect(w.events).toEqual([
      {
        type: 'ERROR',
        object: expect.objectContaining({ kind: 'Status', status: 'Failure', code: 410, reason: 'Expired' }),
      },
    ]);
  });

  it('answers every earlier resourceVersion with 410 after expireHistory, while a fresh list can be watched', async () => {
    const rv = await createCm('w-expire');
    s.sim.faults.expireHistory();
    const stale = await openRawWatch(s.sim, `${CMS}?watch=true&resourceVersion=${rv}`);
    await stale.ended;
    expect(stale.events[0]?.object.code).toBe(410);
    const list = await s.core.listNamespacedConfigMap({ namespace: 'default' });
    const fresh = await openRawWatch(
      s.sim,
      `${CMS}?watch=true&resourceVersion=${list.metadata!.resourceVersion!}`,
    );
    await createCm('w-after-expire');
    await eventually(() => fresh.events.length > 0, 'an event on the fresh watch');
    expect(fresh.events[0]?.type).toBe('ADDED');
    fresh.close();
  });

  it('sends periodic BOOKMARKs carrying only a resourceVersion when allowWatchBookmarks=true', async () => {
    const w = await openRawWatch(
      s.sim,
      `${CMS}?watch=true&allowWatchBookmarks=true&resourceVersion=${await currentRv()}`,
    );
    await eventually(() => w.events.some((e) => e.type === 'BOOKMARK'), 'a periodic bookmark');
    const b = w.events.find((e) => e.type === 'BOOKMARK')!;
    expect(b.object).toEqual({
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { resourceVersion: expect.stringMatching(/^\d+$/) },
    });
    w.close();
  });

  it('sends a BOOKMARK on request (sendBookmarks), only to watches that allow them', async () => {
    const own = await startSim(); // default interval (60 s): any bookmark seen here was requested
    const rv = (await own.core.listNamespacedConfigMap({ namespace: 'default' })).metadata!.resourceVersion!;
    const plain = await openRawWatch(own.sim, `${CMS}?watch=true&resourceVersion=${rv}`);
    const withBookmarks = await openRawWatch(
      own.sim,
      `${CMS}?watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`,
    );
    await eventually(() => own.sim.openWatchCount() === 2, 'both watches to be registered');
    own.sim.sendBookmarks();
    await eventually(() => withBookmarks.events.length > 0, 'the requested bookmark');
    expect(withBookmarks.events[0]?.type).toBe('BOOKMARK');
    await own.core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'marker' } },
    });
    await eventually(() => plain.events.length > 0, 'the marker event');
    expect(plain.events.map((e) => e.type)).toEqual(['ADDED']);
    plain.close();
    withBookmarks.close();
    await own.sim.stop();
  });

  it('ends the initial events with an annotated BOOKMARK when sendInitialEvents=true', async () => {
    const w = await openRawWatch(
      s.sim,
      `${CMS}?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan`,
    );
    await eventually(() => w.events.some((e) => e.type === 'BOOKMARK'), 'the initial-events-end bookmark');
    const first = w.events.findIndex((e) => e.type === 'BOOKMARK');
    expect(w.events[first]?.object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
    expect(w.events.slice(0, first).every((e) => e.type === 'ADDED')).toBe(true);
    w.close();
  });

  it('closes the watch after timeoutSeconds', async () => {
    const w = await openRawWatch(
      s.sim,
      `${CMS}?watch=true&timeoutSeconds=1&resourceVersion=${await currentRv()}`,
    );
    await w.ended;
    expect(w.isEnded()).toBe(true);
  });

  it('closes watches after the watchTimeoutSeconds option when the client sets no timeout', async () => {
    const short = await startSim({ watchTimeoutSeconds: 1 });
    let done = false;
    await new k8s.Watch(short.kc).watch(
      CMS,
      {},
      () => undefined,
      () => {
        done = true;
      },
    );
    await eventually(() => done, 'the server to close the watch');
    await short.sim.stop();
  });

  it('filters watches by label selector, turning label changes into ADDED/DELETED', async () => {
    const w = await openRawWatch(
      s.sim,
      `${CMS}?watch=true&labelSelector=team%3Dblue&resourceVersion=${await currentRv()}`,
    );
    await createCm('w-red', { team: 'red' });
    await createCm('w-blue', { team: 'blue' });
    await raw(
      s.sim,
      'PATCH',
      `${CMS}/w-red`,
      { metadata: { labels: { team: 'blue' } } },
      'application/merge-patch+json',
    );
    await raw(
      s.sim,
      'PATCH',
      `${CMS}/w-blue`,
      { metadata: { labels: { team: 'green' } } },
      'application/merge-patch+json',
    );
    await eventually(() => w.events.length >= 3, 'three filtered events');
    expect(w.events.map((e) => `${e.type}:${e.object.metadata.name}`)).toEqual([
      'ADDED:w-blue',
      'ADDED:w-red',
      'DELETED:w-blue',
    ]);
    w.close();
  });

  it('filters watches by fieldSelector metadata.name', async () => {
    const w = await openRawWatch(
      s.sim,
      `${CMS}?watch=true&fieldSelector=metadata.name%3Dw-only&resourceVersion=${await currentRv()}`,
    );
    await createCm('w-not-this');
    await createCm('w-only');
    await eventually(() => w.events.length >= 1, 'the named object');
    expect(w.events.map((e) => e.object.metadata.name)).toEqual(['w-only']);
    w.close();
  });

  it('feeds client-node makeInformer (list then watch)', async () => {
    const informer = k8s.makeInformer(s.kc, '/api/v1/namespaces/default/configmaps', () =>
      s.core.listNamespacedConfigMap({ namespace: 'default' }),
    );
    const added: string[] = [];
    const deleted: string[] = [];
    informer.on('add', (o) => added.push(o.metadata!.name!));
    informer.on('delete', (o) => deleted.push(o.metadata!.name!));
    await informer.start();
    await createCm('w-informer');
    await s.core.deleteNamespacedConfigMap({ namespace: 'default', name: 'w-informer' });
    await eventually(() => deleted.includes('w-informer'), 'the informer to see the delete');
    expect(added).toContain('w-informer');
    expect(informer.list('default').map((o) => o.metadata?.name)).not.toContain('w-informer');
    await informer.stop();
  });

  it('delivers an event to 100 concurrent watchers', async () => {
    const rv = await currentRv();
    const watches = await Promise.all(
      Array.from({ length: 100 }, () => openRawWatch(s.sim, `${CMS}?watch=true&resourceVersion=${rv}`)),
    );
    const started = Date.now();
    await createCm('w-fanout');
    await eventually(
      () => watches.every((w) => w.events.some((e) => e.object.metadata.name === 'w-fanout')),
      'all 100 watchers to get the event',
    );
    console.log(`fan-out to 100 watchers took ${Date.now() - started} ms`);
    expect(watches.filter((w) => w.events.some((e) => e.object.metadata.name === 'w-fanout'))).toHaveLength(
      100,
    );
    for (const w of watches) w.close();
  });
});

async function currentRv(): Promise<number> {
  const list = await s.core.listNamespacedConfigMap({ namespace: 'default', limit: 1 });
  return Number(list.metadata!.resourceVersion);
}
