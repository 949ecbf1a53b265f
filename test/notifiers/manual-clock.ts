import type { Clock } from '../../src/ports/index.ts';

/**
 * A Clock whose sleeps end only when the test moves time. `sleeps` records every wait asked for, so
 * a test reads the backoff schedule instead of timing it.
 */
export class ManualSleepClock implements Clock {
  readonly sleeps: number[] = [];
  private timers: { at: number; resolve: () => void }[] = [];
  constructor(public t = Date.parse('2026-11-22T10:00:00Z')) {}

  now = (): number => this.t;

  sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      this.sleeps.push(ms);
      if (signal?.aborted === true) {
        resolve();
        return;
      }
      const timer = { at: this.t + ms, resolve };
      this.timers.push(timer);
      signal?.addEventListener(
        'abort',
        () => {
          this.timers = this.timers.filter((other) => other !== timer);
          resolve();
        },
        { once: true },
      );
    });

  /** Moves time forward and wakes every sleeper that is due. */
  advance(ms: number): void {
    this.t += ms;
    const due = this.timers.filter((timer) => timer.at <= this.t);
    this.timers = this.timers.filter((timer) => timer.at > this.t);
    for (const timer of due) timer.resolve();
  }

  /** Sleeps pending now (the per-attempt timeouts included). */
  get pending(): number {
    return this.timers.length;
  }
}
