/**
 * In-memory object storage with one global resourceVersion counter (like etcd's revision),
 * a bounded per-resource event history for watch resume, and watch listeners.
 */
import type { KubeObject, ResourceType } from './types.ts';
import { clone } from './types.ts';

/** A change to one object, as recorded for watches. */
export interface StoredEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** The object after the change (for DELETED: the last state, carrying the deletion's resourceVersion). */
  object: KubeObject;
  /** The object before the change (MODIFIED only); lets selector-filtered watches translate to ADDED/DELETED. */
  previous: KubeObject | undefined;
  rv: number;
}

/** Receives events as they are committed. */
export type Listener = (event: StoredEvent) => void;

class ResourceBucket {
  /** Stored objects; never mutated in place (a write replaces the entry), so they can be shared read-only. */
  readonly objects = new Map<string, KubeObject>();
  /** The keys in etcd order, kept until the set of keys changes (a modification keeps it). */
  sortedKeys: string[] | undefined;
  history: StoredEvent[] = [];
  /** Events with rv <= compactedRv may be gone; resuming from below it is answered with 410. */
  compactedRv = 0;
  readonly listeners = new Set<Listener>();
}

function keyOf(type: ResourceType): string {
  return `${type.group}/${type.plural}`;
}

/** The first index whose key is >= `target` in sorted `keys`. */
function lowerBound(keys: readonly string[], target: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] ?? '') < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

/** The simulator's storage. Objects are kept in their resource's storage version. */
export class Store {
  private rv: number;
  private readonly buckets = new Map<string, ResourceBucket>();

  constructor(
    private readonly historyLimit: number,
    initialRv = 1000,
  ) {
    this.rv = initialRv;
  }

  private bucket(type: ResourceType): ResourceBucket {
    const key = keyOf(type);
    let b = this.buckets.get(key);
    if (b === undefined) {
      b = new ResourceBucket();
      this.buckets.set(key, b);
    }
    return b;
  }

  /** The latest committed resourceVersion (what a list returns). */
  currentRv(): number {
    return this.rv;
  }

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const obj = this.bucket(type).objects.get(objectKey(type.namespaced ? namespace : undefined, name));
    return obj === undefined ? undefined : clone(obj);
  }

  /** Whether the object exists (no copy made). */
  has(type: ResourceType, namespace: string | undefined, name: string): boolean {
    return this.bucket(type).objects.has(objectKey(type.namespaced ? namespace : undefined, name));
  }

  /** Objects of a type, optionally in one namespace, sorted by namespace/name like etcd keys. */
  list(type: ResourceType, namespace?: string): KubeObject[] {
    return this.view(type, namespace).map((o) => clone(o));
  }

  /**
   * The stored objects themselves, in list order, for readers that do not keep or change them
   * (selectors, serializers): at 10,000 objects a copy of each per list or watch is most of the cost.
   */
  view(type: ResourceType, namespace?: string): readonly KubeObject[] {
    const b = this.bucket(type);
    b.sortedKeys ??= [...b.objects.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    const keys = b.sortedKeys;
    const out: KubeObject[] = [];
    // A namespace's keys are one contiguous run, found by binary search for its prefix.
    const prefix = namespace === undefined ? '' : `${namespace}/`;
    let i = prefix === '' ? 0 : lowerBound(keys, prefix);
    for (; i < keys.length; i++) {
      const key = keys[i] ?? '';
      if (!key.startsWith(prefix)) break;
      const o = b.objects.get(key);
      if (o !== undefined && (namespace === undefined || o.metadata.namespace === namespace)) out.push(o);
    }
    return out;
  }

  /** Commits a create or update: assigns the next resourceVersion, records and publishes the event. */
  put(type: ResourceType, obj: KubeObject, previous: KubeObject | undefined): KubeObject {
    this.rv += 1;
    const stored = clone(obj);
    stored.metadata.resourceVersion = String(this.rv);
    const name = stored.metadata.name ?? '';
    const b = this.bucket(type);
    const key = objectKey(stored.metadata.namespace, name);
    if (!b.objects.has(key)) b.sortedKeys = undefined;
    b.objects.set(key, stored);
    // The event shares the stored object: neither is ever changed in place.
    this.record(type, {
      type: previous === undefined ? 'ADDED' : 'MODIFIED',
      object: stored,
      previous,
      rv: this.rv,
    });
    return clone(stored);
  }

  /** Removes an object; the DELETED event carries a new resourceVersion, as etcd's delete revision. */
  remove(type: ResourceType, obj: KubeObject): KubeObject {
    this.rv += 1;
    const gone = clone(obj);
    gone.metadata.resourceVersion = String(this.rv);
    const b = this.bucket(type);
    if (b.objects.delete(objectKey(obj.metadata.namespace, obj.metadata.name ?? '')))
      b.sortedKeys = undefined;
    this.record(type, { type: 'DELETED', object: clone(gone), previous: undefined, rv: this.rv });
    return gone;
  }

  private record(type: ResourceType, event: StoredEvent): void {
    const b = this.bucket(type);
    b.history.push(event);
    while (b.history.length > this.historyLimit) {
      const dropped = b.history.shift();
      if (dropped !== undefined) b.compactedRv = dropped.rv;
    }
    for (const listener of [...b.listeners]) listener(event);
  }

  /** Events after `rv`, or 'expired' when some of them are no longer kept. */
  eventsSince(type: ResourceType, rv: number): StoredEvent[] | 'expired' {
    const b = this.bucket(type);
    if (rv < b.compactedRv) return 'expired';
    return b.history.filter((e) => e.rv > rv);
  }

  /** The oldest resourceVersion a watch of this type can still resume from. */
  oldestResumable(type: ResourceType): number {
    return this.bucket(type).compactedRv;
  }

  subscribe(type: ResourceType, listener: Listener): () => void {
    const b = this.bucket(type);
    b.listeners.add(listener);
    return () => b.listeners.delete(listener);
  }

  /**
   * Forgets all history, as an etcd compaction would. The revision moves on so that a fresh
   * list returns a resourceVersion that can be watched from, while every older one gets 410.
   */
  expireHistory(): void {
    this.rv += 1;
    for (const b of this.buckets.values()) {
      b.history = [];
      b.compactedRv = this.rv;
    }
  }
}
