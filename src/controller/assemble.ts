import type { Canary } from '../api/index.ts';
import type { JudgeRunner } from '../analysis/index.ts';
import { EventRecorder, StatusWriter, type KubeClient } from '../kube/index.ts';
import type { MetricProvider, SecretReader } from '../ports/index.ts';
import type { TrafficRouter } from '../ports/traffic-router.ts';
import { createJudgeRunner } from '../providers/judge/index.ts';
import { createPrometheusProvider } from '../providers/prometheus/index.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { ControllerMetrics } from '../telemetry/metrics.ts';
import { kubeSecretReader } from './kube-secrets.ts';
import type { ReconcilerDeps } from './reconcile.ts';
import { istioRouterFor } from './router.ts';

export interface AssembleOptions {
  readonly client: KubeClient;
  readonly logger: Logger;
  readonly metrics?: ControllerMetrics;
  /** Defaults to Prometheus over HTTP (with Secrets read through the API). */
  readonly provider?: MetricProvider;
  readonly judge?: JudgeRunner;
  readonly clock?: () => number;
  readonly routerFor?: (canary: Canary) => TrafficRouter;
  readonly component?: string;
}

/** Builds a reconcile pass's dependencies from a Kubernetes client and the real adapters. */
export function assembleDeps(options: AssembleOptions): Omit<ReconcilerDeps, 'signal'> {
  const { client } = options;
  const secrets: SecretReader = kubeSecretReader(client, 'default');
  const provider = options.provider ?? createPrometheusProvider({ secrets });
  return {
    client,
    statusWriter: new StatusWriter(client),
    recorder: new EventRecorder({ client, component: options.component ?? 'serin-controller' }),
    provider,
    secrets,
    // The judge's window ends at the controller's clock, like every other measurement's time.
    judge: options.judge ?? createJudgeRunner({ provider, ...(options.clock ? { now: options.clock } : {}) }),
    routerFor: options.routerFor ?? ((canary) => istioRouterFor(client, canary)),
    clock: options.clock ?? Date.now,
    logger: options.logger,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  };
}
