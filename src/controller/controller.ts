import { LeaderElector, type KubeClient, type KubeObject } from '../kube/index.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { CachedReader } from './cached-reader.ts';
import { cacheList, controllerCaches, type ControllerCaches } from './caches.ts';
import { reconcile, type ReconcilerDeps } from './reconcile.ts';
import { watchReferences } from './reference-watches.ts';
import { WorkQueue } from './work-queue.ts';
import { primaryName } from './workloads.ts';

export interface ControllerOptions {
  /** Reconcile dependencies, less the fencing signal (the controller supplies it per term). */
  readonly deps: Omit<ReconcilerDeps, 'signal'>;
  /** Watch one namespace; all when omitted. */
  readonly namespace?: string;
  readonly workers?: number;
  readonly leaderElection?: {
    readonly namespace: string;
    readonly name: string;
    readonly identity: string;
    readonly leaseDurationMs?: number;
    readonly renewDeadlineMs?: number;
    readonly retryPeriodMs?: number;
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
  readonly #elector: LeaderElector | undefined;
  #signal: AbortSignal | undefined;
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
    });
    if (options.leaderElection) {
      const le = options.leaderElection;
      this.#elector = new LeaderElector({
        client,
        ...le,
        onStartedLeading: (signal) => {
          options.logger.info({ identity: le.identity }, 'started leading');
          this.#signal = signal;
          this.#enqueueAll();
        },
        onStoppedLeading: () => {
          options.logger.warn({ identity: le.identity }, 'stopped leading: no more writes');
        },
      });
    }
    this.#wire();
  }

  #enqueue(namespace: string | undefined, name: string): void {
    this.queue.add(`${namespace ?? 'default'}/${name}`);
    this.#options.deps.metrics?.queueDepth.set(this.queue.depth);
  }

  #enqueueAll(): void {
    for (const canary of this.#caches.canaries.list())
      this.#enqueue(canary.metadata.namespace, canary.metadata.name);
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
      for (const canary of canaries.list()) {
        const routed = canary.spec.trafficRouting.istio.virtualServices.some(
          (ref) =>
            ref.name === object.metadata.name &&
            (ref.namespace ?? canary.metadata.namespace) === object.metadata.namespace,
        );
        if (routed) this.#enqueue(canary.metadata.namespace, canary.metadata.name);
      }
    });
    watchReferences(this.#caches, (namespace, name) => {
      this.#enqueue(namespace, name);
    });
    approvals.onChange(({ object }) => {
      const ref = (object.spec as { canaryRef?: { name?: string } } | undefined)?.canaryRef?.name;
      if (ref !== undefined) this.#enqueue(object.metadata.namespace, ref);
    });
  }

  /** Whether this instance may write: it leads, or leader election is off. */
  isLeader(): boolean {
    return this.#elector ? this.#elector.isLeader() : true;
  }

  /** Ready when every cache has synced (leading or not). */
  ready(): { ready: boolean; detail: string } {
    const entries = cacheList(this.#caches).map(([name, cache]) => [name, cache.isSynced()] as const);
    const waiting = entries.filter(([, synced]) => !synced).map(([name]) => name);
    return waiting.length === 0
      ? { ready: true, detail: `ok (${this.isLeader() ? 'leading' : 'standby'})` }
      : { ready: false, detail: `waiting for caches: ${waiting.join(', ')}` };
  }

  start(): void {
    for (const [, cache] of cacheList(this.#caches)) cache.start();
    this.#elector?.start();
    const { deps, logger } = this.#options;
    this.#running = this.queue.run(this.#options.workers ?? 4, async (key) => {
      if (!this.isLeader()) return {};
      const [namespace = 'default', name = ''] = key.split('/');
      const started = performance.now();
      const log = logger.child({ canary: name, namespace });
      try {
        return await reconcile(
          { ...deps, reader: this.#reader, logger: log, ...(this.#signal ? { signal: this.#signal } : {}) },
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
    await this.#elector?.stop();
    this.#reader.close();
    await Promise.all(cacheList(this.#caches).map(([, cache]) => cache.stop()));
  }
}
