import type { Canary } from '../api/index.ts';
import type { KubeObject, ResourceCache } from '../kube/index.ts';
import type { Hpa } from './autoscaler.ts';
import { configRefs, type ConfigKind } from './config-refs.ts';
import { primaryName, type Deployment } from './workloads.ts';

type CanaryObject = Canary & KubeObject;

/** The caches a change in the target's references is seen through. */
export interface ReferenceCaches {
  readonly canaries: ResourceCache<CanaryObject>;
  readonly deployments: ResourceCache;
  readonly autoscalers: ResourceCache;
  readonly configMaps: ResourceCache;
}

/** Whether an HPA is the Canary's (or serin's copy of it): it scales the target or the primary, or is named. */
function concernsCanary(hpa: Hpa, canary: CanaryObject): boolean {
  const target = canary.spec.targetRef.name;
  const scaled = hpa.spec.scaleTargetRef.name;
  return (
    scaled === target ||
    scaled === primaryName(target) ||
    canary.spec.autoscalerRef?.name === hpa.metadata.name
  );
}

/** Whether the Canary's target Deployment (as cached) names this ConfigMap or Secret. */
function usesConfig(
  deployments: ResourceCache,
  canary: CanaryObject,
  config: { kind: ConfigKind; name: string },
): boolean {
  const target = deployments.get(canary.metadata.namespace, canary.spec.targetRef.name) as
    (Deployment & KubeObject) | undefined;
  if (!target) return false;
  return configRefs(target.spec.template.spec).some(
    (ref) => ref.kind === config.kind && ref.name === config.name,
  );
}

/**
 * Wakes a Canary when its target's HPA changes (so `<hpa>-primary` follows) or when a ConfigMap its
 * target's pods use changes (a new revision). Only names are looked at, never content. Secrets are
 * not watched: a watch needs list and watch on every Secret in scope, which is reading them all; a
 * changed Secret is seen by the next periodic pass.
 */
export function watchReferences(
  caches: ReferenceCaches,
  enqueue: (namespace: string | undefined, name: string) => void,
): void {
  const wake = (namespace: string | undefined, concerns: (canary: CanaryObject) => boolean): void => {
    for (const canary of caches.canaries.list(namespace))
      if (concerns(canary)) enqueue(canary.metadata.namespace, canary.metadata.name);
  };
  caches.autoscalers.onChange(({ object }) => {
    // A stored HPA has passed the API server's validation: scaleTargetRef is there.
    const hpa = object as unknown as Hpa;
    wake(object.metadata.namespace, (canary) => concernsCanary(hpa, canary));
  });
  caches.configMaps.onChange(({ object }) => {
    const config = { kind: 'ConfigMap' as const, name: object.metadata.name ?? '' };
    wake(object.metadata.namespace, (canary) => usesConfig(caches.deployments, canary, config));
  });
}
