import type { Canary } from '../api/index.ts';
import type { JudgeRunner } from '../analysis/index.ts';
import type { EventRecorder, KubeClient, StatusWriter } from '../kube/index.ts';
import type { MetricProvider, SecretReader } from '../ports/index.ts';
import type { TrafficRouter } from '../ports/traffic-router.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { ControllerMetrics } from '../telemetry/metrics.ts';

/** Everything a reconcile pass talks to. Tests build it with a scripted clock and provider. */
export interface ReconcilerDeps {
  readonly client: KubeClient;
  readonly statusWriter: StatusWriter;
  readonly recorder: EventRecorder;
  readonly provider: MetricProvider;
  readonly secrets?: SecretReader;
  readonly judge?: JudgeRunner;
  /** The traffic router for one Canary (its VirtualServices and Services). */
  readonly routerFor: (canary: Canary) => TrafficRouter;
  /** Epoch ms. Every decision in a pass uses the time read at its start. */
  readonly clock: () => number;
  readonly logger: Logger;
  readonly metrics?: ControllerMetrics;
  /** Fencing: aborted when this instance stops leading; no write is sent after that. */
  readonly signal?: AbortSignal;
  readonly notify?: (canary: Canary, kind: string, message: string) => void;
}
