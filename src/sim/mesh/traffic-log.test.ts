import { describe, expect, it } from 'vitest';
import { TrafficLog } from './traffic-log.ts';

describe('TrafficLog', () => {
  it('counts exactly the requests decided at or after the given time', () => {
    const log = new TrafficLog(16);
    log.record(100, { workload: 'shop/a' }, 200);
    log.record(200, { workload: 'shop/b' }, 500);
    log.record(200, { workload: 'shop/a' }, 200);
    log.record(300, { unrouted: 'no healthy upstream' }, 503);
    expect(log.since(200)).toEqual({
      byWorkload: {
        'shop/a': { total: 1, errors: 0, byCode: { '200': 1 } },
        'shop/b': { total: 1, errors: 1, byCode: { '500': 1 } },
      },
      unrouted: { 'no healthy upstream': 1 },
      total: 3,
      complete: true,
    });
    expect(log.since(301).total).toBe(0);
  });

  it('shows requests in flight as pending until they complete', () => {
    const log = new TrafficLog(16);
    const ticket = log.record(10, { workload: 'shop/a' });
    expect(log.since(0).byWorkload['shop/a']?.byCode).toEqual({ pending: 1 });
    log.complete(ticket, 503);
    expect(log.since(0).byWorkload['shop/a']).toEqual({ total: 1, errors: 1, byCode: { '503': 1 } });
  });

  it('says the count is incomplete once entries since that time were overwritten', () => {
    const log = new TrafficLog(4);
    for (let t = 0; t < 6; t++) log.record(t, { workload: 'shop/a' }, 200);
    expect(log.since(0)).toMatchObject({ total: 4, complete: false });
    expect(log.since(2)).toMatchObject({ total: 4, complete: true });
    expect(log.since(3)).toMatchObject({ total: 3, complete: true });
  });

  it('ignores a completion for an entry that has been overwritten', () => {
    const log = new TrafficLog(2);
    const first = log.record(0, { workload: 'shop/a' });
    log.record(1, { workload: 'shop/b' }, 200);
    log.record(2, { workload: 'shop/b' }, 200);
    log.complete(first, 500);
    expect(log.since(0).byWorkload).toEqual({ 'shop/b': { total: 2, errors: 0, byCode: { '200': 2 } } });
  });
});
