import { queryLookbackMs, renderTemplate, type ResolvedArgs } from '../analysis/index.ts';
import type { AnalysisTemplateSpec, Metric, PrometheusConnection } from '../api/index.ts';
import { createPrometheusProvider } from '../providers/prometheus/index.ts';
import { prometheusAvailable, promtoolBinary, startPrometheus } from '../sim/prometheus.ts';
import { degrade, type Degradation, type RawSeries } from '../tune/degrade.ts';
import { toOpenMetrics } from '../tune/openmetrics.ts';
import { vectorSelectorsOf } from '../tune/selectors.ts';
import type { DegradedHistory } from '../tune/tune.ts';

/**
 * The I/O half of detection power: read the raw samples of every series the template's queries
 * select from the user's Prometheus (instant queries of `selector[6h]`, which return stored
 * samples), inject a regression into a copy (src/tune/degrade.ts), load the copy into a scratch
 * Prometheus on 127.0.0.1 with promtool, and point the template there. The template's queries are
 * not rewritten: they read the copy exactly as they read the original.
 */

const CHUNK_MS = 6 * 3_600_000;

/** Why power cannot be measured here, or undefined when it can. */
export function powerUnavailable(): string | undefined {
  if (!prometheusAvailable()) return 'no prometheus binary on PATH (detection power loads a scratch copy)';
  if (promtoolBinary() === undefined) return 'no promtool binary (it ships with the prometheus package)';
  return undefined;
}

/** The raw history could not be read: detection power is reported as not measured, with why. */
export class HistoryError extends Error {
  readonly code = 'HistoryUnreadable';
}

function describe(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}

function connectionsOf(templates: readonly AnalysisTemplateSpec[]): PrometheusConnection[] {
  return templates.flatMap((t) =>
    t.metrics.flatMap(
      (m) =>
        'prometheus' in m.provider
          ? [m.provider.prometheus]
          : 'judge' in m.provider
            ? [m.provider.judge.prometheus]
            : [], // a web metric has no Prometheus history
    ),
  );
}

function renderedQueries(metric: Metric, args: ResolvedArgs): string[] {
  const texts =
    'prometheus' in metric.provider
      ? [metric.provider.prometheus.query, metric.minTraffic?.query]
      : 'judge' in metric.provider
        ? [metric.provider.judge.baselineQuery, metric.provider.judge.canaryQuery]
        : [];
  return texts.flatMap((text) => {
    if (text === undefined) return [];
    const rendered = renderTemplate(text, args.values);
    return rendered.ok ? [rendered.value] : [];
  });
}

interface MatrixBody {
  status: string;
  data?: { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] };
  error?: string;
}

async function fetchChunk(
  connection: PrometheusConnection,
  selector: string,
  at: number,
  bearerToken: string | undefined,
): Promise<RawSeries[]> {
  const url = new URL(
    '/api/v1/query',
    connection.address.endsWith('/') ? connection.address : `${connection.address}/`,
  );
  const body = new URLSearchParams({ query: `${selector}[${CHUNK_MS / 1000}s]`, time: String(at / 1000) });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  for (const header of connection.headers ?? []) headers[header.name] = header.value;
  if (bearerToken !== undefined) headers.authorization = `Bearer ${bearerToken}`;
  const where = `reading ${selector} at ${new Date(at).toISOString()}`;
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', body, headers });
  } catch (err) {
    throw new HistoryError(`${where}: cannot reach ${url.origin} (${describe(err)})`);
  }
  let json: MatrixBody;
  try {
    json = (await response.json()) as MatrixBody;
  } catch {
    throw new HistoryError(
      `${where}: HTTP ${response.status} ${response.statusText}, not a Prometheus answer`,
    );
  }
  if (json.status !== 'success' || json.data?.resultType !== 'matrix')
    throw new HistoryError(
      `reading ${selector} at ${new Date(at).toISOString()}: ${json.error ?? response.statusText}`,
    );
  return json.data.result.map((r) => ({
    labels: r.metric,
    samples: r.values.map(([t, v]) => ({ t: Math.round(t * 1000), v: Number(v) })),
  }));
}

/** Every raw sample of the series the template reads, from `from` (minus the queries' lookback) to `to`. */
export async function readHistory(input: {
  readonly templates: readonly AnalysisTemplateSpec[];
  readonly args: ResolvedArgs;
  readonly from: number;
  readonly to: number;
  readonly onQuery?: () => void;
  /** --bearer-token-file's token, sent as the analyses' queries send it. */
  readonly bearerToken?: string;
}): Promise<RawSeries[]> {
  const connection = connectionsOf(input.templates)[0];
  if (connection === undefined) return [];
  const queries = input.templates.flatMap((t) => t.metrics.flatMap((m) => renderedQueries(m, input.args)));
  const lookback = Math.max(0, ...queries.map(queryLookbackMs));
  const selectors = [...new Set(queries.flatMap(vectorSelectorsOf))];
  const bySeries = new Map<string, Map<number, number>>();
  const labelsOf = new Map<string, Record<string, string>>();
  for (const selector of selectors) {
    for (let at = input.from - lookback; at < input.to + CHUNK_MS; at += CHUNK_MS) {
      input.onQuery?.();
      const chunk = await fetchChunk(
        connection,
        selector,
        Math.min(at + CHUNK_MS, input.to),
        input.bearerToken,
      );
      for (const series of chunk) {
        const key = JSON.stringify(Object.entries(series.labels).sort(([a], [b]) => (a < b ? -1 : 1)));
        labelsOf.set(key, series.labels);
        const samples = bySeries.get(key) ?? new Map<number, number>();
        for (const s of series.samples) samples.set(s.t, s.v);
        bySeries.set(key, samples);
      }
      if (at + CHUNK_MS >= input.to) break;
    }
  }
  return [...bySeries].map(([key, samples]) => ({
    labels: labelsOf.get(key) ?? {},
    samples: [...samples].sort(([a], [b]) => a - b).map(([t, v]) => ({ t, v })),
  }));
}

function pointedAt(templates: readonly AnalysisTemplateSpec[], address: string): AnalysisTemplateSpec[] {
  function local<T extends PrometheusConnection>(c: T): T {
    const { bearerTokenSecretRef: _token, headers: _headers, ...rest } = c;
    return { ...rest, address } as T;
  }
  return templates.map((t) => ({
    ...t,
    metrics: t.metrics.map((m) =>
      'prometheus' in m.provider
        ? { ...m, provider: { prometheus: local(m.provider.prometheus) } }
        : !('judge' in m.provider)
          ? m
          : {
              ...m,
              provider: { judge: { ...m.provider.judge, prometheus: local(m.provider.judge.prometheus) } },
            },
    ),
  }));
}

/** A scratch Prometheus holding `history` with `degradation` injected. */
export async function degradedHistory(
  history: readonly RawSeries[],
  degradation: Degradation,
  templates: readonly AnalysisTemplateSpec[],
): Promise<DegradedHistory> {
  const { series, changed } = degrade(history, degradation);
  const prometheus = await startPrometheus({ targets: [], backfill: toOpenMetrics(series) });
  return {
    provider: createPrometheusProvider(),
    changed,
    templates: pointedAt(templates, prometheus.url),
    dispose: () => prometheus.stop(),
  };
}
