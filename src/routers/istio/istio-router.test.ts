import { describe, expect, it } from 'vitest';
import { FakeVirtualServices } from '../../../test/routers/fake-virtualservice-client.ts';
import { IstioRouter } from './istio-router.ts';
import { VirtualServiceClientError } from './client.ts';
import type { IstioRouterOptions } from './istio-router.ts';
import type { RouteDestination, VirtualService } from './types.ts';

function dest(host: string, weight?: number): RouteDestination {
  return weight === undefined ? { destination: { host } } : { destination: { host }, weight };
}

function vs(
  name: string,
  namespace: string,
  opts: { primary?: string; canary?: string; p?: number; c?: number } = {},
): VirtualService {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name, namespace },
    spec: {
      hosts: ['podinfo'],
      http: [
        {
          name: 'main',
          timeout: '5s',
          route: [
            dest(opts.primary ?? 'podinfo-primary', opts.p ?? 100),
            dest(opts.canary ?? 'podinfo-canary', opts.c ?? 0),
          ],
        },
      ],
    },
  };
}

function setup(objects: VirtualService[], extra: Partial<IstioRouterOptions> = {}) {
  const client = new FakeVirtualServices();
  for (const o of objects) client.put(o);
  const router = new IstioRouter({
    client,
    namespace: 'shop',
    service: 'podinfo',
    virtualServices: [{ name: 'podinfo', routes: ['main'] }],
    ...extra,
  });
  return { client, router };
}

function weightsOf(v: VirtualService, index = 0): number[] {
  return (v.spec.http?.[index]?.route ?? []).map((d) => d.weight ?? 0);
}

describe('IstioRouter.setWeights with the copies the caller read (a cache)', () => {
  const seenOf = (v: VirtualService) => [{ namespace: 'shop', name: 'podinfo', object: v }];

  it('plans from the copy without reading, and reads back live after the write', async () => {
    const { client, router } = setup([vs('podinfo', 'shop')]);
    const copy = structuredClone(client.stored('shop', 'podinfo'));
    const r = await router.setWeights({ primary: 80, canary: 20 }, { seen: seenOf(copy) });
    expect(r).toMatchObject({ kind: 'ok', changed: true });
    expect(client.reads).toBe(1); // the read-back only
    expect(weightsOf(client.stored('shop', 'podinfo'))).toEqual([80, 20]);
  });

  it('sends and reads nothing when the copy already carries the weights', async () => {
    const { client, router } = setup([vs('podinfo', 'shop', { p: 70, c: 30 })]);
    const copy = structuredClone(client.stored('shop', 'podinfo'));
    const r = await router.setWeights({ primary: 70, canary: 30 }, { seen: seenOf(copy) });
    expect(r).toMatchObject({ kind: 'ok', changed: false });
    expect(client.reads).toBe(0);
    expect(client.patches).toHaveLength(0);
  });

  it('a stale copy fails its test ops: the object is read again, re-planned and written', async () => {
    const { client, router } = setup([vs('podinfo', 'shop')]);
    const stale = structuredClone(client.stored('shop', 'podinfo'));
    client.edit('shop', 'podinfo', (v) => {
      v.spec.http![0]!.route = [dest('podinfo-primary', 60), dest('podinfo-canary', 40)];
    });
    const r = await router.setWeights(
      { primary: 80, canary: 20 },
      { seen: seenOf(stale), lastApplied: { primary: 100, canary: 0 } },
    );
    expect(r).toMatchObject({ kind: 'driftCorrected', weights: { primary: 80, canary: 20 } });
    expect(client.patches).toHaveLength(2); // refused on the stale copy, then sent on the fresh one
    expect(client.reads).toBe(2); // the fresh read and the read-back
    expect(weightsOf(client.stored('shop', 'podinfo'))).toEqual([80, 20]);
  });

  it('never plans from the copy again once it has written the VirtualService', async () => {
    const { client, router } = setup([vs('podinfo', 'shop')]);
    const copy = structuredClone(client.stored('shop', 'podinfo'));
    await router.setWeights({ primary: 80, canary: 20 }, { seen: seenOf(copy) });
    const reads = client.reads;
    const r = await router.setWeights({ primary: 100, canary: 0 }, { seen: seenOf(copy) });
    expect(r).toMatchObject({ kind: 'ok', changed: true });
    expect(client.reads - reads).toBe(2); // a live read to plan on, and the read-back
    expect(weightsOf(client.stored('shop', 'podinfo'))).toEqual([100, 0]);
  });
});

describe('IstioRouter.setWeights', () => {
  it('writes the weights with one conditional patch and verifies them by reading back', async () => {
    const { client, router } = setup([vs('podinfo', 'shop')]);
    const r = await router.setWeights({ primary: 80, canary: 20 });
    expect(r).toMatchObject({ kind: 'ok', changed: true, weights: { primary: 80, canary: 20 } });
    expect(client.patches).toHaveLength(1);
    expect(client.patches[0]?.ops.filter((o) => o.op === 'test').length).toBeGreaterThanOrEqual(3);
    expect(weightsOf(client.stored('shop', 'podinfo'))).toEqual([80, 20]);
    expect(client.stored('shop', 'podinfo').spec.http?.[0]?.timeout).toBe('5s');
    expect(client.reads).toBe(2); // the read it planned on, and the read-back
  });

  it('sends no write when the weights are already right', async () => {
    const { client, router } = setup([vs('podinfo', 'shop', { p: 70, c: 30 })]);
    const r = await router.setWeights({ primary: 70, canary: 30 });
    expect(r).toMatchObject({ kind: 'ok', changed: false });
    expect(client.patches).toHaveLength(0);
  });

  it('weights several VirtualServices in several namespaces', async () => {
    const gateway = vs('podinfo-gw', 'istio-ingress', {
      primary: 'podinfo-primary.shop.svc.cluster.local',
      canary: 'podinfo-canary.shop',
    });
    const { client, router } = setup([vs('podinfo', 'shop'), gateway], {
      virtualServices: [
        { name: 'podinfo' },
        { name: 'podinfo-gw', namespace: 'istio-ingress', routes: ['main'] },
      ],
    });
    const r = await router.setWeights({ primary: 60, canary: 40 });
    expect(r.kind).toBe('ok');
    expect(weightsOf(client.stored('shop', 'podinfo'))).toEqual([60, 40]);
    expect(weightsOf(client.stored('istio-ingress', 'podinfo-gw'))).toEqual([60, 40]);
  });

  it('writes nothing anywhere when any VirtualService fails planning', async () => {
    const broken = vs('podinfo-gw', 'istio-ingress'); // short names from another namespace
    const { client, router } = setup([vs('podinfo', 'shop'), broken], {
      virtualServices: [{ name: 'podinfo' }, { name: 'podinfo-gw', namespace: 'istio-ingress' }],
    });
    const r = await router.setWeights({ primary: 60, canary: 40 });
    expect(r).toMatchObject({
      kind: 'error',
      code: 'DestinationMissing',
      virtualService: { namespace: 'istio-ingress' },
    });
    expect(client.patches).toHaveLength(0);
  });

  it('reports NotFound naming the missing VirtualService', async () => {
    const { router } = setup([]);
    const r = await router.setWeights({ primary: 60, canary: 40 });
    expect(r).toMatchObject({
      kind: 'error',
      code: 'NotFound',
      message: 'VirtualService shop/podinfo: does not exist',
    });
  });

  it('re-reads and re-plans when the route moved underneath (422 from a test op), and weights the right route', async () => {
    const { client, router } = setup([vs('podinfo', 'shop')]);
    client.beforePatch.push((stored) => {
      // Someone inserts a header route in front: "main" moves to index 1.
      stored.spec.http?.unshift({ name: 'debug', route: [dest('podinfo-canary')] });
      stored.metadata.resourceVersion = '999';
    });
    const r = await router.setWeights({ primary: 90, canary: 10 });
    expect(r.kind).toBe('ok');
    expect(client.patches).toHaveLength(2);
    const stored = client.stored('shop', 'podinfo');
    expect(stored.spec.http?.[0]).toEqual({ name: 'debug', route: [dest('podinfo-canary')] });
    expect(weightsOf(stored, 1)).toEqual([90, 10]);
  });

  it('re-plans after a 409 Conflict', async () => {
    const { client, router } = setup([vs('podinfo', 'shop')]);
    client.beforePatch.push(() => {
      throw new VirtualServiceClientError(409, 'the object has been modified', 'Conflict');
    });
    const r = await router.setWeights({ primary: 90, canary: 10 });
    expect(r.kind).toBe('ok');
    expect(client.patches).toHaveLength(2);
    expect(weightsOf(client.stored('shop', 'podinfo'))).toEqual([90, 10]);
  });

  it('gives up with Conflict after maxAttempts writes', async () => {
    const { client, router } = setup([vs('podinfo', 'shop')], { maxAttempts: 3 });
    for (let i = 0; i < 5; i++) {
      client.beforePatch.push(() => {
        throw new VirtualServiceClientError(409, 'the object has been modified', 'Conflict');
      });
    }
    const r = await router.setWeights({ primary: 90, canary: 10 });
    expect(r).toMatchObject({ kind: 'error', code: 'Conflict' });
    expect(client.patches).toHaveLength(3);
  });

  it('reports Rejected without looping when a 422 comes back for an object that did not change', async () => {
    const { client, router } = setup([vs('podinfo', 'shop')]);
    client.beforePatch.push(() => {
      throw new VirtualServiceClientError(422, 'spec.http[0].route[0].weight: Invalid value', 'Invalid');
    });
    const r = await router.setWeights({ primary: 90, canary: 10 });
    expect(r).toMatchObject({ kind: 'error', code: 'Rejected' });
    expect(r.kind === 'error' ? r.message : '').toContain('spec.http[0].route[0].weight');
    expect(client.patches).toHaveLength(1);
  });

  it('reports VerifyFailed when the read-back shows other weights', async () => {
    const { client, router } = setup([vs('podinfo', 'shop')]);
    client.afterPatch = (stored) => {
      // A mutating webhook that pins the primary at 100.
      const route = stored.spec.http?.[0]?.route ?? [];
      if (route[0] !== undefined) route[0].weight = 100;
      if (route[1] !== undefined) route[1].weight = 0;
    };
    const r = await router.setWeights({ primary: 50, canary: 50 });
    expect(r).toMatchObject({ kind: 'error', code: 'VerifyFailed', route: 'http "main"' });
    expect(r.kind === 'error' ? r.message : '').toContain('reads primary 100 / canary 0');
  });

  it('reports ApiError with the HTTP status for a server error', async () => {
    const { client, router } = setup([vs('podinfo', 'shop')]);
    client.beforePatch.push(() => {
      throw new VirtualServiceClientError(500, 'etcd timeout');
    });
    const r = await router.setWeights({ primary: 50, canary: 50 });
    expect(r).toMatchObject({ kind: 'error', code: 'ApiError' });
    expect(r.kind === 'error' ? r.message : '').toContain('HTTP 500');
  });

  it('never sends a write once the signal has fired', async () => {
    const { client, router } = setup([vs('podinfo', 'shop')]);
    const controller = new AbortController();
    const get = client.get.bind(client);
    client.get = async (ns, name, signal) => {
      const v = await get(ns, name, signal);
      controller.abort(); // leadership lost between the read and the write
      return v;
    };
    const r = await router.setWeights({ primary: 50, canary: 50 }, { signal: controller.signal });
    expect(r).toMatchObject({ kind: 'error', code: 'Aborted' });
    expect(client.patches).toHaveLength(0);
  });

  it('rejects weights that do not sum to 100 before reading anything it would write', async () => {
    const { client, router } = setup([vs('podinfo', 'shop')]);
    const r = await router.setWeights({ primary: 90, canary: 20 });
    expect(r).toMatchObject({ kind: 'error', code: 'InvalidWeights' });
    expect(client.patches).toHaveLength(0);
  });
});

describe('IstioRouter drift', () => {
  it('reports drift corrected when someone else changed the weights since serin last wrote them', async () => {
    const { client, router } = setup([vs('podinfo', 'shop')]);
    await router.setWeights({ primary: 80, canary: 20 });
    client.edit('shop', 'podinfo', (v) => {
      const route = v.spec.http?.[0]?.route ?? [];
      if (route[0] !== undefined) route[0].weight = 0;
      if (route[1] !== undefined) route[1].weight = 100;
    });
    const r = await router.setWeights({ primary: 80, canary: 20 });
    expect(r).toMatchObject({
      kind: 'driftCorrected',
      drift: [{ route: 'http "main"', from: { primary: 0, canary: 100 }, to: { primary: 80, canary: 20 } }],
    });
    expect(weightsOf(client.stored('shop', 'podinfo'))).toEqual([80, 20]);
  });

  it('does not call an ordinary step drift', async () => {
    const { router } = setup([vs('podinfo', 'shop')]);
    await router.setWeights({ primary: 90, canary: 10 });
    const r = await router.setWeights({ primary: 80, canary: 20 });
    expect(r).toMatchObject({ kind: 'ok', changed: true });
  });

  it('recognises drift after a restart from the lastApplied the controller passes', async () => {
    const { router } = setup([vs('podinfo', 'shop', { p: 50, c: 50 })]);
    const r = await router.setWeights(
      { primary: 80, canary: 20 },
      { lastApplied: { primary: 80, canary: 20 } },
    );
    expect(r.kind).toBe('driftCorrected');
  });

  it('reports an edit made between its read and its write as drift', async () => {
    const { client, router } = setup([vs('podinfo', 'shop', { p: 90, c: 10 })]);
    client.beforePatch.push((stored) => {
      const route = stored.spec.http?.[0]?.route ?? [];
      if (route[0] !== undefined) route[0].weight = 30;
      if (route[1] !== undefined) route[1].weight = 70;
      stored.metadata.resourceVersion = '555';
    });
    const r = await router.setWeights(
      { primary: 80, canary: 20 },
      { lastApplied: { primary: 90, canary: 10 } },
    );
    expect(r).toMatchObject({ kind: 'driftCorrected', drift: [{ from: { primary: 30, canary: 70 } }] });
    expect(weightsOf(client.stored('shop', 'podinfo'))).toEqual([80, 20]);
  });
});

describe('IstioRouter.getWeights', () => {
  it('reports every managed route and the weights they share', async () => {
    const { router } = setup([vs('podinfo', 'shop', { p: 70, c: 30 })]);
    const r = await router.getWeights();
    expect(r).toEqual({
      kind: 'ok',
      weights: { primary: 70, canary: 30 },
      routes: [
        {
          virtualService: { namespace: 'shop', name: 'podinfo' },
          kind: 'http',
          index: 0,
          route: 'http "main"',
          weights: { primary: 70, canary: 30 },
        },
      ],
    });
  });

  it('gives no shared weights when the routes disagree', async () => {
    const { router } = setup(
      [vs('podinfo', 'shop', { p: 70, c: 30 }), vs('other', 'shop', { p: 100, c: 0 })],
      {
        virtualServices: [{ name: 'podinfo' }, { name: 'other' }],
      },
    );
    const r = await router.getWeights();
    expect(r.kind === 'ok' ? r.weights : 'error').toBeUndefined();
  });
});
