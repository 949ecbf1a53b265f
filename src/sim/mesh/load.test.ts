import { describe, expect, it } from 'vitest';
import { Pacer, rateAt } from './load.ts';

describe('Pacer', () => {
  it('sends one request every 10 s at 0.1 rps', () => {
    const pacer = new Pacer();
    const sent: number[] = [];
    for (let s = 1; s <= 30; s++) if (pacer.due(0.1, 1000) > 0) sent.push(s);
    expect(sent).toEqual([10, 20, 30]);
  });

  it('carries fractions so the total over many ticks is exact', () => {
    const pacer = new Pacer();
    let total = 0;
    for (let i = 0; i < 200; i++) total += pacer.due(33, 50);
    expect(total).toBe(330); // 33 rps over 10 s
  });

  it('sends nothing at rate 0 or an invalid rate', () => {
    const pacer = new Pacer();
    expect(pacer.due(0, 1000) + pacer.due(-5, 1000) + pacer.due(Number.NaN, 1000)).toBe(0);
  });
});

describe('rateAt', () => {
  it('follows step schedules by the last step started', () => {
    const steps = [
      { fromMs: 0, rps: 10 },
      { fromMs: 5_000, rps: 0.1 },
      { fromMs: 20_000, rps: 50 },
    ];
    expect([0, 4_999, 5_000, 19_999, 25_000].map((t) => rateAt(steps, t, 1))).toEqual([10, 10, 0.1, 0.1, 50]);
    expect(rateAt([{ fromMs: 1_000, rps: 5 }], 0, 7)).toBe(7);
  });

  it('evaluates function schedules', () => {
    expect(rateAt((t) => t / 1000, 3_000, 0)).toBe(3);
  });
});
