import type { KubeObject, ObjectMeta } from './types.ts';

/**
 * The object without `metadata.managedFields`: server-side apply's bookkeeping, often larger than
 * the object itself, which serin never reads from a cache (writes name their field manager, and
 * conflicts are the API server's business). A shallow copy: the cached objects are never mutated.
 */
export function withoutManagedFields<T extends KubeObject>(obj: T): T {
  if (!('managedFields' in obj.metadata)) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata as ObjectMeta & { managedFields?: unknown };
  return { ...obj, metadata };
}
