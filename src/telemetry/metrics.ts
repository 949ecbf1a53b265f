import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CANARY_PHASES } from '../api/index.ts';

/** The controller's own Prometheus metrics, on a registry of their own. */
/** Buckets of the two queue waits (for a worker, for a Prometheus slot): 1 ms to 10 s. */
const WAIT_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class ControllerMetrics {
  readonly registry = new Registry();
  readonly phase = new Gauge({
    name: 'serin_canary_phase',
    help: 'The phase of each Canary: 1 for the current phase, 0 for the others.',
    labelNames: ['namespace', 'name', 'phase'] as const,
    registers: [this.registry],
  });
  readonly weight = new Gauge({
    name: 'serin_canary_weight',
    help: 'The canary traffic weight (0-100) serin last verified on the VirtualServices.',
    labelNames: ['namespace', 'name'] as const,
    registers: [this.registry],
  });
  readonly measurements = new Counter({
    name: 'serin_analysis_measurements_total',
    help: 'Analysis measurements taken, by metric and measurement phase.',
    labelNames: ['metric', 'phase'] as const,
    registers: [this.registry],
  });
  readonly reconcileDuration = new Histogram({
    name: 'serin_reconcile_duration_seconds',
    help: 'Duration of one reconcile pass.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly reconcileErrors = new Counter({
    name: 'serin_reconcile_errors_total',
    help: 'Reconcile passes that failed and were retried.',
    registers: [this.registry],
  });
  // --- Failed passes (issue 17): one counter, labelled by the typed reason and the stage. ---
  readonly reconcileFailures = new Counter({
    name: 'serin_reconcile_failures_total',
    help:
      'Reconcile passes that ended in a problem shown on the Canary, by reason (a closed set, see ' +
      'docs/controller.md) and stage (gather, validate, finalizer, workloads, decide, effects, converge, commit, finalize).',
    labelNames: ['reason', 'stage'] as const,
    registers: [this.registry],
  });
  readonly statusWriteFailures = new Counter({
    name: 'serin_problem_status_write_failures_total',
    help: 'Problems that could not be written to a Canary status (an Event and the log still say them).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  // --- end of failed passes ---
  readonly notifications = new Counter({
    name: 'serin_notifications_total',
    help: 'Notifications by receiver and result: sent, failed (retries spent or rejected), dropped (queue full).',
    labelNames: ['receiver', 'result'] as const,
    registers: [this.registry],
  });
  readonly queueWait = new Histogram({
    name: 'serin_workqueue_queue_duration_seconds',
    help: 'How long a Canary waited in the work queue for a worker (client-go: workqueue_queue_duration_seconds).',
    buckets: WAIT_BUCKETS,
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'serin_workqueue_depth',
    help: 'Canaries waiting in the work queue.',
    registers: [this.registry],
  });

  // Queries to Prometheus and measurement timing (issue 18 part 2): deduplication, the
  // per-Prometheus queue (src/providers/prometheus/query-scheduler.ts), lateness.
  readonly prometheusQueries = new Counter({
    name: 'serin_prometheus_queries_total',
    help: 'Queries asked of Prometheus, by result: sent (a request), shared (answered by an identical query in flight or in the same tick), dropped (no query slot within the timeout, or cancelled). Asked = sent + shared + dropped.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly prometheusInflight = new Gauge({
    name: 'serin_prometheus_inflight',
    help: 'Requests in flight to each Prometheus (at most --prometheus-concurrency).',
    labelNames: ['prometheus'] as const,
    registers: [this.registry],
  });
  readonly prometheusQueued = new Gauge({
    name: 'serin_prometheus_queued',
    help: 'Queries waiting for a free slot to each Prometheus.',
    labelNames: ['prometheus'] as const,
    registers: [this.registry],
  });
  readonly prometheusQueueWait = new Histogram({
    name: 'serin_prometheus_queue_duration_seconds',
    help: 'How long a query sent to Prometheus waited for a free slot (--prometheus-concurrency).',
    labelNames: ['prometheus'] as const,
    buckets: WAIT_BUCKETS,
    registers: [this.registry],
  });
  readonly prometheusRequestDuration = new Histogram({
    name: 'serin_prometheus_request_duration_seconds',
    help: 'How long a request to Prometheus took, from sending it to its answer or error.',
    labelNames: ['prometheus'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly measurementLateness = new Histogram({
    name: 'serin_measurement_lateness_seconds',
    help: 'How late each analysis measurement started: its start time minus the time it was due (the first one: the run start plus initialDelay).',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  /** The query scheduler's reports (QueryObserver of src/providers/prometheus). */
  readonly queryObserver = {
    query: (result: 'sent' | 'shared' | 'dropped'): void => {
      this.prometheusQueries.inc({ result });
    },
    slots: (prometheus: string, inflight: number, queued: number): void => {
      this.prometheusInflight.set({ prometheus }, inflight);
      this.prometheusQueued.set({ prometheus }, queued);
    },
    answered: (prometheus: string, timing: { readonly waitedMs: number; readonly tookMs: number }): void => {
      this.prometheusQueueWait.observe({ prometheus }, timing.waitedMs / 1000);
      this.prometheusRequestDuration.observe({ prometheus }, timing.tookMs / 1000);
    },
  };
  /** Counts one measurement by metric and phase, and observes how late it started (epoch ms). */
  readonly observeMeasurement = (
    metric: string,
    phase: string,
    timing: { readonly dueAt: number; readonly startedAt: number },
  ): void => {
    this.measurements.inc({ metric, phase });
    this.measurementLateness.observe(Math.max(0, timing.startedAt - timing.dueAt) / 1000);
  };
  readonly shardsHeld = new Gauge({
    name: 'serin_shards_held',
    help: 'Shards (Leases) this replica holds; with one shard, 1 while it leads.',
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'serin_' });
  }

  /** Records a Canary's phase and weight. */
  observeCanary(namespace: string, name: string, phase: string, weight: number | undefined): void {
    for (const candidate of CANARY_PHASES) {
      this.phase.set({ namespace, name, phase: candidate }, candidate === phase ? 1 : 0);
    }
    if (weight !== undefined) this.weight.set({ namespace, name }, weight);
  }

  /** Forgets a deleted Canary. */
  forgetCanary(namespace: string, name: string): void {
    for (const phase of CANARY_PHASES) this.phase.remove({ namespace, name, phase });
    this.weight.remove({ namespace, name });
  }
}
