import { describe, expect, it } from 'vitest';
import { electionOf } from './controller.ts';

const DEFAULTS = { shards: '1', leaseDuration: '15s', renewDeadline: '10s', retryPeriod: '2s' };

describe('serin controller: leader election and sharding flags', () => {
  it('reads the defaults as plain leader election with client-go timing', () => {
    expect(electionOf(DEFAULTS)).toEqual({
      shards: 1,
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
    });
  });

  it('reads --shards and durations in ms, s and m', () => {
    expect(
      electionOf({ shards: '6', leaseDuration: '1m', renewDeadline: '3s', retryPeriod: '500ms' }),
    ).toEqual({ shards: 6, leaseDurationMs: 60_000, renewDeadlineMs: 3_000, retryPeriodMs: 500 });
  });

  it.each([
    [{ shards: '0' }, /--shards must be an integer/],
    [{ shards: '2.5' }, /--shards must be an integer/],
    [{ shards: 'six' }, /--shards must be an integer/],
    [{ leaseDuration: '15' }, /--lease-duration must be a duration/],
    [{ renewDeadline: '0s' }, /--renew-deadline must be a duration/],
    [{ retryPeriod: '-1s' }, /--retry-period must be a duration/],
    // Fencing needs the renew deadline shorter than the lease (src/kube/leader-elector.ts).
    [{ renewDeadline: '15s' }, /shorter than --lease-duration/],
    [{ retryPeriod: '10s' }, /--retry-period must be shorter/],
  ])('refuses %o with a message naming the flag', (flags, message) => {
    const result = electionOf({ ...DEFAULTS, ...flags });
    expect('error' in result && result.error).toMatch(message);
  });
});
