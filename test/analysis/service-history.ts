/**
 * Synthetic Istio history for `serin tune` and `serin replay` tests, sample by sample, for a
 * promtool backfill: a service with a daily traffic cycle, noise, a night-time low-traffic period
 * (01:00-05:00 UTC, under the shipped templates' 50-request guard), short error bursts, and a
 * latency histogram; optionally an incident (a share of 500s) from a known instant. Deterministic
 * (seeded), so every run of a test replays exactly the same samples.
 */

export interface ServiceHistory {
  readonly namespace: string;
  readonly workload: string;
  readonly from: number;
  readonly to: number;
  readonly scrapeMs: number;
  readonly seed: number;
  /** From this instant on, this share of requests are 500s. */
  readonly incident?: { readonly at: number; readonly errorShare: number };
}

/** Cumulative counts at each scrape, as Prometheus stores them. */
export interface Scrape {
  readonly t: number;
  readonly ok: number;
  readonly errors: number;
  /** Cumulative request counts at or under each bound of BUCKETS. */
  readonly buckets: readonly number[];
}

export const BUCKETS = [25, 50, 100, 250, 500, 1000, Infinity] as const;
/** Share of requests at or under each bound: p99 ≈ 336 ms. */
const CUMULATIVE_SHARE = [0.2, 0.55, 0.8, 0.985, 0.9995, 0.9999, 1];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function requestsPerSecond(t: number): number {
  const hour = (t / 3_600_000) % 24;
  if (hour >= 1 && hour < 5) return 0.5;
  return 20 * (1 + 0.5 * Math.sin((2 * Math.PI * (hour - 8)) / 24));
}

/** The scrapes of the history. */
export function scrapes(h: ServiceHistory): Scrape[] {
  const random = mulberry32(h.seed);
  const out: Scrape[] = [];
  let ok = 0;
  let errors = 0;
  const buckets = BUCKETS.map(() => 0);
  let burstLeft = 0;
  for (let t = h.from; t <= h.to; t += h.scrapeMs) {
    if (t > h.from) {
      const requests = Math.round(requestsPerSecond(t) * (h.scrapeMs / 1000) * (0.9 + 0.2 * random()));
      // A burst of 8% errors lasts 3 minutes and starts in about one scrape in 300.
      if (burstLeft === 0 && random() < 1 / 300) burstLeft = 180_000 / h.scrapeMs;
      const burst = burstLeft > 0;
      if (burst) burstLeft--;
      const share =
        h.incident !== undefined && t > h.incident.at
          ? h.incident.errorShare
          : burst
            ? 0.08
            : 0.004 * random();
      const failed = Math.round(requests * share);
      ok += requests - failed;
      errors += failed;
      CUMULATIVE_SHARE.forEach((s, i) => {
        buckets[i] = (buckets[i] ?? 0) + Math.round(requests * s);
      });
    }
    out.push({ t, ok, errors, buckets: [...buckets] });
  }
  return out;
}

/** OpenMetrics text of several histories (no `# EOF`-less output: complete for promtool). */
export function historyOpenMetrics(histories: readonly ServiceHistory[]): string {
  const requests: string[] = [];
  const latency: string[] = [];
  for (const h of histories) {
    const base = `reporter="destination",destination_workload_namespace="${h.namespace}",destination_workload="${h.workload}"`;
    const all = scrapes(h);
    const ts = (t: number) => (t / 1000).toFixed(3);
    for (const s of all)
      requests.push(`istio_requests_total{${base},response_code="200"} ${s.ok} ${ts(s.t)}`);
    for (const s of all)
      requests.push(`istio_requests_total{${base},response_code="500"} ${s.errors} ${ts(s.t)}`);
    BUCKETS.forEach((le, i) => {
      const label = le === Infinity ? '+Inf' : String(le);
      for (const s of all)
        latency.push(
          `istio_request_duration_milliseconds_bucket{${base},le="${label}"} ${s.buckets[i] ?? 0} ${ts(s.t)}`,
        );
    });
  }
  return [
    '# TYPE istio_requests_total unknown',
    ...requests,
    '# TYPE istio_request_duration_milliseconds_bucket unknown',
    ...latency,
    '# EOF',
    '',
  ].join('\n');
}
