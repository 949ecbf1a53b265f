import type { Canary } from '../api/index.ts';
import type { JudgeRunner, WebRunner } from '../analysis/index.ts';
import type { EventRecorder, KubeClient, StatusWriter } from '../kube/index.ts';
import type { MetricProvider, SecretReader } from '../ports/index.ts';
import type { TrafficRouter } from '../ports/traffic-router.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { ClusterReader } from './cluster-reader.ts';
import type { NotificationSink } from './notify.ts';
import type { ControllerMetrics } from '../telemetry/metrics.ts';

/** Everything a reconcile pass talks to. Tests build it with a scripted clock and provider. */
export interface ReconcilerDeps {
  readonly client: KubeClient;
  /**
   * How a pass reads the Canary and what it refers to. The Controller supplies its caches
   * (src/controller/cached-reader.ts); absent, every read goes to the API server through `client`.
   */
  readonly reader?: ClusterReader;
  readonly statusWriter: StatusWriter;
  readonly recorder: EventRecorder;
  readonly provider: MetricProvider;
  readonly secrets?: SecretReader;
  readonly judge?: JudgeRunner;
  /** Sends web metrics' requests (the web provider). */
  readonly web?: WebRunner;
  /** The traffic router for one Canary (its VirtualServices and Services). */
  readonly routerFor: (canary: Canary) => TrafficRouter;
  /** Epoch ms. Every decision in a pass uses the time read at its start. */
  readonly clock: () => number;
  readonly logger: Logger;
  readonly metrics?: ControllerMetrics;
  /** Fencing: aborted when this instance stops leading; no write is sent after that. */
  readonly signal?: AbortSignal;
  /** Where a pass hands its notifications (fire and forget); absent: nothing is notified. */
  readonly notifications?: NotificationSink;
}
