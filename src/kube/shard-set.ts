import { systemClock, type KubeClock } from './clock.ts';
import type { KubeClient } from './client.ts';
import { LeaderElector } from './leader-elector.ts';
import { silentLogger, type KubeLogger } from './logger.ts';

/**
 * The shard of a key (`namespace/name`): FNV-1a (32-bit) of its UTF-8 bytes, modulo `count`. Stable
 * across processes, versions and restarts, which is all sharding needs: every replica must agree.
 */
export function shardOf(key: string, count: number): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(key)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % Math.max(1, Math.floor(count));
}

/** The Lease names of `count` shards: `serin-shard-0…N-1`, or `single` alone when there is one shard. */
export function shardLeaseNames(count: number, single: string): string[] {
  return count <= 1 ? [single] : Array.from({ length: count }, (_, i) => `serin-shard-${String(i)}`);
}

/** Construction options for {@link ShardSet}. */
export interface ShardSetOptions {
  client: KubeClient;
  namespace: string;
  /** One Lease per shard, in shard order (see {@link shardLeaseNames}). */
  names: readonly string[];
  /** Unique per process, as for {@link LeaderElector}. */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  clock?: KubeClock;
  logger?: KubeLogger;
  /** A shard's term began; `signal` fences its writes (aborts when the term ends). */
  onAcquired?: (shard: number, signal: AbortSignal) => void;
  /** A shard's term ended: its signal has aborted. */
  onLost?: (shard: number) => void;
}

/** When this process first saw a shard claimable, and last saw it so. */
interface Sighting {
  since: number;
  last: number;
}

/**
 * Sharding on Leases: one {@link LeaderElector} per shard, all with this process's identity. A
 * process holds any number of shards and writes for a key only with the fencing signal of its
 * shard's term ({@link signalFor}), so the leader elector's guarantee (a term's signal aborts before
 * anyone else can take its lease) holds per shard.
 *
 * Spreading: a process that holds `k` shards claims a free or expired one only after it has seen it
 * claimable for `k` retry periods, so a replica that starts first does not take every shard, and
 * the replicas that hold fewest pick up a dead replica's shards first. An orphaned shard is always
 * picked up: the wait is bounded by `count` retry periods after its Lease expired.
 */
export class ShardSet {
  readonly count: number;
  readonly #electors: LeaderElector[];
  readonly #clock: KubeClock;
  readonly #identity: string;
  readonly #retryPeriodMs: number;
  readonly #sightings = new Map<number, Sighting>();
  /** Claims allowed and not yet settled, by shard: when they were allowed. */
  readonly #claims = new Map<number, number>();

  constructor(opts: ShardSetOptions) {
    if (opts.names.length === 0) throw new RangeError('a ShardSet needs at least one Lease');
    this.count = opts.names.length;
    this.#clock = opts.clock ?? systemClock;
    this.#identity = opts.identity;
    this.#retryPeriodMs = opts.retryPeriodMs ?? 2_000;
    const logger = opts.logger ?? silentLogger;
    this.#electors = opts.names.map(
      (name, shard) =>
        new LeaderElector({
          client: opts.client,
          namespace: opts.namespace,
          name,
          identity: opts.identity,
          ...(opts.leaseDurationMs === undefined ? {} : { leaseDurationMs: opts.leaseDurationMs }),
          ...(opts.renewDeadlineMs === undefined ? {} : { renewDeadlineMs: opts.renewDeadlineMs }),
          ...(opts.retryPeriodMs === undefined ? {} : { retryPeriodMs: opts.retryPeriodMs }),
          clock: this.#clock,
          logger,
          // One shard: nothing to spread, and claims stay as prompt as plain leader election.
          ...(this.count > 1 ? { mayClaim: () => this.#mayClaim(shard) } : {}),
          onStartedLeading: (signal) => {
            this.#claims.delete(shard);
            opts.onAcquired?.(shard, signal);
          },
          onStoppedLeading: () => opts.onLost?.(shard),
        }),
    );
  }

  /**
   * Starts contending for every shard (idempotent), in an order of this identity's own, so that
   * replicas started together first reach for different shards.
   */
  start(): void {
    const order = this.#electors.map((elector, shard) => ({
      elector,
      rank: shardOf(`${this.#identity}/${String(shard)}`, 2 ** 31),
    }));
    for (const { elector } of order.sort((a, b) => a.rank - b.rank)) elector.start();
  }

  /** Stops contending; each held shard's term aborts, then its Lease is released. */
  async stop(): Promise<void> {
    await Promise.all(this.#electors.map((elector) => elector.stop()));
  }

  /** The shard a Canary belongs to. */
  shardOf(namespace: string, name: string): number {
    return shardOf(`${namespace}/${name}`, this.count);
  }

  /** The fencing signal of the term of the shard `namespace/name` belongs to; undefined unless held. */
  signalFor(namespace: string, name: string): AbortSignal | undefined {
    const elector = this.#electors[this.shardOf(namespace, name)];
    return elector?.isLeader() === true ? elector.signal : undefined;
  }

  /** The shards this process holds now, ascending. */
  held(): number[] {
    return this.#electors.flatMap((elector, shard) => (elector.isLeader() ? [shard] : []));
  }

  #mayClaim(shard: number): boolean {
    const now = this.#clock.now();
    // An elector retries every retry period (plus up to 20% jitter) while the shard is claimable: a
    // longer silence means someone else held it in between, and the wait starts afresh.
    const seen = this.#sightings.get(shard);
    const sighting =
      seen !== undefined && now - seen.last <= this.#retryPeriodMs * 2 ? seen : { since: now, last: now };
    sighting.last = now;
    this.#sightings.set(shard, sighting);
    // A claim is one read and one write: it led (onStartedLeading) or lost the race within a retry
    // period, as a rule. An older one is forgotten (at worst, a slow claim lets one more through).
    for (const [other, at] of this.#claims) if (now - at > this.#retryPeriodMs) this.#claims.delete(other);
    const holding =
      this.held().filter((s) => s !== shard).length +
      [...this.#claims.keys()].filter((s) => s !== shard).length;
    if (now - sighting.since < holding * this.#retryPeriodMs) return false;
    this.#claims.set(shard, now);
    this.#sightings.delete(shard);
    return true;
  }
}
