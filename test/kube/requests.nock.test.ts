/**
 * Pins the exact HTTP requests serin sends (method, path, content type, query), so a
 * @kubernetes/client-node upgrade that changes them fails here rather than against a cluster.
 */
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import nock from 'nock';
import { KubeConfig } from '@kubernetes/client-node';
import { createKubeClient, StatusWriter, type KubeObject } from '../../src/kube/index.ts';

const SERVER = 'https://kube.test';

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: SERVER, skipTLSVerify: false }],
    users: [{ name: 'u', token: 'secret-token' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return kc;
}

const canary: KubeObject = {
  apiVersion: 'serin.dev/v1alpha1',
  kind: 'Canary',
  metadata: { name: 'web', namespace: 'shop', resourceVersion: '7' },
  status: { phase: 'Progressing', weight: 10 },
};

beforeAll(() => {
  nock.disableNetConnect();
});
afterAll(() => {
  nock.enableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
});

describe('HTTP requests serin sends', () => {
  it('writes status as one merge patch to the /status subresource, as field manager serin', async () => {
    const scope = nock(SERVER, {
      reqheaders: {
        'content-type': 'application/merge-patch+json',
        authorization: 'Bearer secret-token',
      },
    })
      .patch('/apis/serin.dev/v1alpha1/namespaces/shop/canaries/web/status', {
        status: { weight: 20 },
      })
      .query({ fieldManager: 'serin' })
      .reply(200, { ...canary, status: { phase: 'Progressing', weight: 20 } });
    const writer = new StatusWriter(createKubeClient(kubeConfig()));
    const result = await writer.write(canary, { phase: 'Progressing', weight: 20 });
    expect(result.kind).toBe('written');
    expect(scope.isDone()).toBe(true);
  });

  it('sends a JSON patch to a VirtualService as application/json-patch+json, as field manager serin', async () => {
    const ops = [
      { op: 'test' as const, path: '/spec/http/0/route/0/destination/subset', value: 'stable' },
      { op: 'replace' as const, path: '/spec/http/0/route/0/weight', value: 80 },
      { op: 'replace' as const, path: '/spec/http/0/route/1/weight', value: 20 },
    ];
    const scope = nock(SERVER, { reqheaders: { 'content-type': 'application/json-patch+json' } })
      .patch('/apis/networking.istio.io/v1/namespaces/shop/virtualservices/web', ops)
      .query({ fieldManager: 'serin' })
      .reply(200, { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: {} });
    const client = createKubeClient(kubeConfig());
    await client.jsonPatch(
      { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', namespace: 'shop', name: 'web' },
      ops,
    );
    expect(scope.isDone()).toBe(true);
  });

  it('updates a Lease with PUT carrying its resourceVersion', async () => {
    const lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'serin', namespace: 'serin-system', resourceVersion: '42' },
      spec: { holderIdentity: 'pod-a', leaseDurationSeconds: 15 },
    };
    const scope = nock(SERVER, { reqheaders: { 'content-type': 'application/json' } })
      .put(
        '/apis/coordination.k8s.io/v1/namespaces/serin-system/leases/serin',
        (body: KubeObject) => body.metadata.resourceVersion === '42',
      )
      .query({ fieldManager: 'serin' })
      .reply(200, { ...lease, metadata: { ...lease.metadata, resourceVersion: '43' } });
    const client = createKubeClient(kubeConfig());
    const updated = await client.replace(lease);
    expect(updated.metadata.resourceVersion).toBe('43');
    expect(scope.isDone()).toBe(true);
  });

  it('sends server-side apply as application/apply-patch+yaml with fieldManager serin', async () => {
    const scope = nock(SERVER, { reqheaders: { 'content-type': 'application/apply-patch+yaml' } })
      .patch('/apis/serin.dev/v1alpha1/namespaces/shop/canaries/web')
      .query({ fieldManager: 'serin', force: 'true' })
      .reply(200, canary);
    const client = createKubeClient(kubeConfig());
    await client.applyPatch(
      { apiVersion: 'serin.dev/v1alpha1', kind: 'Canary', metadata: { name: 'web', namespace: 'shop' } },
      { force: true },
    );
    expect(scope.isDone()).toBe(true);
  });

  it('does not send a write whose fencing signal has fired', async () => {
    const scope = nock(SERVER).patch(/.*/).reply(200, canary);
    const client = createKubeClient(kubeConfig());
    const err = await client
      .mergePatch(
        { apiVersion: 'serin.dev/v1alpha1', kind: 'Canary', namespace: 'shop', name: 'web' },
        { spec: {} },
        { signal: AbortSignal.abort() },
      )
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'Aborted' });
    expect(scope.isDone()).toBe(false);
  });
});
