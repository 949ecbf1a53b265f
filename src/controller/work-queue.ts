/** What a handler says about a key after processing it. */
export interface WorkResult {
  /** Process the key again after this many ms (a pause's remainder, the next measurement). */
  readonly requeueAfterMs?: number;
}

export interface WorkQueueOptions {
  /** First retry delay after a failure; doubled per consecutive failure. */
  readonly baseDelayMs?: number;
  /** Cap of the failure backoff. */
  readonly maxDelayMs?: number;
  /** Called when a handler throws (the key is retried with backoff). */
  readonly onError?: (key: string, err: unknown) => void;
  /**
   * Called when a worker takes a key, with how long it waited in the queue (ms): from when it was
   * queued (or, added while in a pass, when that pass ended) to now. client-go's queue_duration.
   */
  readonly onTaken?: (key: string, waitedMs: number) => void;
}

/**
 * A keyed work queue in the manner of client-go's: a key is never processed by two workers at once;
 * a key added while it is being processed is processed again afterwards; failures retry with capped
 * exponential backoff; delayed adds keep only the earliest due time per key.
 */
export class WorkQueue {
  readonly #queue: string[] = [];
  /** When each queued key was queued (performance.now()). */
  readonly #queuedAt = new Map<string, number>();
  readonly #dirty = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #failures = new Map<string, number>();
  readonly #timers = new Map<string, { due: number; timer: NodeJS.Timeout }>();
  readonly #waiters: (() => void)[] = [];
  readonly #options: Required<Omit<WorkQueueOptions, 'onError' | 'onTaken'>> &
    Pick<WorkQueueOptions, 'onError' | 'onTaken'>;
  #shuttingDown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.#options = { baseDelayMs: 200, maxDelayMs: 60_000, ...options };
  }

  /** Keys waiting to be processed (not counting delayed ones). */
  get depth(): number {
    return this.#queue.length;
  }

  add(key: string): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (this.#processing.has(key)) return;
    this.#enqueue(key);
  }

  #enqueue(key: string): void {
    this.#queue.push(key);
    this.#queuedAt.set(key, performance.now());
    this.#waiters.shift()?.();
  }

  /** Adds the key after `ms`, unless it is already due sooner. */
  addAfter(key: string, ms: number): void {
    if (this.#shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const due = Date.now() + ms;
    const existing = this.#timers.get(key);
    if (existing && existing.due <= due) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.#timers.set(key, { due, timer });
  }

  /** The backoff delay for the key's next retry, counting this failure. */
  #backoff(key: string): number {
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    return Math.min(this.#options.maxDelayMs, this.#options.baseDelayMs * 2 ** (failures - 1));
  }

  async #next(): Promise<string | undefined> {
    while (this.#queue.length === 0) {
      if (this.#shuttingDown) return undefined;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    const key = this.#queue.shift();
    if (key === undefined) return undefined;
    this.#dirty.delete(key);
    this.#processing.add(key);
    const queuedAt = this.#queuedAt.get(key);
    this.#queuedAt.delete(key);
    if (queuedAt !== undefined) this.#options.onTaken?.(key, performance.now() - queuedAt);
    return key;
  }

  #done(key: string): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key)) this.#enqueue(key);
  }

  async #work(handler: (key: string) => Promise<WorkResult>): Promise<void> {
    for (let key = await this.#next(); key !== undefined; key = await this.#next()) {
      try {
        const result = await handler(key);
        this.#failures.delete(key);
        if (result.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
      } catch (err) {
        this.#options.onError?.(key, err);
        this.addAfter(key, this.#backoff(key));
      } finally {
        this.#done(key);
      }
    }
  }

  /** Runs `workers` concurrent workers until shutDown(); resolves when the current passes finish. */
  async run(workers: number, handler: (key: string) => Promise<WorkResult>): Promise<void> {
    await Promise.all(Array.from({ length: workers }, () => this.#work(handler)));
  }

  /** Stops taking work: queued keys are dropped, passes in progress finish. */
  shutDown(): void {
    this.#shuttingDown = true;
    for (const { timer } of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#queue.length = 0;
    this.#queuedAt.clear();
    for (const wake of this.#waiters.splice(0)) wake();
  }
}
