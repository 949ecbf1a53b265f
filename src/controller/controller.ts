import { ShardSet, shardLeaseNames, type KubeClient, type KubeObject } from '../kube/index.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { CachedReader } from './cached-reader.ts';
import { cacheList, controllerCaches, type ControllerCaches } from './caches.ts';
import { reconcile, type ReconcilerDeps } from './reconcile.ts';
import { watchReferences } from './reference-watches.ts';
import { WorkQueue } from './work-queue.ts';
import { primaryName } from './workloads.ts';

/**
 * Canaries reconciled at once. A pass spends most of its time waiting (its queries, its status
 * write), so the workers, not the CPU, capped the passes a second: at 10,000 Canaries, with 5,000
 * rollouts measuring every 30 s, measurements waited seconds for one of 4 workers while a quarter of
 * a core sat idle; with 16 they waited under a second, at 0.8 of a core (docs/performance.md).
 */
export const DEFAULT_WORKERS = 16;

export interface ControllerOptions {
  /** Reconcile dependencies, less the fencing signal (the controller supplies it per term). */
  readonly deps: Omit<ReconcilerDeps, 'signal'>;
  /** Watch one namespace; all when omitted. */
  readonly namespace?: string;
  /** Canaries reconciled at once (default {@link DEFAULT_WORKERS}). */
  readonly workers?: number;
  readonly leaderElection?: {
    readonly namespace: string;
    readonly name: string;
    readonly identity: string;
    readonly leaseDurationMs?: number;
    readonly renewDeadlineMs?: number;
    readonly retryPeriodMs?: number;
    /**
     * Shards (default 1: one Lease named `name`, today's leader election). With N > 1, one Lease
     * per shard (`serin-shard-0…N-1`); this replica reconciles the Canaries of the shards it holds.
     */
    readonly shards?: number;
  };
  readonly logger: Logger;
}

/** Whether an update changed more than the status (which only serin writes). */
export function specChanged(previous: KubeObject, next: KubeObject): boolean {
  const meta = (o: KubeObject) =>
    JSON.stringify([
      o.metadata.generation,
      o.metadata.labels,
      o.metadata.annotations,
      o.metadata.deletionTimestamp,
    ]);
  return meta(previous) !== meta(next);
}

/**
 * `serin controller`: informers on Canaries and everything that should wake one (its target and
 * primary Deployments, VirtualServices, Approvals) feed a keyed work queue; workers run reconcile
 * passes while this instance leads.
 */
export class Controller {
  readonly queue: WorkQueue;
  readonly #options: ControllerOptions;
  readonly #caches: ControllerCaches;
  /** Passes read through the caches (docs/adr/0005-cached-reads.md). */
  readonly #reader: CachedReader;
  readonly #shards: ShardSet | undefined;
  #running: Promise<void> | undefined;

  constructor(options: ControllerOptions) {
    this.#options = options;
    const client: KubeClient = options.deps.client;
    const built = controllerCaches(client, options.namespace);
    this.#caches = built.caches;
    this.#reader = built.reader;
    this.queue = new WorkQueue({
      onError: (key, err) => {
        options.deps.metrics?.reconcileErrors.inc();
        options.logger.warn({ err, canary: key }, 'reconcile failed; retrying with backoff');
      },
      onTaken: (_key, waitedMs) => options.deps.metrics?.queueWait.observe(waitedMs / 1000),
    });
    if (options.leaderElection) {
      const { shards = 1, name, ...le } = options.leaderElection;
      this.#shards = new ShardSet({
        client,
        ...le,
        names: shardLeaseNames(shards, name),
        onAcquired: (shard) => {
          this.#onShardsChanged(`acquired shard ${String(shard)}`);
          this.#enqueueAll(shard);
        },
        onLost: (shard) => {
          this.#onShardsChanged(`lost shard ${String(shard)}: no more writes for its Canaries`);
        },
      });
    }
    this.#wire();
  }

  #enqueue(namespace: string | undefined, name: string): void {
    this.queue.add(`${namespace ?? 'default'}/${name}`);
    this.#options.deps.metrics?.queueDepth.set(this.queue.depth);
  }

  /** Enqueues every Canary, or those of one shard. */
  #enqueueAll(shard?: number): void {
    for (const { metadata } of this.#caches.canaries.list()) {
      if (
        shard === undefined ||
        this.#shards?.shardOf(metadata.namespace ?? 'default', metadata.name) === shard
      )
        this.#enqueue(metadata.namespace, metadata.name);
    }
  }

  #onShardsChanged(what: string): void {
    const held = this.#shards?.held() ?? [];
    this.#options.deps.metrics?.shardsHeld.set(held.length);
    const { logger, leaderElection } = this.#options;
    const fields = { identity: leaderElection?.identity, shards: held };
    if (this.#shards?.count === 1) {
      if (held.length > 0) logger.info(fields, 'started leading');
      else logger.warn(fields, 'stopped leading: no more writes');
    } else logger.info(fields, what);
  }

  #wire(): void {
    const { canaries, deployments, virtualServices, approvals } = this.#caches;
    canaries.onChange((event) => {
      // serin's own status writes come back through the watch: only a new spec (generation),
      // labels or annotations, a new or deleted Canary, need a pass.
      if (event.type === 'updated' && !specChanged(event.previous, event.object)) return;
      this.#enqueue(event.object.metadata.namespace, event.object.metadata.name);
    });
    deployments.onChange(({ object }) => {
      for (const canary of canaries.list(object.metadata.namespace)) {
        const target = canary.spec.targetRef.name;
        if (object.metadata.name === target || object.metadata.name === primaryName(target))
          this.#enqueue(canary.metadata.namespace, canary.metadata.name);
      }
    });
    virtualServices.onChange(({ object }) => {
      const key = `${object.metadata.namespace ?? ''}/${object.metadata.name ?? ''}`;
      for (const canary of canaries.byIndex(key))
        this.#enqueue(canary.metadata.namespace, canary.metadata.name);
    });
    watchReferences(this.#caches, (namespace, name) => {
      this.#enqueue(namespace, name);
    });
    approvals.onChange(({ object }) => {
      const ref = (object.spec as { canaryRef?: { name?: string } } | undefined)?.canaryRef?.name;
      if (ref !== undefined) this.#enqueue(object.metadata.namespace, ref);
    });
  }

  /** Whether this instance may write: it holds a shard (leads, with one), or leader election is off. */
  isLeader(): boolean {
    return this.#shards ? this.#shards.held().length > 0 : true;
  }

  /** The shards held, and how many there are; undefined when leader election is off. */
  shards(): { held: number[]; count: number } | undefined {
    return this.#shards ? { held: this.#shards.held(), count: this.#shards.count } : undefined;
  }

  #role(): string {
    const shards = this.shards();
    if (shards === undefined || shards.count === 1) return this.isLeader() ? 'leading' : 'standby';
    return shards.held.length === 0
      ? `standby: no shards of ${String(shards.count)}`
      : `shards ${shards.held.join(',')} of ${String(shards.count)}`;
  }

  /** Ready when every cache has synced (leading or not). */
  ready(): { ready: boolean; detail: string } {
    const entries = cacheList(this.#caches).map(([name, cache]) => [name, cache.isSynced()] as const);
    const waiting = entries.filter(([, synced]) => !synced).map(([name]) => name);
    return waiting.length === 0
      ? { ready: true, detail: `ok (${this.#role()})` }
      : { ready: false, detail: `waiting for caches: ${waiting.join(', ')}` };
  }

  start(): void {
    for (const [, cache] of cacheList(this.#caches)) cache.start();
    this.#shards?.start();
    const { deps, logger } = this.#options;
    this.#running = this.queue.run(this.#options.workers ?? DEFAULT_WORKERS, async (key) => {
      const [namespace = 'default', name = ''] = key.split('/');
      // Fencing per Canary: the term of its shard; a Canary of a shard not held is someone else's.
      const signal = this.#shards?.signalFor(namespace, name);
      if (this.#shards !== undefined && signal === undefined) return {};
      const started = performance.now();
      const log = logger.child({ canary: name, namespace });
      try {
        return await reconcile(
          { ...deps, reader: this.#reader, logger: log, ...(signal ? { signal } : {}) },
          { namespace, name },
        );
      } finally {
        deps.metrics?.reconcileDuration.observe((performance.now() - started) / 1000);
        deps.metrics?.queueDepth.set(this.queue.depth);
      }
    });
  }

  /** Stops taking work, finishes the passes under way, releases the lease, stops the caches. */
  async stop(): Promise<void> {
    this.queue.shutDown();
    await this.#running;
    await this.#shards?.stop();
    this.#reader.close();
    await Promise.all(cacheList(this.#caches).map(([, cache]) => cache.stop()));
  }
}
