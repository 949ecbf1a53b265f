import type { Approval } from '../api/index.ts';
import {
  objectKey,
  type CacheEvent,
  type KubeClient,
  type KubeObject,
  type KubeWrite,
  type ObjectRef,
  type ResourceCache,
} from '../kube/index.ts';
import { APPROVAL, liveReader, type ClusterReader } from './cluster-reader.ts';

/** One informer the reader answers from. */
export interface CachedKind {
  readonly apiVersion: string;
  readonly kind: string;
  readonly cache: ResourceCache;
  /** The namespace the cache watches; undefined: all namespaces (or a cluster-scoped kind). */
  readonly namespace?: string | undefined;
}

/** Construction options for {@link CachedReader}. */
export interface CachedReaderOptions {
  /** The client whose writes the reader waits for, and reads what no cache holds. */
  readonly client: KubeClient;
  readonly kinds: readonly CachedKind[];
  /**
   * How long a read waits for a cache to sync, or to catch up with a write serin made through
   * `client`, before the pass fails (and is retried with backoff). Default 10 s.
   */
  readonly freshnessTimeoutMs?: number;
}

/** A read that would have answered from a cache older than serin's own write. */
export class StaleCacheError extends Error {
  readonly code = 'StaleCache';
  constructor(message: string) {
    super(message);
    this.name = 'StaleCacheError';
  }
}

/**
 * A write of serin's the cache must show before a read may answer from it: the resourceVersion the
 * write returned, or (a deletion) the version the cache held when it was deleted.
 */
interface Mark {
  readonly namespace: string | undefined;
  readonly name: string;
  readonly written: string | undefined;
  readonly deletedVersion?: string | undefined;
}

const kindKey = (apiVersion: string, kind: string): string => `${apiVersion}/${kind}`;

/**
 * Whether `seen` is `written` or later. resourceVersions are compared for equality, and as numbers
 * when both are decimal integers (as etcd's revisions, and the simulator's, are); anything else is
 * not known to be later.
 */
export function atLeast(seen: string | undefined, written: string): boolean {
  if (seen === undefined) return false;
  if (seen === written) return true;
  if (!/^\d+$/.test(seen) || !/^\d+$/.test(written)) return false;
  return BigInt(seen) > BigInt(written);
}

/**
 * Reads from the Controller's informer caches, and waits for them to show serin's own writes.
 *
 * Every write through `client` leaves a mark (kind, name, the resourceVersion written); a read that
 * covers a marked object waits until the cache holds that version or a later one, so a pass never
 * decides from a copy older than what the previous pass wrote (docs/adr/0005-cached-reads.md).
 * Kinds without a cache (Secrets), and namespaces a cache does not watch, are read live.
 */
export class CachedReader implements ClusterReader {
  readonly #kinds = new Map<string, CachedKind>();
  readonly #marks = new Map<string, Map<string, Mark>>();
  readonly #live: ClusterReader;
  readonly #timeoutMs: number;
  readonly #unsubscribe: (() => void)[] = [];

  constructor(options: CachedReaderOptions) {
    this.#live = liveReader(options.client);
    this.#timeoutMs = options.freshnessTimeoutMs ?? 10_000;
    for (const entry of options.kinds) {
      const key = kindKey(entry.apiVersion, entry.kind);
      this.#kinds.set(key, entry);
      this.#unsubscribe.push(
        entry.cache.onChange((event) => {
          this.#seen(key, event);
        }),
      );
    }
    this.#unsubscribe.push(
      options.client.onWrite((write) => {
        this.#noteWrite(write);
      }),
    );
  }

  /** Stops following writes and caches. */
  close(): void {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
  }

  /** How many writes the caches have not shown yet (for tests and metrics). */
  pendingWrites(): number {
    let count = 0;
    for (const marks of this.#marks.values()) count += marks.size;
    return count;
  }

  async get<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T | undefined> {
    const entry = this.#entry(ref.apiVersion, ref.kind, ref.namespace);
    if (!entry) return this.#live.get<T>(ref);
    const key = objectKey(ref.namespace, ref.name);
    await this.#fresh(entry, (markKey) => markKey === key);
    return entry.cache.get(ref.namespace, ref.name) as T | undefined;
  }

  async list<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    namespace: string,
  ): Promise<T[]> {
    const entry = this.#entry(apiVersion, kind, namespace);
    if (!entry) return this.#live.list<T>(apiVersion, kind, namespace);
    await this.#fresh(entry, inNamespace(namespace));
    return entry.cache.list(namespace) as T[];
  }

  async approvals(namespace: string, canary: string): Promise<(Approval & KubeObject)[]> {
    const entry = this.#entry(APPROVAL.apiVersion, APPROVAL.kind, namespace);
    if (!entry) return this.#live.approvals(namespace, canary);
    await this.#fresh(entry, inNamespace(namespace));
    return entry.cache.byIndex(`${namespace}/${canary}`) as (Approval & KubeObject)[];
  }

  /** The cache that holds objects of this kind in this namespace, if one does. */
  #entry(apiVersion: string, kind: string, namespace: string | undefined): CachedKind | undefined {
    const entry = this.#kinds.get(kindKey(apiVersion, kind));
    if (!entry) return undefined;
    return entry.namespace === undefined || entry.namespace === namespace ? entry : undefined;
  }

  #noteWrite(write: KubeWrite): void {
    const what = write.type === 'written' ? write.object : write.ref;
    const { apiVersion, kind } = what;
    const meta = write.type === 'written' ? write.object.metadata : write.ref;
    const entry = this.#entry(apiVersion, kind, meta.namespace);
    if (!entry || meta.name === undefined) return;
    const key = objectKey(meta.namespace, meta.name);
    const mark: Mark =
      write.type === 'written'
        ? { namespace: meta.namespace, name: meta.name, written: write.object.metadata.resourceVersion }
        : {
            namespace: meta.namespace,
            name: meta.name,
            written: undefined,
            deletedVersion: entry.cache.get(meta.namespace, meta.name)?.metadata.resourceVersion,
          };
    if (write.type === 'written' && mark.written === undefined) return;
    if (caughtUp(entry.cache, mark)) return;
    const marks = this.#marks.get(kindKey(apiVersion, kind)) ?? new Map<string, Mark>();
    marks.set(key, mark);
    this.#marks.set(kindKey(apiVersion, kind), marks);
  }

  /** A cache event clears the mark it shows (the object at the written version or later, or gone). */
  #seen(key: string, event: CacheEvent<KubeObject>): void {
    const marks = this.#marks.get(key);
    const name = event.object.metadata.name;
    if (!marks || name === undefined) return;
    const objKey = objectKey(event.object.metadata.namespace, name);
    const mark = marks.get(objKey);
    if (!mark) return;
    // A deletion seen after serin's write came after it (a watch delivers in order).
    const shown =
      event.type === 'deleted' ||
      (mark.written === undefined
        ? event.object.metadata.resourceVersion !== mark.deletedVersion
        : atLeast(event.object.metadata.resourceVersion, mark.written));
    if (shown) marks.delete(objKey);
  }

  /** Waits until the cache has synced and shows every marked write `which` selects. */
  async #fresh(entry: CachedKind, which: (key: string) => boolean): Promise<void> {
    const deadline = Date.now() + this.#timeoutMs;
    const what = `${entry.kind} cache`;
    if (!entry.cache.isSynced()) await this.#waitFor(entry, deadline, () => entry.cache.isSynced(), what);
    const marks = this.#marks.get(kindKey(entry.apiVersion, entry.kind));
    if (!marks) return;
    const behind = (): string[] => {
      const keys: string[] = [];
      for (const [key, mark] of marks) {
        if (!which(key)) continue;
        if (caughtUp(entry.cache, mark)) marks.delete(key);
        else keys.push(key);
      }
      return keys;
    };
    if (behind().length === 0) return;
    try {
      await this.#waitFor(entry, deadline, () => behind().length === 0, what);
    } catch (err) {
      // Give up on these marks: the next pass reads the cache as it is then (the watch may have
      // skipped the version through a re-list, with resourceVersions that do not compare).
      for (const key of behind()) marks.delete(key);
      throw err;
    }
  }

  #waitFor(entry: CachedKind, deadline: number, done: () => boolean, what: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const finish = (err?: Error): void => {
        clearTimeout(timer);
        unsubscribe();
        if (err) reject(err);
        else resolve();
      };
      const check = (): void => {
        if (done()) finish();
      };
      const unsubscribe = entry.cache.onChange(check);
      const timer = setTimeout(
        () => {
          if (done()) finish();
          else finish(new StaleCacheError(`${what} did not catch up within ${this.#timeoutMs} ms`));
        },
        Math.max(0, deadline - Date.now()),
      );
      // The first list applies items one by one: synced may turn true without a later event.
      void entry.cache.synced.then(check, () => undefined);
      check();
    });
  }
}

function inNamespace(namespace: string): (key: string) => boolean {
  return (key) => key.startsWith(`${namespace}/`);
}

/** Whether the cache already shows a marked write. */
function caughtUp(cache: ResourceCache, mark: Mark): boolean {
  const held = cache.get(mark.namespace, mark.name);
  if (mark.written === undefined) return held?.metadata.resourceVersion !== mark.deletedVersion || !held;
  return atLeast(held?.metadata.resourceVersion, mark.written);
}
