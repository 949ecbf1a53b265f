import type { Clock, Notification, Notifier, PostOutcome } from '../ports/index.ts';

/** One notification on its way to one receiver. `context` is the caller's, handed back in results. */
export interface DeliveryJob<C = unknown> {
  readonly notification: Notification;
  readonly notifier: Notifier;
  readonly context: C;
}

/** How a job ended: sent, failed (retries spent, or rejected), or dropped from a full queue. */
export type DeliveryResult = 'sent' | 'failed' | 'dropped';

export interface DeliveryReport<C = unknown> {
  readonly job: DeliveryJob<C>;
  readonly result: DeliveryResult;
  readonly attempts: number;
  /** Why it failed or was dropped; never the URL or a token. */
  readonly reason?: string;
}

export interface RetryPolicy {
  readonly maxAttempts: number;
  /** The first retry waits about this long; each next one twice as long. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A Retry-After longer than this fails the delivery instead of holding the queue. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  maxRetryAfterMs: 15 * 60_000,
};

/**
 * The wait before attempt `attempt + 1`: exponential (base · 2^(attempt-1), capped), with "equal
 * jitter": half of it fixed, half random, so receivers that failed together do not retry together.
 */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}

export interface ReceiverQueueOptions<C> {
  readonly capacity: number;
  readonly policy: RetryPolicy;
  readonly clock: Clock;
  readonly random?: () => number;
  readonly onReport: (report: DeliveryReport<C>) => void;
}

/**
 * A bounded FIFO for one receiver, delivered by one asynchronous worker. `enqueue` never waits: a
 * slow or hanging receiver only delays its own queue. When full, the oldest job is dropped (and
 * reported), because the newest news matters most.
 */
export class ReceiverQueue<C = unknown> {
  private readonly jobs: DeliveryJob<C>[] = [];
  private worker: Promise<void> | undefined;
  private readonly stopping = new AbortController();
  capacity: number;
  policy: RetryPolicy;

  constructor(private readonly options: ReceiverQueueOptions<C>) {
    this.capacity = options.capacity;
    this.policy = options.policy;
  }

  get length(): number {
    return this.jobs.length;
  }

  enqueue(job: DeliveryJob<C>): void {
    if (this.stopping.signal.aborted) {
      this.options.onReport({ job, result: 'dropped', attempts: 0, reason: 'the controller is stopping' });
      return;
    }
    this.jobs.push(job);
    while (this.jobs.length > Math.max(1, this.capacity)) {
      const dropped = this.jobs.shift();
      if (dropped)
        this.options.onReport({
          job: dropped,
          result: 'dropped',
          attempts: 0,
          reason: `queue full (${this.capacity})`,
        });
    }
    this.worker ??= this.drain().finally(() => {
      this.worker = undefined;
    });
  }

  /** Resolves when the queue is empty and nothing is in flight (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.worker) await this.worker;
  }

  /** Stops retrying; jobs in the queue are dropped and reported. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.idle();
  }

  private async drain(): Promise<void> {
    for (let job = this.jobs.shift(); job !== undefined; job = this.jobs.shift()) {
      if (this.stopping.signal.aborted) {
        this.options.onReport({ job, result: 'dropped', attempts: 0, reason: 'the controller is stopping' });
        continue;
      }
      this.options.onReport(await this.deliver(job));
    }
  }

  private async deliver(job: DeliveryJob<C>): Promise<DeliveryReport<C>> {
    const { clock } = this.options;
    const random = this.options.random ?? Math.random;
    let lastReason: string | undefined;
    for (let attempt = 1; attempt <= this.policy.maxAttempts; attempt++) {
      if (this.stopping.signal.aborted) break;
      const last: PostOutcome = await job.notifier.post(job.notification, { signal: this.stopping.signal });
      lastReason = last.kind === 'delivered' ? undefined : last.reason;
      if (last.kind === 'delivered') return { job, result: 'sent', attempts: attempt };
      if (last.kind === 'rejected') return { job, result: 'failed', attempts: attempt, reason: last.reason };
      if (attempt === this.policy.maxAttempts) break;
      const wait = last.retryAfterMs ?? backoffMs(attempt, this.policy, random);
      if (wait > this.policy.maxRetryAfterMs) {
        const reason = `${last.reason}; Retry-After ${Math.round(wait / 1000)}s is beyond ${this.policy.maxRetryAfterMs / 1000}s`;
        return { job, result: 'failed', attempts: attempt, reason };
      }
      await clock.sleep(wait, this.stopping.signal);
    }
    const reason =
      lastReason === undefined
        ? 'the controller is stopping'
        : `${lastReason} (after ${this.policy.maxAttempts} attempts)`;
    return { job, result: 'failed', attempts: this.policy.maxAttempts, reason };
  }
}
