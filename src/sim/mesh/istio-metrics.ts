import { Counter, Histogram, Registry } from 'prom-client';

/**
 * Envoy's default histogram buckets (ms), which Istio's `istio_request_duration_milliseconds` uses
 * unless a mesh overrides them.
 */
export const ISTIO_DURATION_BUCKETS_MS = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000,
  3600000,
];

/** The labels of Istio's standard request metrics that the emulator fills in. */
export const ISTIO_LABELS = [
  'reporter',
  'source_workload',
  'source_workload_namespace',
  'source_app',
  'destination_workload',
  'destination_workload_namespace',
  'destination_app',
  'destination_version',
  'destination_service',
  'destination_service_name',
  'destination_service_namespace',
  'destination_canonical_service',
  'destination_canonical_revision',
  'request_protocol',
  'response_code',
  'response_flags',
  'connection_security_policy',
] as const;

/** One label set of Istio's request metrics. */
export type IstioLabels = Record<(typeof ISTIO_LABELS)[number], string>;

/** What the destination sidecar knows about one request it served. */
export interface ServedRequest {
  source: { workload: string; namespace: string; app: string };
  destination: {
    workload: string;
    namespace: string;
    /** Pod labels (app, version and the canonical-service labels feed their metric labels). */
    labels: Readonly<Record<string, string>>;
    /** The Service's FQDN. */
    serviceHost: string;
    serviceName: string;
    serviceNamespace: string;
  };
  responseCode: number;
  /** Envoy's response flags (`-` when none; `UC`, `UT`, ...). */
  responseFlags: string;
  durationMs: number;
}

/**
 * Istio's standard request metrics as the destination sidecar reports them, on a registry of
 * their own (never prom-client's global one).
 */
export class IstioMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter<(typeof ISTIO_LABELS)[number]>;
  readonly #duration: Histogram<(typeof ISTIO_LABELS)[number]>;

  constructor() {
    this.#requests = new Counter({
      name: 'istio_requests_total',
      help: 'Total requests handled by an Istio proxy (emulated).',
      labelNames: ISTIO_LABELS,
      registers: [this.registry],
    });
    this.#duration = new Histogram({
      name: 'istio_request_duration_milliseconds',
      help: 'Request duration in milliseconds, as seen by an Istio proxy (emulated).',
      labelNames: ISTIO_LABELS,
      buckets: ISTIO_DURATION_BUCKETS_MS,
      registers: [this.registry],
    });
  }

  /** Counts one request the way `reporter="destination"` would. */
  observe(req: ServedRequest): void {
    const labels = destinationLabels(req);
    this.#requests.inc(labels);
    this.#duration.observe(labels, req.durationMs);
  }

  /** The Prometheus text exposition. */
  async exposition(): Promise<string> {
    return this.registry.metrics();
  }
}

/** Label values as Istio derives them from the pods' labels (see Istio's "Standard Metrics"). */
export function destinationLabels(req: ServedRequest): IstioLabels {
  const { destination: d, source: s } = req;
  const l = d.labels;
  return {
    reporter: 'destination',
    source_workload: s.workload,
    source_workload_namespace: s.namespace,
    source_app: s.app,
    destination_workload: d.workload,
    destination_workload_namespace: d.namespace,
    destination_app: l.app ?? 'unknown',
    destination_version: l.version ?? 'unknown',
    destination_service: d.serviceHost,
    destination_service_name: d.serviceName,
    destination_service_namespace: d.serviceNamespace,
    destination_canonical_service:
      l['service.istio.io/canonical-name'] ?? l['app.kubernetes.io/name'] ?? l.app ?? d.workload,
    destination_canonical_revision:
      l['service.istio.io/canonical-revision'] ?? l['app.kubernetes.io/version'] ?? l.version ?? 'latest',
    request_protocol: 'http',
    response_code: String(req.responseCode),
    response_flags: req.responseFlags,
    connection_security_policy: 'mutual_tls',
  };
}
