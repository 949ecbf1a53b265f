/**
 * The one polling helper of the test suite. A poll's timeout bounds how long a broken test hangs;
 * it is never an assertion on how fast something happened.
 */

/** How long to keep polling and how often. */
export interface PollOptions {
  /** Give up after this long (default 15 s). */
  timeoutMs?: number;
  /** Pause between probes (default 20 ms). */
  intervalMs?: number;
  /** Appended to the timeout message: the last state seen, so a failure says why. */
  detail?: () => string | Promise<string>;
}

/** Thrown when a poll runs out of time; the message names what was awaited. */
export class PollTimeoutError extends Error {
  readonly code = 'PollTimeout';
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * Calls `probe` until it returns something other than `undefined` or `false` and returns that;
 * throws {@link PollTimeoutError} naming `what` after `timeoutMs`.
 */
export async function poll<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  options: PollOptions | number = {},
): Promise<T> {
  const {
    timeoutMs = 15_000,
    intervalMs = 20,
    detail,
  } = typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      const why = detail === undefined ? '' : ` (${await detail()})`;
      throw new PollTimeoutError(`timed out waiting for: ${what}${why}`);
    }
    await sleep(intervalMs);
  }
}

/** Polls until `check` holds; throws {@link PollTimeoutError} naming `what` after `timeoutMs`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  options: PollOptions | number = {},
): Promise<void> {
  await poll(check, what, options);
}
