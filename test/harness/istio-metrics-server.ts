/**
 * A fake Istio sidecar metrics endpoint for tests: serves `istio_requests_total` and
 * `istio_request_duration_milliseconds` (reporter="destination") in the Prometheus text format, with
 * request rates, error ratios and latencies the test controls.
 *
 * Counters advance on every scrape by `rps × seconds elapsed since the previous scrape`, so
 * `rate(istio_requests_total[…])` in Prometheus equals the configured rate and the 5xx share equals
 * the configured error ratio, whatever the scrape timing. Counts are fractional; Prometheus accepts
 * float counters.
 *
 * ```ts
 * const mesh = await startIstioMetricsServer();
 * mesh.setRate('api-canary', { rps: 50, errorRatio: 0.2 });   // 20% 5xx from now on
 * const prom = await startPrometheus({ targets: [mesh.target] });
 * ```
 */
import { createServer, type Server } from 'node:http';

/** The traffic one workload receives. */
export interface WorkloadTraffic {
  /** Requests per second. */
  readonly rps: number;
  /** Share of requests answered with 500, 0..1. Default 0. */
  readonly errorRatio?: number;
  /** Latency of every request, in ms (one histogram bucket). Default 20. */
  readonly latencyMs?: number;
  /** destination_workload_namespace, default "default". */
  readonly namespace?: string;
  /** destination_service_name, default the workload name. */
  readonly service?: string;
}

/** A running fake metrics endpoint. */
export interface IstioMetricsServer {
  /** host:port, for a Prometheus scrape config. */
  readonly target: string;
  /** http://host:port/metrics */
  readonly url: string;
  /** Sets (or replaces) a workload's traffic; takes effect from the next scrape on. */
  setRate(workload: string, traffic: WorkloadTraffic): void;
  /** Number of scrapes served so far. */
  scrapes(): number;
  stop(): Promise<void>;
}

/** Istio's default latency buckets, in ms. */
export const ISTIO_BUCKETS = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000,
  3600000,
];

interface WorkloadState {
  traffic: Required<WorkloadTraffic>;
  ok: number;
  errors: number;
  durationSum: number;
}

function labels(workload: string, traffic: Required<WorkloadTraffic>, extra: Record<string, string>): string {
  const all = {
    reporter: 'destination',
    destination_workload: workload,
    destination_workload_namespace: traffic.namespace,
    destination_service_name: traffic.service,
    ...extra,
  };
  return `{${Object.entries(all)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`;
}

function render(states: ReadonlyMap<string, WorkloadState>): string {
  const lines = ['# HELP istio_requests_total Total requests.', '# TYPE istio_requests_total counter'];
  for (const [workload, s] of states) {
    lines.push(`istio_requests_total${labels(workload, s.traffic, { response_code: '200' })} ${s.ok}`);
    lines.push(`istio_requests_total${labels(workload, s.traffic, { response_code: '500' })} ${s.errors}`);
  }
  lines.push('# HELP istio_request_duration_milliseconds Request duration.');
  lines.push('# TYPE istio_request_duration_milliseconds histogram');
  for (const [workload, s] of states) {
    const total = s.ok + s.errors;
    for (const le of ISTIO_BUCKETS) {
      const count = s.traffic.latencyMs <= le ? total : 0;
      lines.push(
        `istio_request_duration_milliseconds_bucket${labels(workload, s.traffic, { le: String(le) })} ${count}`,
      );
    }
    lines.push(
      `istio_request_duration_milliseconds_bucket${labels(workload, s.traffic, { le: '+Inf' })} ${total}`,
    );
    lines.push(`istio_request_duration_milliseconds_sum${labels(workload, s.traffic, {})} ${s.durationSum}`);
    lines.push(`istio_request_duration_milliseconds_count${labels(workload, s.traffic, {})} ${total}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Starts the server on 127.0.0.1 and an ephemeral port. */
export async function startIstioMetricsServer(): Promise<IstioMetricsServer> {
  const states = new Map<string, WorkloadState>();
  let lastAdvance = Date.now();
  let scrapes = 0;
  const advance = (): void => {
    const now = Date.now();
    const seconds = (now - lastAdvance) / 1000;
    lastAdvance = now;
    for (const s of states.values()) {
      const requests = s.traffic.rps * seconds;
      s.errors += requests * s.traffic.errorRatio;
      s.ok += requests * (1 - s.traffic.errorRatio);
      s.durationSum += requests * s.traffic.latencyMs;
    }
  };
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    advance();
    scrapes += 1;
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(render(states));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    target: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}/metrics`,
    setRate: (workload, traffic) => {
      // Bank the traffic so far at the old rate, so a change applies only from now on.
      advance();
      const previous = states.get(workload);
      const full: Required<WorkloadTraffic> = {
        errorRatio: 0,
        latencyMs: 20,
        namespace: 'default',
        service: workload,
        ...traffic,
      };
      states.set(
        workload,
        previous ? { ...previous, traffic: full } : { traffic: full, ok: 0, errors: 0, durationSum: 0 },
      );
    },
    scrapes: () => scrapes,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
