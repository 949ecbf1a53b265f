/** The load generator's pacing (pure): how many requests are due after some time at some rate. */

/** A rate that changes over time: a function of ms since start, or steps `{ fromMs, rps }`. */
export type RpsSchedule = ((elapsedMs: number) => number) | readonly { fromMs: number; rps: number }[];

/** The rate a schedule gives at `elapsedMs` (steps: the last one whose `fromMs` has passed). */
export function rateAt(schedule: RpsSchedule, elapsedMs: number, fallback: number): number {
  if (typeof schedule === 'function') return sanitize(schedule(elapsedMs));
  let rps = fallback;
  for (const step of schedule) if (step.fromMs <= elapsedMs) rps = step.rps;
  return sanitize(rps);
}

/**
 * Open-loop pacing with a fractional carry, so low rates are exact over time (0.1 rps is one
 * request every 10 s, not zero) and a late tick catches up instead of losing requests.
 */
export class Pacer {
  #carry = 0;

  /** Requests due for `dtMs` at `rps`; the remainder carries to the next call. */
  due(rps: number, dtMs: number): number {
    this.#carry += (sanitize(rps) * Math.max(0, dtMs)) / 1000;
    // The epsilon absorbs binary rounding: ten steps of 0.1 must make one request, not 0.999...
    const n = Math.floor(this.#carry + 1e-9);
    this.#carry -= n;
    return n;
  }
}

function sanitize(rps: number): number {
  return Number.isFinite(rps) && rps > 0 ? rps : 0;
}
