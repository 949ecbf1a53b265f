import { describe, expect, it } from 'vitest';
import { WorkQueue } from './work-queue.ts';

const tick = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('WorkQueue', () => {
  it('never processes one key in two workers at once, and reprocesses a key added meanwhile', async () => {
    const queue = new WorkQueue();
    let active = 0;
    let maxActive = 0;
    let passes = 0;
    const running = queue.run(4, async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      passes++;
      if (passes === 1) {
        queue.add('ns/a');
        queue.add('ns/a');
      }
      await tick(5);
      active--;
      if (passes >= 2) queue.shutDown();
      return {};
    });
    queue.add('ns/a');
    await running;
    expect(maxActive).toBe(1);
    expect(passes).toBe(2);
  });

  it('retries a failing key with growing, capped backoff', async () => {
    const queue = new WorkQueue({ baseDelayMs: 5, maxDelayMs: 20 });
    const times: number[] = [];
    const running = queue.run(1, () => {
      times.push(Date.now());
      if (times.length === 5) {
        queue.shutDown();
        return Promise.resolve({});
      }
      return Promise.reject(new Error('boom'));
    });
    queue.add('ns/a');
    await running;
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? t));
    expect(gaps).toHaveLength(4);
    // 5, 10, 20, 20 (capped): each gap at least the planned delay.
    expect(gaps[0]).toBeGreaterThanOrEqual(4);
    expect(gaps[2]).toBeGreaterThanOrEqual(19);
    expect(gaps[3]).toBeGreaterThanOrEqual(19);
  });

  it('requeues after the delay a handler asks for, keeping the earliest due time', async () => {
    const queue = new WorkQueue();
    const seen: string[] = [];
    const running = queue.run(2, (key) => {
      seen.push(key);
      if (seen.length === 1) return Promise.resolve({ requeueAfterMs: 10 });
      queue.shutDown();
      return Promise.resolve({});
    });
    queue.add('ns/a');
    queue.addAfter('ns/b', 10_000);
    await running;
    expect(seen).toEqual(['ns/a', 'ns/a']);
  });

  it('reports how long each key waited for a worker', async () => {
    const taken: [string, number][] = [];
    const queue = new WorkQueue({ onTaken: (key, waitedMs) => taken.push([key, waitedMs]) });
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const running = queue.run(1, async (key) => {
      if (key === 'a') await held;
      else queue.shutDown();
      return {};
    });
    queue.add('a');
    await tick();
    queue.add('b');
    const queuedBy = performance.now();
    await tick(30);
    const releasedAt = performance.now();
    release();
    await running;
    expect(taken.map(([key]) => key)).toEqual(['a', 'b']);
    // b waited behind a: at least from when it was queued to when a's pass was let go.
    expect(taken[1]?.[1]).toBeGreaterThanOrEqual(releasedAt - queuedBy);
  });

  it('reports its depth', () => {
    const queue = new WorkQueue();
    queue.add('a');
    queue.add('b');
    queue.add('a');
    expect(queue.depth).toBe(2);
    queue.shutDown();
    expect(queue.depth).toBe(0);
  });
});
