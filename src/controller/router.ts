import type { Canary } from '../api/index.ts';
import { describeKubeError, isKubeError, KubeError, type KubeClient } from '../kube/index.ts';
import type { TrafficRouter } from '../ports/traffic-router.ts';
import { IstioRouter } from '../routers/istio/istio-router.ts';
import type { VirtualServiceClient } from '../routers/istio/client.ts';
import type { VirtualService } from '../routers/istio/index.ts';
import { ISTIO_API } from './gather.ts';

/**
 * A 403 worded with the verb and resource RBAC refused, so the router's error (and the Canary's
 * condition and Event that show it) says what to grant. Its status and code are kept.
 */
function namingRefusal(err: unknown): unknown {
  if (!isKubeError(err, 'Forbidden') || err.request === undefined) return err;
  return new KubeError({
    code: err.code,
    status: err.status,
    message: describeKubeError(err),
    reason: err.reason,
    request: err.request,
    cause: err,
  });
}

async function naming<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw namingRefusal(err);
  }
}

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
      (await naming(() =>
        client.get(ref(namespace, name), signal ? { signal } : {}),
      )) as unknown as VirtualService,
    jsonPatch: async (namespace, name, ops, signal) =>
      (await naming(() =>
        client.jsonPatch(ref(namespace, name), [...ops], signal ? { signal } : {}),
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
