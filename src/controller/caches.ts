import type { Canary } from '../api/index.ts';
import { ResourceCache, withoutManagedFields, type KubeClient, type KubeObject } from '../kube/index.ts';
import { HPA_API, HPA_KIND } from './autoscaler.ts';
import { CachedReader, type CachedKind } from './cached-reader.ts';
import { APPROVAL, approvalIndexKey } from './cluster-reader.ts';
import { ISTIO_API, SERIN_API } from './gather.ts';

type CanaryObject = Canary & KubeObject;

/** The Controller's informers: what wakes a Canary, and what its passes read. */
export interface ControllerCaches {
  readonly canaries: ResourceCache<CanaryObject>;
  readonly deployments: ResourceCache;
  readonly services: ResourceCache;
  readonly virtualServices: ResourceCache;
  readonly approvals: ResourceCache;
  readonly autoscalers: ResourceCache;
  readonly configMaps: ResourceCache;
  readonly analysisTemplates: ResourceCache;
  /** Only when every namespace is watched: a namespaced install may have no list/watch on them. */
  readonly clusterAnalysisTemplates?: ResourceCache;
}

/** `kubectl apply`'s copy of the whole object: often the largest annotation, and never read. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * A Deployment as cached: without managedFields and kubectl's last-applied copy. The spec (the pod
 * template is compared with the primary's and copied to it), labels, other annotations (serin's
 * revision annotations) and status stay. `annotations` stays an object when it held only the copy:
 * a JSON patch adds to an existing map key by key, but replaces a missing one whole.
 */
export function slimDeployment(obj: KubeObject): KubeObject {
  const slim = withoutManagedFields(obj);
  const annotations = slim.metadata.annotations;
  if (annotations?.[LAST_APPLIED] === undefined) return slim;
  const { [LAST_APPLIED]: _dropped, ...rest } = annotations;
  return { ...slim, metadata: { ...slim.metadata, annotations: rest } };
}

/**
 * The index of the Canary cache: the VirtualServices a Canary routes, as `namespace/name`, so that
 * a VirtualService's change wakes its Canaries without a scan of every Canary. A cached Canary has
 * not been validated yet (its pass does that): anything that is not a reference is skipped.
 */
export function routedVirtualServices(canary: CanaryObject): string[] {
  const spec = canary.spec as { trafficRouting?: { istio?: { virtualServices?: unknown } } } | undefined;
  const refs = spec?.trafficRouting?.istio?.virtualServices;
  if (!Array.isArray(refs)) return [];
  return refs.flatMap((ref: unknown) => {
    const { name, namespace } = (ref ?? {}) as { name?: unknown; namespace?: unknown };
    if (typeof name !== 'string') return [];
    return [`${typeof namespace === 'string' ? namespace : (canary.metadata.namespace ?? '')}/${name}`];
  });
}

/**
 * Builds the informers (not started) and the reader passes use. Every cached object loses
 * `metadata.managedFields`; Approvals are indexed by the Canary they name, and Canaries by the
 * VirtualServices they route.
 */
export function controllerCaches(
  client: KubeClient,
  namespace: string | undefined,
): { caches: ControllerCaches; reader: CachedReader } {
  const cache = <T extends KubeObject>(
    apiVersion: string,
    kind: string,
    extra: {
      namespace?: string | undefined;
      transform?: (obj: T) => T;
      index?: (obj: T) => readonly string[];
    } = {},
  ): ResourceCache<T> =>
    new ResourceCache<T>({
      client,
      apiVersion,
      kind,
      namespace: 'namespace' in extra ? extra.namespace : namespace,
      transform: extra.transform ?? withoutManagedFields,
      ...(extra.index ? { index: extra.index } : {}),
    });
  const caches: ControllerCaches = {
    canaries: cache<CanaryObject>(SERIN_API, 'Canary', { index: routedVirtualServices }),
    deployments: cache('apps/v1', 'Deployment', { transform: slimDeployment }),
    // Only the watched namespace(s): the primary/canary Services live beside their Canary.
    services: cache('v1', 'Service'),
    // A namespaced install watches VirtualServices in its namespace only; others are read live.
    virtualServices: cache(ISTIO_API, 'VirtualService'),
    approvals: cache(APPROVAL.apiVersion, APPROVAL.kind, { index: approvalIndexKey }),
    // The target's HPA and the ConfigMaps its pods use (src/controller/reference-watches.ts).
    // Secrets are not watched: that needs list/watch on every Secret (docs/controller.md).
    autoscalers: cache(HPA_API, HPA_KIND),
    configMaps: cache('v1', 'ConfigMap'),
    analysisTemplates: cache(SERIN_API, 'AnalysisTemplate'),
    ...(namespace === undefined
      ? { clusterAnalysisTemplates: cache(SERIN_API, 'ClusterAnalysisTemplate', { namespace: undefined }) }
      : {}),
  };
  const kind = (apiVersion: string, kindName: string, c: ResourceCache, ns = namespace): CachedKind => ({
    apiVersion,
    kind: kindName,
    cache: c,
    namespace: ns,
  });
  const kinds: CachedKind[] = [
    kind(SERIN_API, 'Canary', caches.canaries as unknown as ResourceCache),
    kind('apps/v1', 'Deployment', caches.deployments),
    kind('v1', 'Service', caches.services),
    kind(ISTIO_API, 'VirtualService', caches.virtualServices),
    kind(APPROVAL.apiVersion, APPROVAL.kind, caches.approvals),
    kind(HPA_API, HPA_KIND, caches.autoscalers),
    kind('v1', 'ConfigMap', caches.configMaps),
    kind(SERIN_API, 'AnalysisTemplate', caches.analysisTemplates),
    ...(caches.clusterAnalysisTemplates
      ? [kind(SERIN_API, 'ClusterAnalysisTemplate', caches.clusterAnalysisTemplates, undefined)]
      : []),
  ];
  return { caches, reader: new CachedReader({ client, kinds }) };
}

/** Every cache by name, for starting, stopping and readiness. */
export function cacheList(caches: ControllerCaches): [string, ResourceCache][] {
  const list: [string, ResourceCache][] = [
    ['canaries', caches.canaries as unknown as ResourceCache],
    ['deployments', caches.deployments],
    ['services', caches.services],
    ['virtualServices', caches.virtualServices],
    ['approvals', caches.approvals],
    ['autoscalers', caches.autoscalers],
    ['configMaps', caches.configMaps],
    ['analysisTemplates', caches.analysisTemplates],
  ];
  if (caches.clusterAnalysisTemplates)
    list.push(['clusterAnalysisTemplates', caches.clusterAnalysisTemplates]);
  return list;
}
