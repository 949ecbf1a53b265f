/**
 * Plain-JSON shapes of Kubernetes objects as serin reads and writes them.
 *
 * serin keeps objects exactly as the API server sent them (timestamps stay RFC 3339 strings), rather
 * than client-node's generated models, which turn timestamps into `Date`s and drop unknown fields of
 * custom resources.
 */

/** Owner reference on an object's metadata. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** The subset of `metadata` serin reads or sets. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  /** Opaque: compare only for equality, never numerically. */
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
}

/** Any Kubernetes object. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** Names one object (or, without `name`, one collection). */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  /** Omit for cluster-scoped resources. */
  namespace?: string;
  name: string;
}

/** A list as returned by the API server. */
export interface KubeList<T extends KubeObject = KubeObject> {
  items: T[];
  /** The list's resourceVersion: watch from here to see every later change. */
  resourceVersion: string;
}

/** One RFC 6902 operation. */
export type JsonPatchOp =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'move' | 'copy'; from: string; path: string };

/** Builds an {@link ObjectRef} from an object that has a name. */
export function refOf(obj: KubeObject): ObjectRef {
  const name = obj.metadata.name;
  if (name === undefined || name === '') throw new TypeError(`${obj.kind} has no metadata.name`);
  return obj.metadata.namespace === undefined
    ? { apiVersion: obj.apiVersion, kind: obj.kind, name }
    : { apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace, name };
}

/** `namespace/name` (or `name` when cluster-scoped): the key caches index objects by. */
export function objectKey(namespace: string | undefined, name: string): string {
  return namespace === undefined || namespace === '' ? name : `${namespace}/${name}`;
}
