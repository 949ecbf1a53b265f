import { setMaxListeners } from 'node:events';
import { hasAborted, systemClock, type KubeClock } from './clock.ts';
import type { KubeClient } from './client.ts';
import { KubeError } from './errors.ts';
import { silentLogger, type KubeLogger } from './logger.ts';
import type { KubeObject, ObjectRef } from './types.ts';

/** A coordination.k8s.io/v1 Lease. */
export interface Lease extends KubeObject {
  spec?: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/** Construction options for {@link LeaderElector}. Defaults are client-go's (15s / 10s / 2s). */
export interface LeaderElectorOptions {
  client: KubeClient;
  namespace: string;
  /** Lease name, e.g. `serin-controller`. */
  name: string;
  /** Unique per process (pod name + random suffix): two processes with one identity both lead. */
  identity: string;
  leaseDurationMs?: number;
  /** Stop leading when no renewal succeeded for this long. Must be below leaseDurationMs. */
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Time and sleeps (lease expiry, renew deadline, retry period); default the wall clock. */
  clock?: KubeClock;
  /** Source of the retry period's jitter, in [0, 1); default Math.random. Tests pin it. */
  random?: () => number;
  logger?: KubeLogger;
  /** Called on each new term with that term's fencing signal. */
  onStartedLeading?: (signal: AbortSignal) => void;
  /** Called once the term's signal has aborted. */
  onStoppedLeading?: () => void;
  /**
   * Asked before claiming a lease that is free, expired or missing (never before a renewal): false
   * skips this attempt. Lets a set of electors on one process pace how many leases it takes.
   */
  mayClaim?: () => boolean;
}

interface Term {
  controller: AbortController;
  /** Clock time at which the last successful renewal was *sent* (conservative). */
  renewedAt: number;
  lease: Lease;
}

const ABORTED = AbortSignal.abort(new Error('not the leader'));

/**
 * Leader election on a Lease, acquired and renewed by update with resourceVersion (409 = lost race).
 *
 * Fencing: each term has an AbortSignal that fires as soon as no renewal has succeeded for
 * `renewDeadlineMs`. Another contender only takes over after it has seen the lease unchanged for
 * `leaseDurationMs` on its own clock, which starts no earlier than our last renewal was sent; since
 * renewDeadline < leaseDuration, our signal fires before anyone else can lead (Argo Rollouts #2117).
 * Pass {@link signal} into every write: KubeClient refuses to send a write whose signal has fired.
 */
export class LeaderElector {
  readonly #o: Required<Pick<LeaderElectorOptions, 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'>> &
    LeaderElectorOptions;
  readonly #clock: KubeClock;
  readonly #random: () => number;
  readonly #log: KubeLogger;
  readonly #ref: ObjectRef;
  readonly #stop = new AbortController();
  #term: Term | undefined;
  #running: Promise<void> | undefined;
  /** Last lease version seen and when (our clock): the basis of expiry, immune to clock skew. */
  #observed: { key: string; at: number } | undefined;

  constructor(opts: LeaderElectorOptions) {
    this.#o = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, ...opts };
    if (this.#o.renewDeadlineMs >= this.#o.leaseDurationMs) {
      throw new RangeError('renewDeadlineMs must be less than leaseDurationMs (fencing relies on it)');
    }
    this.#clock = opts.clock ?? systemClock;
    this.#random = opts.random ?? Math.random;
    this.#log = opts.logger ?? silentLogger;
    this.#ref = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      namespace: opts.namespace,
      name: opts.name,
    };
  }

  /** Starts contending (idempotent). */
  start(): void {
    this.#running ??= this.#run();
  }

  /** Stops contending; if leading, aborts the term first, then releases the lease. */
  async stop(): Promise<void> {
    this.#stop.abort();
    const term = this.#term;
    this.#endTerm('stopped');
    await this.#running;
    if (term !== undefined) await this.#release(term.lease);
  }

  /** True while this process holds the lease and its renew deadline has not passed. */
  isLeader(): boolean {
    this.#checkDeadline();
    return this.#term !== undefined;
  }

  /** The current term's fencing signal; already aborted when not leading. */
  get signal(): AbortSignal {
    this.#checkDeadline();
    return this.#term?.controller.signal ?? ABORTED;
  }

  async #run(): Promise<void> {
    while (!this.#stop.signal.aborted) {
      const sentAt = this.#clock.now();
      const lease = await this.#tryAcquire(sentAt);
      if (lease === undefined) {
        await this.#clock.sleep(this.#o.retryPeriodMs * (1 + this.#random() * 0.2), this.#stop.signal);
        continue;
      }
      if (hasAborted(this.#stop.signal)) {
        await this.#release(lease);
        return;
      }
      const controller = new AbortController();
      // Every request in flight listens to its term's signal (each worker's writes and queries):
      // more than Node's default 10 listeners is the design, not a leak.
      setMaxListeners(0, controller.signal);
      await this.#lead({ controller, renewedAt: sentAt, lease });
    }
  }

  /** Returns the lease when we now hold it; undefined when someone else does or the race was lost. */
  async #tryAcquire(now: number): Promise<Lease | undefined> {
    try {
      return await this.#bounded(this.#stop.signal, async (signal) => {
        const current = await this.#o.client.find<Lease>(this.#ref, { signal });
        if (current === undefined) {
          if (this.#o.mayClaim?.() === false) return undefined;
          return await this.#o.client.create(this.#newLease(now), { signal });
        }
        const holder = current.spec?.holderIdentity ?? '';
        if (holder !== '' && holder !== this.#o.identity && !this.#expired(current)) return undefined;
        if (holder !== this.#o.identity && this.#o.mayClaim?.() === false) return undefined;
        // A claim whose answer never came may still have been stored: the lease then names us, and
        // the next attempt claims it again. We lead only on an answer.
        return await this.#o.client.replace(this.#claimed(current, now), { signal });
      });
    } catch (err) {
      const quiet = err instanceof KubeError && ['Conflict', 'AlreadyExists'].includes(err.code);
      if (!quiet && !this.#stop.signal.aborted) {
        this.#log.warn({ err, lease: this.#o.name }, 'lease acquire failed');
      }
      return undefined;
    }
  }

  async #lead(term: Term): Promise<void> {
    this.#term = term;
    this.#log.info({ lease: this.#o.name, identity: this.#o.identity }, 'started leading');
    this.#o.onStartedLeading?.(term.controller.signal);
    const watchdog = this.#watchdog(term);
    while (!term.controller.signal.aborted) {
      await this.#clock.sleep(this.#o.retryPeriodMs, term.controller.signal);
      if (hasAborted(term.controller.signal)) break;
      await this.#renew(term);
    }
    await watchdog;
  }

  /** Aborts the term the moment the renew deadline passes, even while a renewal hangs. */
  async #watchdog(term: Term): Promise<void> {
    const signal = term.controller.signal;
    while (!signal.aborted) {
      const left = term.renewedAt + this.#o.renewDeadlineMs - this.#clock.now();
      if (left <= 0) {
        this.#endTerm('renew deadline passed');
        return;
      }
      await this.#clock.sleep(left, signal);
    }
  }

  async #renew(term: Term): Promise<void> {
    const sentAt = this.#clock.now();
    const signal = term.controller.signal;
    try {
      term.lease = await this.#o.client.replace(this.#claimed(term.lease, sentAt), { signal });
      term.renewedAt = sentAt;
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof KubeError && err.code === 'Conflict') {
        await this.#reread(term);
        return;
      }
      this.#log.warn({ err, lease: this.#o.name }, 'lease renewal failed');
    }
  }

  /** After a 409: keep leading only if the lease still names us (someone edited something else). */
  async #reread(term: Term): Promise<void> {
    const signal = term.controller.signal;
    const latest = await this.#o.client.find<Lease>(this.#ref, { signal }).catch(() => undefined);
    if (latest === undefined) return;
    if (latest.spec?.holderIdentity !== this.#o.identity) {
      this.#endTerm(`lease taken by ${latest.spec?.holderIdentity ?? 'nobody'}`);
      return;
    }
    term.lease = latest;
  }

  /**
   * Runs Lease requests under a signal that also fires after the renew deadline on the elector's
   * clock. A request sent into a connection that went dead (a partition that drops packets) would
   * otherwise never answer, and the elector would never try again once the network is back (the
   * partition soak suite found a replica that never took over). Renewals need no such bound: the
   * watchdog ends the term, which aborts them.
   */
  async #bounded<T>(
    parent: AbortSignal | undefined,
    requests: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const timer = new AbortController();
    const done = new AbortController();
    const ms = this.#o.renewDeadlineMs;
    void this.#clock.sleep(ms, done.signal).then(() => {
      if (!done.signal.aborted)
        timer.abort(new Error(`no answer to a Lease request within ${String(ms)} ms`));
    });
    try {
      return await requests(parent ? AbortSignal.any([parent, timer.signal]) : timer.signal);
    } finally {
      done.abort();
    }
  }

  #checkDeadline(): void {
    const term = this.#term;
    if (term !== undefined && this.#clock.now() - term.renewedAt >= this.#o.renewDeadlineMs) {
      this.#endTerm('renew deadline passed');
    }
  }

  #endTerm(why: string): void {
    const term = this.#term;
    if (term === undefined) return;
    this.#term = undefined;
    term.controller.abort(new Error(`leadership lost: ${why}`));
    this.#log.info({ lease: this.#o.name, identity: this.#o.identity, why }, 'stopped leading');
    this.#o.onStoppedLeading?.();
  }

  /** Expired when its version has not changed for its duration, measured on our clock. */
  #expired(lease: Lease): boolean {
    const key = `${lease.metadata.resourceVersion ?? ''}|${lease.spec?.renewTime ?? ''}`;
    const now = this.#clock.now();
    if (this.#observed?.key !== key) this.#observed = { key, at: now };
    const durationMs = (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
    return now - this.#observed.at >= durationMs;
  }

  #newLease(now: number): Lease {
    const time = microTime(now);
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.#o.name, namespace: this.#o.namespace },
      spec: {
        holderIdentity: this.#o.identity,
        leaseDurationSeconds: Math.ceil(this.#o.leaseDurationMs / 1000),
        acquireTime: time,
        renewTime: time,
        leaseTransitions: 0,
      },
    };
  }

  #claimed(lease: Lease, now: number): Lease {
    const spec = lease.spec ?? {};
    const ours = spec.holderIdentity === this.#o.identity;
    const time = microTime(now);
    return {
      ...lease,
      spec: {
        ...spec,
        holderIdentity: this.#o.identity,
        leaseDurationSeconds: Math.ceil(this.#o.leaseDurationMs / 1000),
        acquireTime: ours ? (spec.acquireTime ?? time) : time,
        renewTime: time,
        leaseTransitions: (spec.leaseTransitions ?? 0) + (ours ? 0 : 1),
      },
    };
  }

  /** Hands the lease back so the next contender need not wait for it to expire. */
  async #release(lease: Lease): Promise<void> {
    try {
      await this.#bounded(undefined, async (signal) => {
        const latest = await this.#o.client.get<Lease>(this.#ref, { signal });
        if (latest.spec?.holderIdentity !== this.#o.identity) return;
        const time = microTime(this.#clock.now());
        await this.#o.client.replace<Lease>(
          {
            ...latest,
            spec: { ...latest.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: time },
          },
          { signal },
        );
      });
    } catch (err) {
      this.#log.warn({ err, lease: lease.metadata.name }, 'lease release failed');
    }
  }
}

/** A MicroTime: RFC 3339 with exactly six fractional digits, as the API server parses it. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}
