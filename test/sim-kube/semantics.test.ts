/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment, @typescript-eslint/no-misused-spread --
   client-node declares its models as classes but sends plain JSON; object literals are how it is used. */
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return --
   these tests read raw wire JSON and assert on its shape. */
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  canary,
  CANARIES,
  deployment,
  DEPLOYMENTS,
  createCanary,
  failure,
  raw,
  startSim,
  VIRTUAL_SERVICES,
  virtualService,
} from './helpers.ts';
import { eventually } from '../support/index.ts';
import type { SimClients } from './helpers.ts';

const MERGE = 'application/merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';
const SMP = 'application/strategic-merge-patch+json';
const APPLY = 'application/apply-patch+yaml';

let s: SimClients;
beforeAll(async () => {
  s = await startSim();
});
afterAll(async () => {
  await s.sim.stop();
});

describe('kube simulator: object semantics', () => {
  it('uses one global resourceVersion, a string that moves on every write', async () => {
    const a = await s.core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'rv-a' } },
    });
    const b = await createCanary(s.sim, 'rv-b');
    expect(typeof a.metadata?.resourceVersion).toBe('string');
    expect(Number(b.metadata.resourceVersion)).toBeGreaterThan(Number(a.metadata?.resourceVersion));
    const list = await s.core.listNamespacedConfigMap({ namespace: 'default' });
    expect(Number(list.metadata?.resourceVersion)).toBeGreaterThanOrEqual(Number(b.metadata.resourceVersion));
  });

  it('bumps generation only when spec changes, not on metadata or status writes', async () => {
    const c = await createCanary(s.sim, 'gen');
    expect(c.metadata.generation).toBe(1);
    const labelled = await raw(
      s.sim,
      'PATCH',
      `${CANARIES}/gen`,
      { metadata: { labels: { a: 'b' } } },
      MERGE,
    );
    expect(labelled.body.metadata.generation).toBe(1);
    const status = await raw(
      s.sim,
      'PATCH',
      `${CANARIES}/gen/status`,
      { status: { phase: 'Progressing', observedGeneration: 1 } },
      MERGE,
    );
    expect(status.body.metadata.generation).toBe(1);
    expect(status.body.metadata.resourceVersion).not.toBe(labelled.body.metadata.resourceVersion);
    const spec = await raw(s.sim, 'PATCH', `${CANARIES}/gen`, { spec: { suspend: true } }, MERGE);
    expect(spec.body.metadata.generation).toBe(2);
    const d = await s.apps.createNamespacedDeployment({ namespace: 'default', body: deployment('gen-d') });
    const d2 = await s.apps.patchNamespacedDeployment(
      { namespace: 'default', name: 'gen-d', body: { spec: { replicas: 2 } } },
      k8s.setHeaderOptions('Content-Type', MERGE),
    );
    expect([d.metadata?.generation, d2.metadata?.generation]).toEqual([1, 2]);
  });

  it('ignores status in writes to the main resource when the status subresource is on', async () => {
    await createCanary(s.sim, 'sub');
    const r = await raw(
      s.sim,
      'PATCH',
      `${CANARIES}/sub`,
      { status: { phase: 'Hacked' }, spec: { suspend: true } },
      MERGE,
    );
    expect(r.body.status).toBeUndefined();
    expect(r.body.spec.suspend).toBe(true);
    const created = await raw(s.sim, 'POST', CANARIES, { ...canary('sub2'), status: { phase: 'Preset' } });
    expect(created.body.status).toBeUndefined();
  });

  it('ignores everything but status in writes to /status', async () => {
    const c = await createCanary(s.sim, 'stat');
    const body = {
      ...c,
      spec: { ...c.spec, suspend: true },
      metadata: { ...c.metadata, labels: { x: 'y' } },
      status: { phase: 'Progressing' },
    };
    const r = await raw(s.sim, 'PUT', `${CANARIES}/stat/status`, body);
    expect(r.status).toBe(200);
    expect(r.body.status).toEqual({ phase: 'Progressing' });
    expect(r.body.spec.suspend).toBe(false);
    expect(r.body.metadata.labels).toBeUndefined();
    const d = await s.apps.createNamespacedDeployment({ namespace: 'default', body: deployment('stat-d') });
    const st = await s.apps.replaceNamespacedDeploymentStatus({
      namespace: 'default',
      name: 'stat-d',
      body: { ...d, spec: { ...d.spec!, replicas: 9 }, status: { readyReplicas: 1 } },
    });
    expect(st.spec?.replicas).toBe(1);
    expect(st.status?.readyReplicas).toBe(1);
  });

  it('keeps the resourceVersion and emits no event for a patch that changes nothing', async () => {
    const c = await createCanary(s.sim, 'noop');
    const events: string[] = [];
    const w = await new k8s.Watch(s.kc).watch(
      CANARIES,
      { resourceVersion: c.metadata.resourceVersion, fieldSelector: 'metadata.name=noop' },
      (t) => events.push(t),
      () => undefined,
    );
    const same = await raw(s.sim, 'PATCH', `${CANARIES}/noop`, { spec: { suspend: false } }, MERGE);
    expect(same.body.metadata.resourceVersion).toBe(c.metadata.resourceVersion);
    const put = await raw(s.sim, 'PUT', `${CANARIES}/noop`, c);
    expect(put.body.metadata.resourceVersion).toBe(c.metadata.resourceVersion);
    await raw(s.sim, 'PATCH', `${CANARIES}/noop`, { spec: { suspend: true } }, MERGE);
    await eventually(() => events.length > 0, 'the real change to arrive');
    expect(events).toEqual(['MODIFIED']);
    w.abort();
  });

  it('returns 409 when a PUT carries a stale resourceVersion', async () => {
    const d = await s.apps.createNamespacedDeployment({ namespace: 'default', body: deployment('stale') });
    await s.apps.patchNamespacedDeployment(
      { namespace: 'default', name: 'stale', body: { spec: { replicas: 2 } } },
      k8s.setHeaderOptions('Content-Type', MERGE),
    );
    const f = await failure(
      s.apps.replaceNamespacedDeployment({ namespace: 'default', name: 'stale', body: d }),
    );
    expect(f.code).toBe(409);
    expect(f.status).toMatchObject({
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on deployments.apps "stale": the object has been modified; please apply your changes to the latest version and try again',
    });
  });

  it('returns 409 when a merge patch carries a stale resourceVersion, and applies it when current', async () => {
    const c = await createCanary(s.sim, 'stale-mp');
    await raw(s.sim, 'PATCH', `${CANARIES}/stale-mp`, { spec: { suspend: true } }, MERGE);
    const stale = await raw(
      s.sim,
      'PATCH',
      `${CANARIES}/stale-mp`,
      { metadata: { resourceVersion: c.metadata.resourceVersion }, spec: { suspend: false } },
      MERGE,
    );
    expect(stale.status).toBe(409);
    expect(stale.body.reason).toBe('Conflict');
    const current = s.sim.store.get('serin.dev/v1alpha1', 'Canary', 'default', 'stale-mp')!;
    const ok = await raw(
      s.sim,
      'PATCH',
      `${CANARIES}/stale-mp`,
      { metadata: { resourceVersion: current.metadata.resourceVersion }, spec: { suspend: false } },
      MERGE,
    );
    expect(ok.status).toBe(200);
  });

  it('requires a resourceVersion on a PUT of a custom resource (422)', async () => {
    const c = await createCanary(s.sim, 'no-rv');
    delete c.metadata.resourceVersion;
    const r = await raw(s.sim, 'PUT', `${CANARIES}/no-rv`, c);
    expect(r.status).toBe(422);
    expect(r.body.details.causes[0].field).toBe('metadata.resourceVersion');
  });

  it('applies merge patches per RFC 7386: objects merge, null deletes, arrays replace', async () => {
    await raw(s.sim, 'POST', VIRTUAL_SERVICES, {
      ...virtualService('mp'),
      spec: { ...virtualService('mp').spec, gateways: ['a', 'b'], exportTo: ['.'] },
    });
    const r = await raw(
      s.sim,
      'PATCH',
      `${VIRTUAL_SERVICES}/mp`,
      { metadata: { labels: { x: '1' } }, spec: { gateways: ['c'], exportTo: null } },
      MERGE,
    );
    expect(r.body.spec.gateways).toEqual(['c']);
    expect(r.body.spec.exportTo).toBeUndefined();
    expect(r.body.spec.hosts).toEqual(['web']);
    expect(r.body.metadata.labels).toEqual({ x: '1' });
  });

  it('applies JSON patches (RFC 6902) through CustomObjectsApi', async () => {
    await raw(s.sim, 'POST', VIRTUAL_SERVICES, virtualService('jp'));
    const patched = await s.custom.patchNamespacedCustomObject({
      group: 'networking.istio.io',
      version: 'v1',
      namespace: 'default',
      plural: 'virtualservices',
      name: 'jp',
      body: [
        { op: 'test', path: '/spec/http/0/name', value: 'primary' },
        { op: 'replace', path: '/spec/http/0/route/0/weight', value: 90 },
        { op: 'replace', path: '/spec/http/0/route/1/weight', value: 10 },
      ],
    });
    expect(patched.spec.http[0].route.map((r: any) => r.weight)).toEqual([90, 10]);
  });

  it('answers 422 when a JSON patch test operation fails, and changes nothing', async () => {
    const before = s.sim.store.get('networking.istio.io/v1', 'VirtualService', 'default', 'jp')!;
    const r = await raw(
      s.sim,
      'PATCH',
      `${VIRTUAL_SERVICES}/jp`,
      [
        { op: 'test', path: '/spec/http/0/name', value: 'canary' },
        { op: 'replace', path: '/spec/http/0/route/0/weight', value: 0 },
      ],
      JSON_PATCH,
    );
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ kind: 'Status', reason: 'Invalid', code: 422 });
    expect(r.body.details.causes[0].message).toContain('/spec/http/0/name');
    expect(s.sim.store.get('networking.istio.io/v1', 'VirtualService', 'default', 'jp')).toEqual(before);
  });

  it('answers 415 to a strategic merge patch on a custom resource', async () => {
    const f = await failure(
      s.objects.patch({
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'jp', namespace: 'default' },
        spec: { gateways: ['x'] },
      } as k8s.KubernetesObject),
    );
    expect(f.code).toBe(415);
    expect(f.status.reason).toBe('UnsupportedMediaType');
  });

  it('accepts a strategic merge patch on a Deployment, merging containers by name', async () => {
    const d = deployment('smp');
    d.spec!.template.spec!.containers.push({ name: 'sidecar', image: 'envoy:1' });
    await s.apps.createNamespacedDeployment({ namespace: 'default', body: d });
    const r = await raw(
      s.sim,
      'PATCH',
      `${DEPLOYMENTS}/smp`,
      { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:1.28' }] } } } },
      SMP,
    );
    expect(r.status).toBe(200);
    expect(r.body.spec.template.spec.containers).toEqual([
      { name: 'app', image: 'nginx:1.28' },
      { name: 'sidecar', image: 'envoy:1' },
    ]);
  });

  it('refuses unknown patch content types with 415', async () => {
    const r = await raw(s.sim, 'PATCH', `${DEPLOYMENTS}/smp`, '{}', 'text/plain');
    expect(r.status).toBe(415);
  });

  it('server-side apply creates, updates, and needs a fieldManager', async () => {
    const vs = virtualService('ssa');
    const noManager = await raw(s.sim, 'PATCH', `${VIRTUAL_SERVICES}/ssa`, vs, APPLY);
    expect(noManager.status).toBe(400);
    const created = await raw(s.sim, 'PATCH', `${VIRTUAL_SERVICES}/ssa?fieldManager=serin`, vs, APPLY);
    expect(created.status).toBe(201);
    expect(created.body.metadata.managedFields[0]).toMatchObject({ manager: 'serin', operation: 'Apply' });
    const again = await raw(s.sim, 'PATCH', `${VIRTUAL_SERVICES}/ssa?fieldManager=serin`, vs, APPLY);
    expect(again.body.metadata.resourceVersion).toBe(created.body.metadata.resourceVersion);
    const weights = virtualService('ssa', [80, 20]);
    const updated = await raw(s.sim, 'PATCH', `${VIRTUAL_SERVICES}/ssa?fieldManager=serin`, weights, APPLY);
    expect(updated.body.spec.http[0].route.map((r: any) => r.weight)).toEqual([80, 20]);
  });

  it('server-side apply conflicts with another apply manager unless forced', async () => {
    const other = virtualService('ssa', [50, 50]);
    const conflict = await raw(
      s.sim,
      'PATCH',
      `${VIRTUAL_SERVICES}/ssa?fieldManager=someone-else`,
      other,
      APPLY,
    );
    expect(conflict.status).toBe(409);
    expect(conflict.body.message).toContain('conflict with "serin"');
    const forced = await raw(
      s.sim,
      'PATCH',
      `${VIRTUAL_SERVICES}/ssa?fieldManager=someone-else&force=true`,
      other,
      APPLY,
    );
    expect(forced.status).toBe(200);
    expect(forced.body.spec.http[0].route.map((r: any) => r.weight)).toEqual([50, 50]);
  });

  it('server-side apply removes fields its manager stopped applying', async () => {
    await raw(
      s.sim,
      'PATCH',
      `${CANARIES}/ssa-c?fieldManager=m`,
      { ...canary('ssa-c'), metadata: { name: 'ssa-c', labels: { a: '1', b: '2' } } },
      APPLY,
    );
    const r = await raw(
      s.sim,
      'PATCH',
      `${CANARIES}/ssa-c?fieldManager=m`,
      { ...canary('ssa-c'), metadata: { name: 'ssa-c', labels: { a: '1' } } },
      APPLY,
    );
    expect(r.body.metadata.labels).toEqual({ a: '1' });
  });
});
