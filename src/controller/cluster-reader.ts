import type { Approval } from '../api/index.ts';
import type { KubeClient, KubeObject, ObjectRef } from '../kube/index.ts';

/**
 * How a reconcile pass reads the cluster: one object by reference, a kind in a namespace, and the
 * Approvals that name a Canary. Two implementations: {@link liveReader} asks the API server each
 * time (passes run without a Controller: tests, `serin` verbs), and the Controller's
 * {@link CachedReader} (src/controller/cached-reader.ts) answers from its informers' caches.
 * docs/adr/0005-cached-reads.md says which reads stay live and why.
 *
 * Objects returned may be shared with a cache: callers never mutate them.
 */
export interface ClusterReader {
  /** One object; undefined when it does not exist. */
  get<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T | undefined>;
  /** Every object of a kind in a namespace. */
  list<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, namespace: string): Promise<T[]>;
  /** The Approvals in `namespace` whose `spec.canaryRef.name` is `canary`. */
  approvals(namespace: string, canary: string): Promise<(Approval & KubeObject)[]>;
}

/** Every read goes to the API server. */
export function liveReader(client: KubeClient): ClusterReader {
  return {
    get: (ref) => client.find(ref),
    list: async <T extends KubeObject>(apiVersion: string, kind: string, namespace: string) =>
      (await client.list<T>(apiVersion, kind, { namespace })).items,
    approvals: async (namespace, canary) => {
      const all = await client.list<Approval & KubeObject>(APPROVAL.apiVersion, APPROVAL.kind, { namespace });
      return all.items.filter((approval) => approval.spec.canaryRef.name === canary);
    },
  };
}

export const APPROVAL = { apiVersion: 'serin.dev/v1alpha1', kind: 'Approval' } as const;

/** The key an Approval is indexed by in the Controller's cache: `<namespace>/<canaryRef.name>`. */
export function approvalIndexKey(approval: KubeObject): readonly string[] {
  const name = (approval.spec as { canaryRef?: { name?: unknown } } | undefined)?.canaryRef?.name;
  return typeof name === 'string' ? [`${approval.metadata.namespace ?? ''}/${name}`] : [];
}
