/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment --
   client-node declares its models as classes but sends plain JSON; object literals are how it is used. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canary, CANARIES, failure, raw, startSim, createCanary } from './helpers.ts';
import { eventually } from '../support/index.ts';
import type { SimClients } from './helpers.ts';

const MERGE = 'application/merge-patch+json';

let s: SimClients;
beforeAll(async () => {
  s = await startSim();
});
afterAll(async () => {
  await s.sim.stop();
});

describe('kube simulator: deletion', () => {
  it('sets deletionTimestamp on an object with finalizers and removes it once they are gone', async () => {
    const c = { ...canary('fin'), metadata: { name: 'fin', finalizers: ['serin.dev/cleanup'] } };
    await raw(s.sim, 'POST', CANARIES, c);
    const del = await raw(s.sim, 'DELETE', `${CANARIES}/fin`);
    expect(del.status).toBe(200);
    expect(del.body.metadata.deletionTimestamp).toBeDefined();
    const still = s.sim.store.get('serin.dev/v1alpha1', 'Canary', 'default', 'fin');
    expect(still?.metadata.deletionTimestamp).toBeDefined();
    const spec = await raw(s.sim, 'PATCH', `${CANARIES}/fin`, { metadata: { finalizers: null } }, MERGE);
    expect(spec.status).toBe(200);
    expect(s.sim.store.get('serin.dev/v1alpha1', 'Canary', 'default', 'fin')).toBeUndefined();
  });

  it('refuses a new finalizer on an object being deleted, but lets one be removed (422 Forbidden)', async () => {
    const c = { ...canary('late'), metadata: { name: 'late', finalizers: ['a.example/x'] } };
    await raw(s.sim, 'POST', CANARIES, c);
    await raw(s.sim, 'DELETE', `${CANARIES}/late`);
    const add = await raw(
      s.sim,
      'PATCH',
      `${CANARIES}/late`,
      { metadata: { finalizers: ['a.example/x', 'serin.dev/traffic-handback'] } },
      MERGE,
    );
    expect(add.status).toBe(422);
    expect(add.body.message).toContain(
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"serin.dev/traffic-handback"}',
    );
    const remove = await raw(s.sim, 'PATCH', `${CANARIES}/late`, { metadata: { finalizers: [] } }, MERGE);
    expect(remove.status).toBe(200);
    expect(s.sim.store.get('serin.dev/v1alpha1', 'Canary', 'default', 'late')).toBeUndefined();
  });

  it('garbage-collects dependents when their owner is deleted', async () => {
    const owner = await createCanary(s.sim, 'owner');
    const ref = {
      apiVersion: 'serin.dev/v1alpha1',
      kind: 'Canary',
      name: 'owner',
      uid: owner.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    };
    await s.core.createNamespacedService({
      namespace: 'default',
      body: { metadata: { name: 'owner-canary', ownerReferences: [ref] }, spec: { ports: [{ port: 80 }] } },
    });
    await s.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'unowned' } } });
    await raw(s.sim, 'DELETE', `${CANARIES}/owner`);
    await eventually(
      () => s.sim.store.get('v1', 'Service', 'default', 'owner-canary') === undefined,
      'the dependent Service to be collected',
    );
    expect(s.sim.store.get('v1', 'ConfigMap', 'default', 'unowned')).toBeDefined();
  });

  it('orphans dependents with propagationPolicy=Orphan', async () => {
    const owner = await createCanary(s.sim, 'orph');
    const ref = { apiVersion: 'serin.dev/v1alpha1', kind: 'Canary', name: 'orph', uid: owner.metadata.uid };
    await s.core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'orph-dep', ownerReferences: [ref] } },
    });
    await raw(s.sim, 'DELETE', `${CANARIES}/orph?propagationPolicy=Orphan`);
    await eventually(
      () => s.sim.store.get('serin.dev/v1alpha1', 'Canary', 'default', 'orph') === undefined,
      'the owner to go',
    );
    const dep = s.sim.store.get('v1', 'ConfigMap', 'default', 'orph-dep');
    expect(dep?.metadata.ownerReferences).toBeUndefined();
  });

  it('deletes blocking dependents first with propagationPolicy=Foreground', async () => {
    const owner = await createCanary(s.sim, 'fg');
    const ref = {
      apiVersion: 'serin.dev/v1alpha1',
      kind: 'Canary',
      name: 'fg',
      uid: owner.metadata.uid,
      blockOwnerDeletion: true,
    };
    await s.core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'fg-dep', ownerReferences: [ref] } },
    });
    const del = await raw(s.sim, 'DELETE', `${CANARIES}/fg`, { propagationPolicy: 'Foreground' });
    expect(del.body.metadata.finalizers).toContain('foregroundDeletion');
    await eventually(
      () => s.sim.store.get('serin.dev/v1alpha1', 'Canary', 'default', 'fg') === undefined,
      'the owner to go',
    );
    expect(s.sim.store.get('v1', 'ConfigMap', 'default', 'fg-dep')).toBeUndefined();
  });

  it('answers 409 when a delete precondition does not hold', async () => {
    await s.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'pre' } } });
    const r = await raw(s.sim, 'DELETE', '/api/v1/namespaces/default/configmaps/pre', {
      preconditions: { resourceVersion: '1' },
    });
    expect(r.status).toBe(409);
  });

  it('terminates a namespace: no new content, contents are deleted, then the namespace', async () => {
    await s.core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await s.core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'x' } } });
    await s.core.createNamespacedConfigMap({
      namespace: 'doomed',
      body: { metadata: { name: 'held', finalizers: ['test/hold'] } },
    });
    const ns = await raw(s.sim, 'DELETE', '/api/v1/namespaces/doomed');
    expect(ns.body.status.phase).toBe('Terminating');
    const refused = await failure(
      s.core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'late' } } }),
    );
    expect(refused.code).toBe(403);
    await eventually(
      () => s.sim.store.get('v1', 'ConfigMap', 'doomed', 'held')?.metadata.deletionTimestamp !== undefined,
      'the held object to be marked',
    );
    expect(s.sim.store.get('v1', 'Namespace', undefined, 'doomed')).toBeDefined();
    await raw(
      s.sim,
      'PATCH',
      '/api/v1/namespaces/doomed/configmaps/held',
      { metadata: { finalizers: null } },
      MERGE,
    );
    await eventually(
      () => s.sim.store.get('v1', 'Namespace', undefined, 'doomed') === undefined,
      'the namespace to go',
    );
    expect(s.sim.store.get('v1', 'ConfigMap', 'doomed', 'x')).toBeUndefined();
  });

  it('deletes a collection by label selector', async () => {
    await s.core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'dc-1', labels: { batch: 'z' } } },
    });
    await s.core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'dc-2', labels: { batch: 'z' } } },
    });
    await s.core.deleteCollectionNamespacedConfigMap({ namespace: 'default', labelSelector: 'batch=z' });
    expect(
      s.sim.store.list('v1', 'ConfigMap', 'default').filter((c) => c.metadata.labels?.batch === 'z'),
    ).toEqual([]);
  });
});
