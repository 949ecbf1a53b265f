import { objectKey, type KubeObject } from './types.ts';

/** What changed in a cache. */
export type CacheEventType = 'added' | 'updated' | 'deleted';

/** One change, with the state before it for updates. */
export type CacheEvent<T extends KubeObject> =
  { type: 'added'; object: T } | { type: 'updated'; object: T; previous: T } | { type: 'deleted'; object: T };

type Handler<T extends KubeObject> = (event: CacheEvent<T>) => void;

/**
 * The objects an informer holds, keyed by namespace/name. Every write goes through here, so the
 * "no duplicate, no missed final state" rule lives in one place: an object whose resourceVersion is
 * unchanged produces no event, and a re-list reports what vanished as deletions.
 */
export class ObjectStore<T extends KubeObject> {
  readonly #objects = new Map<string, T>();
  readonly #handlers = new Set<{ fn: Handler<T>; onError: (err: unknown) => void }>();

  get(namespace: string | undefined, name: string): T | undefined {
    return this.#objects.get(objectKey(namespace, name));
  }

  list(namespace?: string): T[] {
    const all = [...this.#objects.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  get size(): number {
    return this.#objects.size;
  }

  subscribe(fn: Handler<T>, onError: (err: unknown) => void): () => void {
    const entry = { fn, onError };
    this.#handlers.add(entry);
    return () => this.#handlers.delete(entry);
  }

  /** Adds or updates; silent when the stored copy has the same resourceVersion. */
  upsert(obj: T): void {
    const key = keyOf(obj);
    if (key === undefined) return;
    const previous = this.#objects.get(key);
    if (previous?.metadata.resourceVersion === obj.metadata.resourceVersion && previous) return;
    this.#objects.set(key, obj);
    this.#emit(previous ? { type: 'updated', object: obj, previous } : { type: 'added', object: obj });
  }

  /** Removes; silent when the object is not held (a replayed deletion). */
  remove(obj: T): void {
    const key = keyOf(obj);
    if (key === undefined || !this.#objects.has(key)) return;
    this.#objects.delete(key);
    this.#emit({ type: 'deleted', object: obj });
  }

  /** Makes the store equal to a fresh list, emitting only the differences. */
  replace(items: readonly T[]): void {
    const seen = new Set<string>();
    for (const item of items) {
      const key = keyOf(item);
      if (key === undefined) continue;
      seen.add(key);
      this.upsert(item);
    }
    for (const [key, obj] of [...this.#objects]) {
      if (!seen.has(key)) {
        this.#objects.delete(key);
        this.#emit({ type: 'deleted', object: obj });
      }
    }
  }

  #emit(event: CacheEvent<T>): void {
    for (const h of this.#handlers) {
      try {
        h.fn(event);
      } catch (err) {
        h.onError(err);
      }
    }
  }
}

function keyOf(obj: KubeObject): string | undefined {
  const name = obj.metadata.name;
  return name === undefined ? undefined : objectKey(obj.metadata.namespace, name);
}
