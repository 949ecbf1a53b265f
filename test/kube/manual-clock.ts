/** A stepping manual clock for the Lease tests (leader elector, shard set): sleeps end as the test advances it. */
import type { KubeClock } from '../../src/kube/index.ts';

/** A clock that only moves when the test says so. */
export class ManualClock implements KubeClock {
  t = 1_700_000_000_000;
  readonly #timers = new Set<{ at: number; fire: () => void }>();

  now = (): number => this.t;

  sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      if (signal?.aborted === true) {
        resolve();
        return;
      }
      const onAbort = (): void => {
        this.#timers.delete(timer);
        resolve();
      };
      const timer = {
        at: this.t + ms,
        fire: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.#timers.add(timer);
      signal?.addEventListener('abort', onAbort, { once: true });
    });

  /** Moves time forward in small steps, letting every woken task run, checking `each` per step. */
  async advance(ms: number, each: () => void = () => undefined): Promise<void> {
    const end = this.t + ms;
    while (this.t < end) {
      this.t = Math.min(end, this.t + 10);
      for (const timer of [...this.#timers]) {
        if (timer.at <= this.t) {
          this.#timers.delete(timer);
          timer.fire();
        }
      }
      await settle();
      each();
    }
  }
}

/** Lets every task woken so far run to its next wait. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r));
}
