import type { Canary } from '../api/index.ts';
import type { KubeClient } from '../kube/index.ts';
import type { TrafficRouter } from '../ports/traffic-router.ts';
import { IstioRouter } from '../routers/istio/istio-router.ts';
import type { VirtualServiceClient } from '../routers/istio/client.ts';
import type { VirtualService } from '../routers/istio/index.ts';
import { ISTIO_API } from './gather.ts';

/** The router's view of the Kubernetes API: VirtualServices read and JSON-patched through KubeClient. */
export function virtualServiceClient(client: KubeClient): VirtualServiceClient {
  const ref = (namespace: string, name: string) => ({
    apiVersion: ISTIO_API,
    kind: 'VirtualService',
    namespace,
    name,
  });
  return {
    get: async (namespace, name, signal) =>
      (await client.get(ref(namespace, name), signal ? { signal } : {})) as unknown as VirtualService,
    jsonPatch: async (namespace, name, ops, signal) =>
      (await client.jsonPatch(
        ref(namespace, name),
        [...ops],
        signal ? { signal } : {},
      )) as unknown as VirtualService,
  };
}

/** The Istio router for one Canary's VirtualServices and Services. */
export function istioRouterFor(client: KubeClient, canary: Canary): TrafficRouter {
  return new IstioRouter({
    client: virtualServiceClient(client),
    namespace: canary.metadata.namespace ?? 'default',
    service: canary.spec.service.name,
    virtualServices: canary.spec.trafficRouting.istio.virtualServices,
  });
}
