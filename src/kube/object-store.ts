import { objectKey, type KubeObject } from './types.ts';

/** What changed in a cache. */
export type CacheEventType = 'added' | 'updated' | 'deleted';

/** One change, with the state before it for updates. */
export type CacheEvent<T extends KubeObject> =
  { type: 'added'; object: T } | { type: 'updated'; object: T; previous: T } | { type: 'deleted'; object: T };

type Handler<T extends KubeObject> = (event: CacheEvent<T>) => void;

/** How a store shapes and indexes what it holds. */
export interface ObjectStoreOptions<T extends KubeObject> {
  /**
   * Applied to every object before it is stored (lists and watch events alike), e.g. to drop
   * `metadata.managedFields`. It must keep `metadata.name`, `namespace` and `resourceVersion`.
   */
  readonly transform?: (obj: T) => T;
  /** One secondary index: the keys an object is found under with {@link ObjectStore.byIndex}. */
  readonly index?: (obj: T) => readonly string[];
}

/**
 * The objects an informer holds, keyed by namespace/name. Every write goes through here, so the
 * "no duplicate, no missed final state" rule lives in one place: an object whose resourceVersion is
 * unchanged produces no event, and a re-list reports what vanished as deletions.
 */
export class ObjectStore<T extends KubeObject> {
  readonly #objects = new Map<string, T>();
  readonly #handlers = new Set<{ fn: Handler<T>; onError: (err: unknown) => void }>();
  readonly #options: ObjectStoreOptions<T>;
  /** Index key -> object key -> object. */
  readonly #index = new Map<string, Map<string, T>>();
  /**
   * Namespace -> object key -> object: a pass lists one namespace's objects, and a cache of
   * cluster-wide watches holds every namespace's (at 10,000 Canaries, 20,000 Deployments).
   */
  readonly #namespaces = new Map<string, Map<string, T>>();

  constructor(options: ObjectStoreOptions<T> = {}) {
    this.#options = options;
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.#objects.get(objectKey(namespace, name));
  }

  list(namespace?: string): T[] {
    if (namespace === undefined) return [...this.#objects.values()];
    return [...(this.#namespaces.get(namespace)?.values() ?? [])];
  }

  /** The objects filed under an index key (none without an index). */
  byIndex(indexKey: string): T[] {
    return [...(this.#index.get(indexKey)?.values() ?? [])];
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
  upsert(incoming: T): void {
    const key = keyOf(incoming);
    if (key === undefined) return;
    const previous = this.#objects.get(key);
    if (previous?.metadata.resourceVersion === incoming.metadata.resourceVersion && previous) return;
    const obj = this.#options.transform ? this.#options.transform(incoming) : incoming;
    this.#objects.set(key, obj);
    this.#reindex(key, previous, obj);
    this.#emit(previous ? { type: 'updated', object: obj, previous } : { type: 'added', object: obj });
  }

  /** Removes; silent when the object is not held (a replayed deletion). */
  remove(obj: T): void {
    const key = keyOf(obj);
    const held = key === undefined ? undefined : this.#objects.get(key);
    if (key === undefined || !held) return;
    this.#objects.delete(key);
    this.#reindex(key, held, undefined);
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
        this.#reindex(key, obj, undefined);
        this.#emit({ type: 'deleted', object: obj });
      }
    }
  }

  #reindex(key: string, before: T | undefined, after: T | undefined): void {
    this.#refile(key, before, after);
    const index = this.#options.index;
    if (!index) return;
    for (const indexKey of before ? index(before) : []) {
      const bucket = this.#index.get(indexKey);
      bucket?.delete(key);
      if (bucket?.size === 0) this.#index.delete(indexKey);
    }
    for (const indexKey of after ? index(after) : []) {
      let bucket = this.#index.get(indexKey);
      if (!bucket) this.#index.set(indexKey, (bucket = new Map<string, T>()));
      bucket.set(key, after as T);
    }
  }

  /**
   * Keeps the namespace map in step, in the order of the objects map (an update keeps its place).
   * Cluster-scoped objects are not filed: `list(namespace)` never returned them.
   */
  #refile(key: string, before: T | undefined, after: T | undefined): void {
    const from = before?.metadata.namespace;
    const to = after?.metadata.namespace;
    if (from !== undefined && from !== to) {
      const bucket = this.#namespaces.get(from);
      bucket?.delete(key);
      if (bucket?.size === 0) this.#namespaces.delete(from);
    }
    if (to !== undefined && after !== undefined) {
      let bucket = this.#namespaces.get(to);
      if (!bucket) this.#namespaces.set(to, (bucket = new Map<string, T>()));
      bucket.set(key, after);
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
