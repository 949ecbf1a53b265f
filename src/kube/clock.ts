/** Time as the Kubernetes adapters see it: the Clock port, injectable so tests drive leases and backoff. */
export type { Clock as KubeClock } from '../ports/clock.ts';
export { systemClock } from '../ports/clock.ts';

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
