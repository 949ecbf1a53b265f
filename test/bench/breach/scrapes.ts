/**
 * When Prometheus first stored the canary's 5xx series: the timestamps of its first two samples.
 * A sample's timestamp is the start of the scrape that took it, on the same machine's wall clock
 * as the controller's measurement times.
 */
export interface ErrorScrapes {
  /** The first scrape in which a 5xx series of the canary existed (epoch ms). */
  readonly first: number | undefined;
  /** The next scrape: rate() needs two samples of a series before it has a value. */
  readonly second: number | undefined;
}

interface MatrixResponse {
  status: string;
  error?: string;
  data?: { resultType: string; result: { values: [number, string][] }[] };
}

/** Reads the first two scrape times of any 5xx series of `workload` in `ns`. */
export async function errorScrapes(
  prometheusUrl: string,
  ns: string,
  workload: string,
): Promise<ErrorScrapes> {
  const selector = `istio_requests_total{reporter="destination", destination_workload_namespace="${ns}", destination_workload="${workload}", response_code=~"5.."}`;
  const url = `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(`${selector}[5m]`)}`;
  const body = (await (await fetch(url, { signal: AbortSignal.timeout(5_000) })).json()) as MatrixResponse;
  if (body.status !== 'success') throw new Error(`Prometheus: ${body.error ?? body.status}`);
  const times = [
    ...new Set(
      (body.data?.result ?? []).flatMap((series) => series.values.map(([t]) => Math.round(t * 1000))),
    ),
  ].sort((a, b) => a - b);
  return { first: times[0], second: times[1] };
}

/** Failed scrapes and the slowest scrape of the last minute, to explain a canary Prometheus has no data for. */
export async function scrapeHealth(prometheusUrl: string): Promise<string> {
  const ask = async (query: string): Promise<number[]> => {
    const url = `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`;
    const body = (await (await fetch(url, { signal: AbortSignal.timeout(5_000) })).json()) as MatrixResponse;
    return (body.data?.result ?? []).flatMap((series) => series.values.map(([, v]) => Number(v)));
  };
  try {
    const up = await ask('up[1m]');
    const durations = await ask('scrape_duration_seconds[1m]');
    const failed = up.filter((v) => v === 0).length;
    const slowest = Math.max(0, ...durations.filter(Number.isFinite));
    return `${failed} of ${up.length} scrapes failed in the last minute, slowest ${(slowest * 1000).toFixed(0)} ms`;
  } catch (err) {
    return `scrape health unknown: ${String(err)}`;
  }
}
