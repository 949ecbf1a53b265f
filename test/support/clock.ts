import type { Clock } from '../../src/ports/index.ts';

/** 2026-11-22T10:00:00Z: where every manual clock starts unless told otherwise. */
export const CLOCK_START = Date.parse('2026-11-22T10:00:00Z');

interface Sleeper {
  at: number;
  wake: () => void;
}

/**
 * The one manual clock of the test suite: a {@link Clock} whose time moves only when the test moves
 * it, and whose sleeps end only then (or when their signal aborts). `sleeps` records every wait asked
 * for, so a test reads a backoff schedule instead of timing it. `now` and `sleep` are bound, so they
 * can be handed out alone (`clock: clock.now`).
 */
export class ManualClock implements Clock {
  /** Every `sleep(ms)` asked for, in order. */
  readonly sleeps: number[] = [];
  #now: number;
  #sleepers: Sleeper[] = [];

  constructor(start = CLOCK_START) {
    this.#now = start;
  }

  readonly now = (): number => this.#now;

  readonly sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      this.sleeps.push(ms);
      if (signal?.aborted === true) {
        resolve();
        return;
      }
      const onAbort = (): void => {
        this.#sleepers = this.#sleepers.filter((other) => other !== sleeper);
        resolve();
      };
      const sleeper: Sleeper = {
        at: this.#now + ms,
        wake: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.#sleepers.push(sleeper);
      signal?.addEventListener('abort', onAbort, { once: true });
    });

  /** Sleeps not yet ended. */
  get pending(): number {
    return this.#sleepers.length;
  }

  /** Moves time forward by `ms` and wakes every sleeper that is due, earliest first. */
  advance(ms: number): void {
    this.set(this.#now + ms);
  }

  /** Moves time to `at` (never backwards) and wakes every sleeper that is due, earliest first. */
  set(at: number): void {
    this.#now = Math.max(this.#now, at);
    const due = this.#sleepers.filter((s) => s.at <= this.#now).sort((a, b) => a.at - b.at);
    this.#sleepers = this.#sleepers.filter((s) => s.at > this.#now);
    for (const sleeper of due) sleeper.wake();
  }

  /**
   * Moves time forward by `ms` in steps of `stepMs`; after each step waits for `settle` (by default
   * a few event-loop turns, enough for in-memory work) so the woken tasks run, then calls `each`.
   */
  async advanceInSteps(ms: number, options: AdvanceOptions = {}): Promise<void> {
    const { stepMs = 10, settle = settleTasks, each } = options;
    const end = this.#now + ms;
    while (this.#now < end) {
      this.set(Math.min(end, this.#now + stepMs));
      await settle();
      each?.();
    }
  }

  /**
   * Moves time forward step by step (as {@link advanceInSteps}) until `check` holds, and returns the
   * clock's time then; throws naming `what` when `maxMs` of clock time pass first.
   */
  async advanceUntil(
    check: () => boolean,
    what: string,
    options: AdvanceOptions & { maxMs: number },
  ): Promise<number> {
    const { stepMs = 10, settle = settleTasks, each, maxMs } = options;
    const end = this.#now + maxMs;
    await settle();
    while (!check()) {
      if (this.#now >= end) throw new Error(`${what}: not within ${maxMs} ms of clock time`);
      this.set(Math.min(end, this.#now + stepMs));
      await settle();
      each?.();
    }
    return this.#now;
  }
}

/** How {@link ManualClock.advanceInSteps} moves. */
export interface AdvanceOptions {
  stepMs?: number;
  /** Resolves once the tasks woken by a step have run to their next sleep. */
  settle?: () => Promise<void>;
  /** Called after every step: the place for invariants that must hold at every instant. */
  each?: () => void;
}

/** Lets pending promise chains and I/O callbacks run: `turns` passes of the event loop. */
export async function settleTasks(turns = 30): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}
