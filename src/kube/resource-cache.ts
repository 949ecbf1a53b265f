import { backoffDelay, hasAborted, systemClock, type BackoffPolicy, type KubeClock } from './clock.ts';
import type { KubeClient } from './client.ts';
import { silentLogger, type KubeLogger } from './logger.ts';
import { ObjectStore, type CacheEvent, type ObjectStoreOptions } from './object-store.ts';
import { watchOnce } from './watch-once.ts';
import type { KubeObject } from './types.ts';

export type { CacheEvent, CacheEventType } from './object-store.ts';

/** Construction options for {@link ResourceCache}. */
export interface ResourceCacheOptions {
  client: KubeClient;
  apiVersion: string;
  kind: string;
  /** Watch one namespace; all namespaces when omitted. */
  namespace?: string | undefined;
  labelSelector?: string | undefined;
  /** Reconnect backoff after failed lists and watches. */
  backoff?: BackoffPolicy;
  /** Consecutive failures after which {@link ResourceCache.healthy} turns false. */
  unhealthyAfterFailures?: number;
  /**
   * Ask the server to end each watch after this long; default a random 5-10 minutes, as client-go
   * does, so many informers do not reconnect in lockstep. The client also cuts a watch 30s later.
   */
  watchTimeoutSeconds?: number;
  clock?: KubeClock;
  logger?: KubeLogger;
}

/** {@link ResourceCacheOptions} with how the cache shapes and indexes what it stores. */
export type ResourceCacheConfig<T extends KubeObject> = ResourceCacheOptions & ObjectStoreOptions<T>;

/** What /readyz and logs show about one cache. */
export interface CacheHealth {
  synced: boolean;
  watching: boolean;
  consecutiveFailures: number;
  lists: number;
  watches: number;
  lastError: string | undefined;
}

/** A watch that lived this long, or delivered an event, was healthy: its ending is not a failure. */
const HEALTHY_WATCH_MS = 1000;

/**
 * An informer: list, then watch from the list's resourceVersion, keeping an in-memory copy and
 * telling handlers about each change.
 *
 * Unlike client-node's informer (which stops on errors: client-node #795, #1933, #958) this loop
 * never gives up: a closed or dropped watch resumes from the last resourceVersion seen; a 410 (or a
 * failed resume) re-lists and diffs the new list against the cache, so each object's final state is
 * delivered exactly once, including deletions that happened while disconnected. Failures back off
 * exponentially up to a cap.
 */
export class ResourceCache<T extends KubeObject = KubeObject> {
  /** Resolves after the first complete list; rejects if the cache is stopped before that. */
  readonly synced: Promise<void>;
  readonly #opts: ResourceCacheOptions;
  readonly #store: ObjectStore<T>;
  readonly #clock: KubeClock;
  readonly #log: KubeLogger;
  readonly #stop = new AbortController();
  #markSynced: () => void = () => undefined;
  #failSync: (err: Error) => void = () => undefined;
  #isSynced = false;
  #running: Promise<void> | undefined;
  #abortWatch: (() => void) | undefined;
  #health: Omit<CacheHealth, 'synced'> = {
    watching: false,
    consecutiveFailures: 0,
    lists: 0,
    watches: 0,
    lastError: undefined,
  };

  constructor(opts: ResourceCacheConfig<T>) {
    this.#opts = opts;
    this.#store = new ObjectStore<T>({
      ...(opts.transform ? { transform: opts.transform } : {}),
      ...(opts.index ? { index: opts.index } : {}),
    });
    this.#clock = opts.clock ?? systemClock;
    this.#log = opts.logger ?? silentLogger;
    this.synced = new Promise<void>((resolve, reject) => {
      this.#markSynced = resolve;
      this.#failSync = reject;
    });
    this.synced.catch(() => undefined);
  }

  /** Starts the list-watch loop (idempotent). */
  start(): void {
    this.#running ??= this.#run();
  }

  /** Stops watching; the cached objects stay readable. */
  async stop(): Promise<void> {
    this.#stop.abort();
    this.#abortWatch?.();
    this.#failSync(new Error(`${this.#opts.kind} cache stopped before it synced`));
    await this.#running;
  }

  /** True once the first list has been applied. */
  isSynced(): boolean {
    return this.#isSynced;
  }

  /** For /readyz: synced, running, and either watching now or not stuck in a run of failures. */
  healthy(): boolean {
    const limit = this.#opts.unhealthyAfterFailures ?? 3;
    const { watching, consecutiveFailures } = this.#health;
    return this.#isSynced && !this.#stop.signal.aborted && (watching || consecutiveFailures < limit);
  }

  health(): CacheHealth {
    return { synced: this.#isSynced, ...this.#health };
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.#store.get(namespace, name);
  }

  list(namespace?: string): T[] {
    return this.#store.list(namespace);
  }

  /** The objects filed under `indexKey` by the `index` option (none without one). */
  byIndex(indexKey: string): T[] {
    return this.#store.byIndex(indexKey);
  }

  /** Calls `handler` for every change; returns a function that unsubscribes. */
  onChange(handler: (event: CacheEvent<T>) => void): () => void {
    return this.#store.subscribe(handler, (err) => {
      this.#log.warn({ err, kind: this.#opts.kind }, 'cache handler threw');
    });
  }

  onAdd(handler: (obj: T) => void): () => void {
    return this.onChange((e) => {
      if (e.type === 'added') handler(e.object);
    });
  }

  onUpdate(handler: (obj: T, previous: T) => void): () => void {
    return this.onChange((e) => {
      if (e.type === 'updated') handler(e.object, e.previous);
    });
  }

  onDelete(handler: (obj: T) => void): () => void {
    return this.onChange((e) => {
      if (e.type === 'deleted') handler(e.object);
    });
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      const rv = await this.#listOnce();
      if (rv === undefined) {
        await this.#backoff();
        continue;
      }
      await this.#watchUntilExpired(rv);
    }
  }

  /** Lists and replaces the cache; returns the list resourceVersion, or undefined on failure. */
  async #listOnce(): Promise<string | undefined> {
    const { client, apiVersion, kind, namespace, labelSelector } = this.#opts;
    try {
      this.#health.lists++;
      const list = await client.list<T>(apiVersion, kind, {
        namespace,
        labelSelector,
        signal: this.#stop.signal,
      });
      if (this.#stop.signal.aborted) return undefined;
      this.#store.replace(list.items);
      if (!this.#isSynced) {
        this.#isSynced = true;
        this.#markSynced();
      }
      return list.resourceVersion;
    } catch (err) {
      this.#failed(err, 'list failed');
      return undefined;
    }
  }

  /** Watches (resuming across closes) until the history is gone (410) or a resume fails. */
  async #watchUntilExpired(listRv: string): Promise<void> {
    let rv = listRv;
    const { client, apiVersion, kind, namespace, labelSelector } = this.#opts;
    const path = await client.resolver.path({ apiVersion, kind, namespace });
    while (!this.#stop.signal.aborted) {
      const started = this.#clock.now();
      const timeoutSeconds = this.#opts.watchTimeoutSeconds ?? Math.round(300 * (1 + Math.random()));
      this.#health.watches++;
      const outcome = await watchOnce({
        transport: client.transport,
        path,
        query: {
          resourceVersion: rv,
          allowWatchBookmarks: 'true',
          labelSelector,
          timeoutSeconds: String(timeoutSeconds),
        },
        maxDurationMs: (timeoutSeconds + 30) * 1000,
        store: this.#store,
        setAbort: (abort) => {
          this.#abortWatch = abort;
          // stop() ran while the watch was connecting, when there was nothing to cut yet.
          if (this.#stop.signal.aborted) abort();
        },
        onConnected: () => (this.#health.watching = true),
      });
      this.#health.watching = false;
      rv = outcome.resourceVersion ?? rv;
      if (hasAborted(this.#stop.signal)) return;
      if (outcome.kind === 'expired') {
        this.#log.info({ kind }, 'watch history expired (410): re-listing');
        return;
      }
      const lived = this.#clock.now() - started >= HEALTHY_WATCH_MS || outcome.events > 0;
      if (outcome.kind === 'closed' && lived) {
        this.#health.consecutiveFailures = 0;
        continue;
      }
      this.#failed(outcome.kind === 'error' ? outcome.error : 'closed at once', 'watch ended early');
      await this.#backoff();
      // The server refused this watch (an HTTP error or an ERROR event): resuming from the same
      // resourceVersion may never work, so start over from a fresh list.
      if (outcome.kind === 'error' && outcome.status !== undefined) return;
    }
  }

  #failed(err: unknown, msg: string): void {
    this.#health.consecutiveFailures++;
    this.#health.lastError = err instanceof Error ? err.message : String(err);
    if (!this.#stop.signal.aborted) this.#log.warn({ err, kind: this.#opts.kind }, msg);
  }

  async #backoff(): Promise<void> {
    const policy = this.#opts.backoff ?? { initialMs: 200, maxMs: 30_000 };
    const failures = Math.max(1, this.#health.consecutiveFailures);
    await this.#clock.sleep(backoffDelay(policy, failures), this.#stop.signal);
  }
}
