/**
 * The Istio router against the Kubernetes API simulator over real HTTP: Istio's own
 * VirtualService CRD schema accepts what serin writes and keeps every other field, and a JSON
 * patch whose `test` op fails (422) makes the router re-read and re-plan.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { createKubeClient, type KubeClient } from '../../src/kube/index.ts';
import { IstioRouter, VirtualServiceClientError } from '../../src/routers/istio/index.ts';
import type { JsonPatchOp, VirtualService, VirtualServiceClient } from '../../src/routers/istio/index.ts';
import { startKubeSim, type KubeSim } from '../../src/sim/kube/index.ts';
import { loadCases } from './virtualservice-fixtures.ts';

const API = 'networking.istio.io/v1';

/** A VirtualServiceClient over plain fetch, the way any HTTP client would talk to the API server. */
function fetchClient(base: string): VirtualServiceClient & { patches: number } {
  const url = (ns: string, name: string): string =>
    `${base}/apis/${API}/namespaces/${ns}/virtualservices/${name}`;
  async function call(req: Request): Promise<VirtualService> {
    const res = await fetch(req);
    const body = (await res.json()) as { message?: string; reason?: string };
    if (!res.ok) throw new VirtualServiceClientError(res.status, body.message ?? res.statusText, body.reason);
    return body as unknown as VirtualService;
  }
  const client = {
    patches: 0,
    get: (ns: string, name: string, signal?: AbortSignal) =>
      call(new Request(url(ns, name), signal === undefined ? {} : { signal })),
    jsonPatch: (ns: string, name: string, ops: readonly JsonPatchOp[], signal?: AbortSignal) => {
      client.patches++;
      return call(
        new Request(url(ns, name), {
          method: 'PATCH',
          headers: { 'content-type': 'application/json-patch+json' },
          body: JSON.stringify(ops),
          ...(signal === undefined ? {} : { signal }),
        }),
      );
    },
  };
  return client;
}

/** The wiring the controller uses: src/kube's KubeClient behind the router's narrow client. */
function kubeClientVirtualServices(kube: KubeClient): VirtualServiceClient {
  const ref = (namespace: string, name: string) => ({
    apiVersion: API,
    kind: 'VirtualService',
    namespace,
    name,
  });
  return {
    get: async (ns, name, signal) => (await kube.get(ref(ns, name), { signal })) as unknown as VirtualService,
    jsonPatch: async (ns, name, ops, signal) =>
      (await kube.jsonPatch(ref(ns, name), ops, { signal })) as unknown as VirtualService,
  };
}

let sim: KubeSim;

async function create(vs: VirtualService): Promise<void> {
  const { resourceVersion: _rv, ...metadata } = vs.metadata;
  const ns = metadata.namespace ?? 'shop';
  const res = await fetch(`${sim.url}/apis/${API}/namespaces/${ns}/virtualservices`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...vs, apiVersion: API, metadata }),
  });
  if (res.status !== 201)
    throw new Error(`create ${ns}/${metadata.name ?? ''}: ${res.status} ${await res.text()}`);
}

/** A VirtualService with one HTTP route "main" at the given split, plus retries that must survive. */
async function createMain(name: string, primary = 100): Promise<void> {
  await create({
    apiVersion: API,
    kind: 'VirtualService',
    metadata: { name, namespace: 'shop' },
    spec: {
      hosts: ['podinfo'],
      http: [
        {
          name: 'main',
          retries: { attempts: 2, perTryTimeout: '1s' },
          route: [
            { destination: { host: 'podinfo-primary' }, weight: primary },
            { destination: { host: 'podinfo-canary' }, weight: 100 - primary },
          ],
        },
      ],
    },
  });
}

function stored(ns: string, name: string): VirtualService {
  const obj = sim.store.get(API, 'VirtualService', ns, name);
  if (obj === undefined) throw new Error(`${ns}/${name} missing`);
  return obj as unknown as VirtualService;
}

beforeAll(async () => {
  sim = await startKubeSim({ namespaces: ['shop', 'istio-ingress'] });
});
afterAll(async () => {
  await sim.stop();
});

describe('IstioRouter against the Kubernetes API simulator', () => {
  const golden = loadCases().filter((c) => c.after !== undefined);

  it.each(golden.map((c, i) => [c.name, c, i] as const))(
    '%s: Istio’s schema accepts the weights and the stored spec equals the .after file',
    async (name, c, i) => {
      // Separate names per case: the cases reuse VirtualService names.
      const rename = (vs: VirtualService): VirtualService => ({
        ...vs,
        metadata: { ...vs.metadata, name: `${vs.metadata.name ?? ''}-${i}` },
      });
      for (const vs of c.before) await create(rename(vs));
      const client = fetchClient(sim.url);
      const router = new IstioRouter({
        client,
        namespace: 'shop',
        service: 'podinfo',
        virtualServices: c.refs.map((r) => ({ ...r, name: `${r.name}-${i}` })),
      });
      const r = await router.setWeights(c.weights);
      expect(r.kind, name).toBe('ok');
      (c.after ?? []).forEach((after) => {
        const vs = rename(after);
        const obj = stored(vs.metadata.namespace ?? 'shop', vs.metadata.name ?? '');
        expect(obj.spec).toEqual(after.spec);
      });
      expect(client.patches > 0).toBe(r.kind === 'ok' && r.changed);
    },
  );

  it('re-plans after a real 422 from a failed test op when the route moved, through KubeClient', async () => {
    await createMain('moving');
    const kc = new KubeConfig();
    kc.loadFromOptions(sim.kubeconfig);
    const inner = kubeClientVirtualServices(createKubeClient(kc));
    const statuses: number[] = [];
    let first = true;
    const client: VirtualServiceClient = {
      get: (ns, name, signal) => inner.get(ns, name, signal),
      jsonPatch: async (ns, name, ops, signal) => {
        if (first) {
          first = false;
          // Another writer inserts a route in front of "main" between serin's read and write.
          const res = await fetch(`${sim.url}/apis/${API}/namespaces/shop/virtualservices/moving`, {
            method: 'PATCH',
            headers: { 'content-type': 'application/json-patch+json' },
            body: JSON.stringify([
              {
                op: 'add',
                path: '/spec/http/0',
                value: { name: 'debug', route: [{ destination: { host: 'podinfo-canary' } }] },
              },
            ]),
          });
          expect(res.status).toBe(200);
        }
        try {
          return await inner.jsonPatch(ns, name, ops, signal);
        } catch (err) {
          statuses.push((err as { status: number }).status);
          throw err;
        }
      },
    };
    const router = new IstioRouter({
      client,
      namespace: 'shop',
      service: 'podinfo',
      virtualServices: [{ name: 'moving', routes: ['main'] }],
    });
    const r = await router.setWeights({ primary: 70, canary: 30 });
    expect(r.kind).toBe('ok');
    expect(statuses).toEqual([422]);
    const spec = stored('shop', 'moving').spec;
    expect(spec.http?.[0]).toEqual({ name: 'debug', route: [{ destination: { host: 'podinfo-canary' } }] });
    expect(spec.http?.[1]).toEqual({
      name: 'main',
      retries: { attempts: 2, perTryTimeout: '1s' },
      route: [
        { destination: { host: 'podinfo-primary' }, weight: 70 },
        { destination: { host: 'podinfo-canary' }, weight: 30 },
      ],
    });
  });

  it('sends no write, so the resourceVersion stays, when the weights are already right', async () => {
    await createMain('steady', 70);
    const before = stored('shop', 'steady').metadata.resourceVersion;
    const client = fetchClient(sim.url);
    const router = new IstioRouter({
      client,
      namespace: 'shop',
      service: 'podinfo',
      virtualServices: [{ name: 'steady', routes: ['main'] }],
    });
    const r = await router.setWeights({ primary: 70, canary: 30 });
    expect(r).toMatchObject({ kind: 'ok', changed: false });
    expect(client.patches).toBe(0);
    expect(stored('shop', 'steady').metadata.resourceVersion).toBe(before);
  });

  it('retries a 409 from the server and steps once', async () => {
    await createMain('contended');
    sim.faults.failNext({
      method: 'PATCH',
      path: `/apis/${API}/namespaces/shop/virtualservices/contended`,
      count: 1,
      status: 409,
    });
    const client = fetchClient(sim.url);
    const router = new IstioRouter({
      client,
      namespace: 'shop',
      service: 'podinfo',
      virtualServices: [{ name: 'contended', routes: ['main'] }],
    });
    const r = await router.setWeights({ primary: 60, canary: 40 });
    expect(r).toMatchObject({ kind: 'ok', changed: true });
    expect(client.patches).toBe(2);
    const spec = stored('shop', 'contended').spec;
    expect(spec.http?.[0]?.route?.map((d) => d.weight)).toEqual([60, 40]);
  });

  it('reports Rejected after one attempt when Istio’s schema refuses the patch (no re-plan loop)', async () => {
    await createMain('refused');
    const inner = fetchClient(sim.url);
    let patches = 0;
    const corrupting: VirtualServiceClient = {
      get: (ns, name, signal) => inner.get(ns, name, signal),
      jsonPatch: (ns, name, ops, signal) => {
        patches++;
        // A weight of the wrong type: the CRD schema (int32) must refuse it with 422.
        const bad = ops.map((o) => (o.op === 'test' ? o : { ...o, value: 'forty' }));
        return inner.jsonPatch(ns, name, bad, signal);
      },
    };
    const before = structuredClone(stored('shop', 'refused'));
    const router = new IstioRouter({
      client: corrupting,
      namespace: 'shop',
      service: 'podinfo',
      virtualServices: [{ name: 'refused', routes: ['main'] }],
    });
    const r = await router.setWeights({ primary: 50, canary: 50 });
    expect(r).toMatchObject({ kind: 'error', code: 'Rejected' });
    expect(r.kind === 'error' ? r.message : '').toContain('weight');
    expect(patches).toBe(1);
    expect(stored('shop', 'refused')).toEqual(before);
  });
});
