/**
 * A canary's Istio request counters, sample by sample, for backfilling a real Prometheus: tests
 * place the canary's first 500 at an exact instant relative to the scrapes and the measurements.
 *
 * Requests arrive evenly, `rps` a second, from `trafficStart` on. From request `firstError` on,
 * every `errorEvery`-th request is a 500: the canary fails a share 1/errorEvery of its requests
 * from (nearly) its start. Prometheus scrapes every `scrapeMs`, the first scrape at `scrapePhaseMs`
 * after the epoch; a scrape holds every request that arrived before it. As with Istio, a series
 * exists only from the first request with its response code.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { AnalysisTemplateSpec } from '../../src/api/index.ts';
import { AnalysisTemplateSpec as TemplateSpecSchema } from '../../src/api/index.ts';

export interface BadCanary {
  /** The canary's namespace label: one per case, so many cases share one Prometheus. */
  readonly namespace: string;
  /** When the canary got weight (epoch ms). */
  readonly trafficStart: number;
  /** Canary requests per second. */
  readonly rps: number;
  /** Every this-many-th request from `firstError` on is a 500. */
  readonly errorEvery: number;
  /** Index of the first failing request (0 is the canary's first request). */
  readonly firstError: number;
  /** Where in its 1/rps slot each request arrives, 0..1. */
  readonly arrivalPhase: number;
  readonly scrapeMs: number;
  /** Offset of the scrape grid from the epoch, 0..scrapeMs. */
  readonly scrapePhaseMs: number;
  /** How long after `trafficStart` the samples go on. */
  readonly durationMs: number;
}

/** The arrival time (epoch ms) of request `i`. */
export function arrivalOf(c: BadCanary, i: number): number {
  return c.trafficStart + ((i + c.arrivalPhase) * 1000) / c.rps;
}

export function isError(c: BadCanary, i: number): boolean {
  return i >= c.firstError && (i - c.firstError) % c.errorEvery === 0;
}

/** When the first 500 arrives (epoch ms). */
export function firstErrorAt(c: BadCanary): number {
  return arrivalOf(c, c.firstError);
}

const LABELS = 'reporter="destination",destination_workload="podinfo"';

/** The canary's `istio_requests_total` samples in OpenMetrics text (no `# EOF`). */
export function canarySamples(c: BadCanary): string {
  const series: Record<'200' | '500', string[]> = { '200': [], '500': [] };
  const counts = { '200': 0, '500': 0 };
  let next = 0;
  const end = c.trafficStart + c.durationMs;
  const firstScrape = c.trafficStart - ((c.trafficStart - c.scrapePhaseMs) % c.scrapeMs);
  for (let scrape = firstScrape; scrape <= end; scrape += c.scrapeMs) {
    while (arrivalOf(c, next) < scrape) {
      counts[isError(c, next) ? '500' : '200']++;
      next++;
    }
    for (const code of ['200', '500'] as const) {
      if (counts[code] === 0) continue; // not born yet
      series[code].push(
        `istio_requests_total{${LABELS},destination_workload_namespace="${c.namespace}",response_code="${code}"} ${counts[code]} ${(scrape / 1000).toFixed(3)}`,
      );
    }
  }
  return [...series['200'], ...series['500']].join('\n');
}

/** OpenMetrics text for promtool: every canary's samples in one counter family. */
export function openMetrics(canaries: readonly BadCanary[]): string {
  const body = canaries.map(canarySamples).filter((text) => text !== '');
  return ['# TYPE istio_requests counter', ...body, '# EOF', ''].join('\n');
}

/**
 * The success-rate query serin shipped before the evidence rule: `rate()` over the non-5xx and the
 * total. Kept here to show what it reads from a canary whose 5xx series was just born.
 */
export const LEGACY_SUCCESS_RATE_QUERY = [
  'sum(rate(istio_requests_total{reporter="destination", destination_workload_namespace="{{args.namespace}}", destination_workload="{{args.workload}}", response_code!~"5.."}[{{args.window}}]))',
  '/',
  'sum(rate(istio_requests_total{reporter="destination", destination_workload_namespace="{{args.namespace}}", destination_workload="{{args.workload}}"}[{{args.window}}]))',
].join('\n');

/**
 * A shipped template's spec as the e2e tests run it: pointed at `address`, measuring every
 * `interval`, `count` times, for a Prometheus that scrapes every `scrapeInterval`.
 */
export function shippedTemplate(
  file: string,
  options: { address: string; interval: string; count: number; scrapeInterval: string },
): AnalysisTemplateSpec {
  const doc = parse(readFileSync(file, 'utf8')) as { spec: unknown };
  const spec = TemplateSpecSchema.parse(doc.spec);
  return {
    ...spec,
    metrics: spec.metrics.map((metric) => {
      if (!('prometheus' in metric.provider)) return metric;
      const prometheus = {
        ...metric.provider.prometheus,
        address: options.address,
        scrapeInterval: options.scrapeInterval,
      };
      return { ...metric, interval: options.interval, count: options.count, provider: { prometheus } };
    }),
  };
}

/** istio-success-rate as serin shipped it before: the rate() query, no traffic guard. */
export function legacySuccessRateTemplate(
  options: Parameters<typeof shippedTemplate>[1],
): AnalysisTemplateSpec {
  const spec = shippedTemplate('analysis-templates/istio-success-rate.yaml', options);
  return {
    ...spec,
    metrics: spec.metrics.map(({ minTraffic: _guard, ...metric }) =>
      'prometheus' in metric.provider
        ? {
            ...metric,
            provider: { prometheus: { ...metric.provider.prometheus, query: LEGACY_SUCCESS_RATE_QUERY } },
          }
        : metric,
    ),
  };
}
