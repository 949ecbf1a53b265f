/** Time as the Kubernetes adapters see it; injectable so tests can drive leases and backoff. */
export interface KubeClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The wall clock. */
export const systemClock: KubeClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted === true) {
        resolve();
        return;
      }
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/** Capped exponential backoff with full jitter. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/** Delay before attempt `attempt` (1-based count of failures so far). */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt - 1));
  // Half fixed, half jitter: never 0 (no hot loop), and N clients never retry in lockstep.
  return ceiling / 2 + random() * (ceiling / 2);
}

/**
 * Reads `signal.aborted` afresh. TypeScript narrows `signal.aborted` to false after one check and
 * does not know an `await` may have flipped it; this keeps such re-checks honest.
 */
export function hasAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}
