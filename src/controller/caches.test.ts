import { describe, expect, it } from 'vitest';
import type { Canary } from '../api/index.ts';
import type { KubeObject } from '../kube/index.ts';
import { routedVirtualServices } from './caches.ts';

const canary = (spec: unknown, namespace = 'shop'): Canary & KubeObject =>
  ({
    apiVersion: 'serin.dev/v1alpha1',
    kind: 'Canary',
    metadata: { name: 'web', namespace },
    spec,
  }) as Canary & KubeObject;

describe('routedVirtualServices (the Canary cache index)', () => {
  it('files a Canary under each VirtualService it routes, in its own namespace unless one is named', () => {
    const spec = {
      trafficRouting: { istio: { virtualServices: [{ name: 'web' }, { name: 'edge', namespace: 'mesh' }] } },
    };
    expect(routedVirtualServices(canary(spec))).toEqual(['shop/web', 'mesh/edge']);
  });

  it.each([
    ['no spec', undefined],
    ['no trafficRouting', {}],
    ['virtualServices not a list', { trafficRouting: { istio: { virtualServices: 'web' } } }],
    [
      'entries that are not references',
      { trafficRouting: { istio: { virtualServices: [null, 3, { name: 7 }] } } },
    ],
  ])('skips what is not a reference (%s): a cached Canary is not validated yet', (_label, spec) => {
    expect(routedVirtualServices(canary(spec))).toEqual([]);
  });
});
