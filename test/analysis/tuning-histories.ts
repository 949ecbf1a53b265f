/**
 * The generated histories the tuning suites share (tune.integration.test.ts, the docs/tuning.md
 * walk-through and the tune benchmark): a day of a healthy `checkout`, its canary that fails 20% of
 * requests from 10:00, and a second service `pay` released with the judge the same way.
 */
import type { ServiceHistory } from './service-history.ts';

export const T0 = Date.parse('2026-06-01T00:00:00Z');
export const H = 3_600_000;

/** A day (and the hour before) of a healthy service with a daily cycle, noise and error bursts. */
export const STABLE: ServiceHistory = {
  namespace: 'shop',
  workload: 'checkout',
  from: T0 - H,
  to: T0 + 24 * H,
  scrapeMs: 30_000,
  seed: 19,
};

/** The release: healthy until 10:00, then 20% of its requests fail. */
export const INCIDENT_AT = T0 + 10 * H;
export const CANARY: ServiceHistory = {
  ...STABLE,
  workload: 'checkout-canary',
  from: T0 + 9 * H,
  to: T0 + 11 * H,
  seed: 7,
  incident: { at: INCIDENT_AT, errorShare: 0.2 },
};

/** A second service released with the judge: its primary stays healthy, the canary fails 20% from 10:00. */
export const PAY_PRIMARY: ServiceHistory = {
  ...STABLE,
  workload: 'pay-primary',
  from: T0 + 8 * H,
  to: T0 + 11 * H,
  seed: 11,
};
export const PAY_CANARY: ServiceHistory = {
  ...PAY_PRIMARY,
  workload: 'pay',
  seed: 12,
  incident: { at: INCIDENT_AT, errorShare: 0.2 },
};
