import { describe, expect, it } from 'vitest';
import { backoffDelay, systemClock } from './clock.ts';

describe('backoffDelay', () => {
  it('doubles per failure and never exceeds the cap', () => {
    const policy = { initialMs: 100, maxMs: 1000 };
    const top = (): number => 1;
    expect(backoffDelay(policy, 1, top)).toBe(100);
    expect(backoffDelay(policy, 2, top)).toBe(200);
    expect(backoffDelay(policy, 4, top)).toBe(800);
    expect(backoffDelay(policy, 30, top)).toBe(1000);
  });

  it('keeps at least half the ceiling so retries never spin', () => {
    expect(backoffDelay({ initialMs: 100, maxMs: 1000 }, 3, () => 0)).toBe(200);
  });
});

describe('systemClock.sleep', () => {
  it('returns early when its signal aborts', async () => {
    const ac = new AbortController();
    const started = Date.now();
    const p = systemClock.sleep(60_000, ac.signal);
    ac.abort();
    await p;
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});
