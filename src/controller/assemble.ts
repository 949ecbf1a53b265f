import type { Canary } from '../api/index.ts';
import type { JudgeRunner, WebRunner } from '../analysis/index.ts';
import { EventRecorder, StatusWriter, type KubeClient } from '../kube/index.ts';
import { systemClock, type Clock, type MetricProvider, type SecretReader } from '../ports/index.ts';
import type { TrafficRouter } from '../ports/traffic-router.ts';
import { createJudgeRunner } from '../providers/judge/index.ts';
import { createPrometheusProvider, createQueryScheduler } from '../providers/prometheus/index.ts';
import { createWebRunner } from '../providers/web/index.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { ControllerMetrics } from '../telemetry/metrics.ts';
import { kubeSecretReader } from './kube-secrets.ts';
import type { ReconcilerDeps } from './reconcile.ts';
import { istioRouterFor } from './router.ts';
import type { NotificationsConfigRef } from './notification-config.ts';
import { controllerNotifications, type NotificationSink } from './notify.ts';

export interface AssembleOptions {
  readonly client: KubeClient;
  readonly logger: Logger;
  readonly metrics?: ControllerMetrics;
  /**
   * Defaults to Prometheus over HTTP (with Secrets read through the API), through the query
   * scheduler: aligned evaluation times, deduplication, a queue per Prometheus.
   */
  readonly provider?: MetricProvider;
  /** Requests in flight per Prometheus address for the default provider (--prometheus-concurrency). */
  readonly prometheusConcurrency?: number;
  readonly judge?: JudgeRunner;
  /** Defaults to the web provider over HTTP (header Secrets read through the API). */
  readonly web?: WebRunner;
  readonly clock?: () => number;
  readonly routerFor?: (canary: Canary) => TrafficRouter;
  readonly component?: string;
  /** The ConfigMap of notification receivers (--notifications-config); absent: nothing is notified. */
  readonly notificationsConfig?: NotificationsConfigRef;
  /** The delivery queues' clock (retries, timeouts); tests inject a manual one. Default: the wall clock. */
  readonly notificationClock?: Clock;
  /** Notifications already built (tests); wins over notificationsConfig. */
  readonly notifications?: NotificationSink;
}

function defaultProvider(options: AssembleOptions, secrets: SecretReader): MetricProvider {
  // The scheduler aligns evaluation times on the wall clock, never on `options.clock`: a query's
  // time is Prometheus' time, and a pass's clock may be scripted (tests, soak suites) or skewed.
  return createQueryScheduler(createPrometheusProvider({ secrets }), {
    ...(options.prometheusConcurrency === undefined ? {} : { concurrency: options.prometheusConcurrency }),
    ...(options.metrics ? { observer: options.metrics.queryObserver } : {}),
  });
}

/** Builds a reconcile pass's dependencies from a Kubernetes client and the real adapters. */
export function assembleDeps(options: AssembleOptions): Omit<ReconcilerDeps, 'signal'> {
  const { client } = options;
  const secrets: SecretReader = kubeSecretReader(client, 'default');
  const provider = options.provider ?? defaultProvider(options, secrets);
  const recorder = new EventRecorder({ client, component: options.component ?? 'serin-controller' });
  const notifications =
    options.notifications ??
    (options.notificationsConfig === undefined
      ? undefined
      : controllerNotifications({
          client,
          secrets,
          recorder,
          logger: options.logger,
          config: options.notificationsConfig,
          clock: options.notificationClock ?? systemClock,
          ...(options.metrics ? { metrics: options.metrics } : {}),
        }));
  return {
    client,
    statusWriter: new StatusWriter(client),
    recorder,
    provider,
    secrets,
    // The judge's window ends at the controller's clock, like every other measurement's time.
    judge: options.judge ?? createJudgeRunner({ provider, ...(options.clock ? { now: options.clock } : {}) }),
    web: options.web ?? createWebRunner({ secrets }),
    routerFor: options.routerFor ?? ((canary) => istioRouterFor(client, canary)),
    clock: options.clock ?? Date.now,
    logger: options.logger,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(notifications ? { notifications } : {}),
  };
}
