/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment, @typescript-eslint/no-misused-spread --
   client-node declares its models as classes but sends plain JSON; object literals are how it is used. */
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return --
   these tests read raw wire JSON and assert on its shape. */
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canary, CANARIES, deployment, failure, raw, startSim, virtualService } from './helpers.ts';
import type { SimClients } from './helpers.ts';

let s: SimClients;
beforeAll(async () => {
  s = await startSim({ namespaces: ['other'] });
});
afterAll(async () => {
  await s.sim.stop();
});

describe('kube simulator: CRUD through client-node', () => {
  it('creates, reads, replaces and deletes a Deployment with AppsV1Api', async () => {
    const created = await s.apps.createNamespacedDeployment({
      namespace: 'default',
      body: deployment('crud'),
    });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    const read = await s.apps.readNamespacedDeployment({ namespace: 'default', name: 'crud' });
    expect(read.spec?.replicas).toBe(1);
    read.spec!.replicas = 4;
    const replaced = await s.apps.replaceNamespacedDeployment({
      namespace: 'default',
      name: 'crud',
      body: read,
    });
    expect(replaced.spec?.replicas).toBe(4);
    const status = await s.apps.deleteNamespacedDeployment({ namespace: 'default', name: 'crud' });
    expect(status.status).toBe('Success');
    const gone = await failure(s.apps.readNamespacedDeployment({ namespace: 'default', name: 'crud' }));
    expect(gone.code).toBe(404);
    expect(gone.status).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      message: 'deployments.apps "crud" not found',
    });
  });

  it('serves core resources (ConfigMap, Secret, Service, Event, Namespace) with CoreV1Api', async () => {
    await s.core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'cm' }, data: { a: '1' } },
    });
    const secret = await s.core.createNamespacedSecret({
      namespace: 'default',
      body: { metadata: { name: 'sec' }, stringData: { token: 'xyz' } },
    });
    expect(secret.data).toEqual({ token: Buffer.from('xyz').toString('base64') });
    expect(secret.stringData).toBeUndefined();
    const svc = await s.core.createNamespacedService({
      namespace: 'default',
      body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } },
    });
    expect(svc.spec?.clusterIP).toMatch(/^10\.96\./);
    expect(svc.spec?.ports?.[0]).toMatchObject({ port: 80, protocol: 'TCP', targetPort: 80 });
    await s.core.createNamespacedEvent({
      namespace: 'default',
      body: {
        metadata: { name: 'ev1' },
        involvedObject: { kind: 'Canary', name: 'c', namespace: 'default' },
        reason: 'Started',
        message: 'm',
        type: 'Normal',
        count: 1,
      },
    });
    const ns = await s.core.readNamespace({ name: 'other' });
    expect(ns.status?.phase).toBe('Active');
    const cms = await s.core.listNamespacedConfigMap({ namespace: 'default' });
    expect(cms.items.map((i) => i.metadata?.name)).toContain('cm');
  });

  it('creates and reads custom resources with CustomObjectsApi', async () => {
    await s.custom.createNamespacedCustomObject({
      group: 'serin.dev',
      version: 'v1alpha1',
      namespace: 'default',
      plural: 'canaries',
      body: canary('crud-c'),
    });
    const got = await s.custom.getNamespacedCustomObject({
      group: 'serin.dev',
      version: 'v1alpha1',
      namespace: 'default',
      plural: 'canaries',
      name: 'crud-c',
    });
    expect(got.metadata.generation).toBe(1);
    const deleted = await s.custom.deleteNamespacedCustomObject({
      group: 'serin.dev',
      version: 'v1alpha1',
      namespace: 'default',
      plural: 'canaries',
      name: 'crud-c',
    });
    // custom resources return the deleted object, not a Status
    expect(deleted.kind).toBe('Canary');
  });

  it('serves discovery so KubernetesObjectApi can create, read, patch, list and delete', async () => {
    const vs = virtualService('obj-vs');
    await s.objects.create(vs);
    const read = await s.objects.read({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'obj-vs', namespace: 'default' },
    });
    expect(read.metadata?.uid).toBeDefined();
    const patched = await s.objects.patch(
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'obj-vs', namespace: 'default' },
        spec: { gateways: ['mesh'] },
      } as k8s.KubernetesObject,
      undefined,
      undefined,
      undefined,
      undefined,
      k8s.PatchStrategy.MergePatch,
    );
    expect((patched as any).spec.gateways).toEqual(['mesh']);
    const list = await s.objects.list('networking.istio.io/v1', 'VirtualService', 'default');
    expect(list.items.map((i) => i.metadata?.name)).toContain('obj-vs');
    await s.objects.delete(read);
    expect(s.sim.store.get('networking.istio.io/v1', 'VirtualService', 'default', 'obj-vs')).toBeUndefined();
  });

  it('answers /api, /apis, group and version discovery and /version', async () => {
    expect((await raw(s.sim, 'GET', '/api')).body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const apis = (await raw(s.sim, 'GET', '/apis')).body;
    const istio = apis.groups.find((g: any) => g.name === 'networking.istio.io');
    expect(istio.versions.map((v: any) => v.version)).toEqual(['v1', 'v1beta1', 'v1alpha3']);
    expect(istio.preferredVersion.version).toBe('v1');
    const apps = (await raw(s.sim, 'GET', '/apis/apps/v1')).body;
    expect(apps.resources.map((r: any) => r.name)).toEqual(
      expect.arrayContaining(['deployments', 'deployments/status', 'deployments/scale']),
    );
    expect((await raw(s.sim, 'GET', '/apis/serin.dev')).body.kind).toBe('APIGroup');
    const v = await s.kc.makeApiClient(k8s.VersionApi).getCode();
    expect(v.major).toBe('1');
    expect((await raw(s.sim, 'GET', '/apis/nope.example/v1')).status).toBe(404);
  });

  it('gives a unique name from generateName', async () => {
    const body = { metadata: { generateName: 'gen-' }, data: {} };
    const a = await s.core.createNamespacedConfigMap({ namespace: 'default', body });
    const b = await s.core.createNamespacedConfigMap({ namespace: 'default', body });
    expect(a.metadata?.name).toMatch(/^gen-[a-z0-9]{5}$/);
    expect(a.metadata?.name).not.toBe(b.metadata?.name);
  });

  it('answers 409 AlreadyExists when the name is taken', async () => {
    await s.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'dup' } } });
    const f = await failure(
      s.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'dup' } } }),
    );
    expect(f.code).toBe(409);
    expect(f.status).toMatchObject({ reason: 'AlreadyExists', message: 'configmaps "dup" already exists' });
  });

  it('refuses to create in a namespace that does not exist', async () => {
    const f = await failure(
      s.core.createNamespacedConfigMap({ namespace: 'nowhere', body: { metadata: { name: 'x' } } }),
    );
    expect(f.code).toBe(404);
    expect(f.status.message).toBe('namespaces "nowhere" not found');
  });

  it('lists a namespaced resource across all namespaces and per namespace', async () => {
    await s.core.createNamespacedConfigMap({ namespace: 'other', body: { metadata: { name: 'in-other' } } });
    const all = await s.core.listConfigMapForAllNamespaces();
    const names = all.items.map((i) => `${i.metadata?.namespace}/${i.metadata?.name}`);
    expect(names).toEqual(expect.arrayContaining(['other/in-other', 'default/cm']));
    const other = await s.core.listNamespacedConfigMap({ namespace: 'other' });
    expect(other.items.map((i) => i.metadata?.name)).toEqual(['in-other']);
  });

  it('serves cluster-scoped resources without a namespace', async () => {
    const list = await s.core.listNamespace();
    expect(list.items.map((n) => n.metadata?.name)).toEqual(
      expect.arrayContaining(['default', 'kube-system', 'other']),
    );
    expect((await raw(s.sim, 'GET', '/api/v1/namespaces/default/namespaces')).status).toBe(404);
  });

  it('omits apiVersion/kind on built-in list items and keeps them on custom resource lists', async () => {
    const cms = await raw(s.sim, 'GET', '/api/v1/namespaces/default/configmaps');
    expect(cms.body.kind).toBe('ConfigMapList');
    expect(cms.body.items[0].kind).toBeUndefined();
    await raw(s.sim, 'POST', CANARIES, canary('listed'));
    const crs = await raw(s.sim, 'GET', CANARIES);
    expect(crs.body.items[0]).toMatchObject({ apiVersion: 'serin.dev/v1alpha1', kind: 'Canary' });
  });

  it('filters lists by label selector: =, ==, !=, in, notin, exists, !exists', async () => {
    const mk = (name: string, labels: Record<string, string>) =>
      s.core.createNamespacedConfigMap({ namespace: 'other', body: { metadata: { name, labels } } });
    await mk('l-a', { tier: 'web', env: 'prod' });
    await mk('l-b', { tier: 'db', env: 'dev' });
    await mk('l-c', { tier: 'cache' });
    const names = async (labelSelector: string) =>
      (await s.core.listNamespacedConfigMap({ namespace: 'other', labelSelector })).items
        .map((i) => i.metadata?.name)
        .filter((n) => n?.startsWith('l-'));
    expect(await names('tier=web')).toEqual(['l-a']);
    expect(await names('tier==db')).toEqual(['l-b']);
    expect(await names('tier!=web,tier')).toEqual(['l-b', 'l-c']);
    expect(await names('tier in (web, cache)')).toEqual(['l-a', 'l-c']);
    expect(await names('tier notin (web),env')).toEqual(['l-b']);
    expect(await names('env')).toEqual(['l-a', 'l-b']);
    expect(await names('tier,!env')).toEqual(['l-c']);
    const bad = await failure(
      s.core.listNamespacedConfigMap({ namespace: 'other', labelSelector: 'a in (b' }),
    );
    expect(bad.code).toBe(400);
  });

  it('filters lists by field selector metadata.name and refuses unsupported fields', async () => {
    const one = await s.core.listNamespacedConfigMap({
      namespace: 'other',
      fieldSelector: 'metadata.name=l-b',
    });
    expect(one.items.map((i) => i.metadata?.name)).toEqual(['l-b']);
    const bad = await failure(
      s.core.listNamespacedConfigMap({ namespace: 'other', fieldSelector: 'data.x=1' }),
    );
    expect(bad.code).toBe(400);
    expect(bad.status.message).toBe('field label not supported: data.x');
  });

  it('pages lists with limit and continue', async () => {
    const first = await s.core.listNamespacedConfigMap({ namespace: 'other', limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.metadata?.remainingItemCount).toBeGreaterThan(0);
    const rest = await s.core.listNamespacedConfigMap({
      namespace: 'other',
      _continue: first.metadata!._continue!,
    });
    const all = await s.core.listNamespacedConfigMap({ namespace: 'other' });
    expect([...first.items, ...rest.items].map((i) => i.metadata?.name)).toEqual(
      all.items.map((i) => i.metadata?.name),
    );
  });

  it('validates built-in Deployments (selector must match the template labels)', async () => {
    const d = deployment('bad-sel');
    d.spec!.template.metadata!.labels = { app: 'other' };
    const f = await failure(s.apps.createNamespacedDeployment({ namespace: 'default', body: d }));
    expect(f.code).toBe(422);
    expect(f.status.details.causes[0].field).toBe('spec.template.metadata.labels');
  });

  it('rejects names that are not RFC 1123 subdomains with 422', async () => {
    const f = await failure(
      s.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'Bad_Name' } } }),
    );
    expect(f.code).toBe(422);
    expect(f.status.details.causes[0].field).toBe('metadata.name');
  });

  it('loads the kubeconfig object form with loadFromOptions', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions(s.sim.kubeconfig);
    const list = await kc.makeApiClient(k8s.CoreV1Api).listNamespace();
    expect(list.items.length).toBeGreaterThan(0);
  });

  it('serves the Deployment scale subresource', async () => {
    await s.apps.createNamespacedDeployment({ namespace: 'default', body: deployment('scaled') });
    const scale = await s.apps.readNamespacedDeploymentScale({ namespace: 'default', name: 'scaled' });
    expect(scale.spec?.replicas).toBe(1);
    expect(scale.status?.selector).toBe('app=scaled');
    await s.apps.replaceNamespacedDeploymentScale({
      namespace: 'default',
      name: 'scaled',
      body: { ...scale, spec: { replicas: 5 } },
    });
    expect(
      (await s.apps.readNamespacedDeployment({ namespace: 'default', name: 'scaled' })).spec?.replicas,
    ).toBe(5);
  });

  it('honours dryRun=All without persisting', async () => {
    await s.core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'dry' } },
      dryRun: 'All',
    });
    expect(s.sim.store.get('v1', 'ConfigMap', 'default', 'dry')).toBeUndefined();
  });
});
