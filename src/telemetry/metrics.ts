import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CANARY_PHASES } from '../api/index.ts';

/** The controller's own Prometheus metrics, on a registry of their own. */
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
  readonly notifications = new Counter({
    name: 'serin_notifications_total',
    help: 'Notifications by receiver and result: sent, failed (retries spent or rejected), dropped (queue full).',
    labelNames: ['receiver', 'result'] as const,
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'serin_workqueue_depth',
    help: 'Canaries waiting in the work queue.',
    registers: [this.registry],
  });

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
