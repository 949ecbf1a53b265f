import type { NotificationEvent } from '../api/notifications.ts';

/** A metric that decided (or took part in) what a notification reports: its value against its conditions. */
export interface MetricFinding {
  readonly name: string;
  /** The metric's phase in its run: Successful, Failed, Inconclusive, Error, Running. */
  readonly phase: string;
  /** The last measurement's value, as recorded in status (text, so ±Inf survive). */
  readonly value?: string;
  readonly successCondition?: string;
  readonly failureCondition?: string;
  /** The metric's or the last measurement's message (an error, a noData reason). */
  readonly message?: string;
}

/** A human decision that a notification reports. */
export interface ApprovalFinding {
  readonly approver: string;
  readonly action: string;
  readonly result: 'Applied' | 'Rejected';
  readonly name?: string;
  readonly reason?: string;
}

/**
 * One thing that happened to a Canary, as every receiver is told about it. Plain data: formatters
 * turn it into Slack, Teams or CloudEvents JSON. It never holds a receiver's URL or token.
 */
export interface Notification {
  /** The deduplication key (event/revision#rollout/step); also the CloudEvents id. */
  readonly id: string;
  readonly event: NotificationEvent;
  /** ISO time of the controller's clock when the pass decided. */
  readonly time: string;
  readonly canary: { readonly name: string; readonly namespace: string };
  readonly revision?: string;
  readonly phase: string;
  /** The step, counted from 1 as `serin status` shows it, out of the Canary's step count. */
  readonly step?: { readonly number: number; readonly total: number };
  readonly weights: { readonly primary: number; readonly canary: number };
  readonly message: string;
  readonly metrics: readonly MetricFinding[];
  readonly approval?: ApprovalFinding;
  /** What a person can run now (`serin promote NAME -n NS`), when the rollout waits for one. */
  readonly commands: readonly string[];
  /** A link to the Canary on the dashboard, when one is configured and the rollout waits. */
  readonly dashboardUrl?: string;
}

/** What one attempt to post a notification came to. Expected failures are values, never exceptions. */
export type PostOutcome =
  | { readonly kind: 'delivered'; readonly status: number }
  /** 429, 5xx or a network error: try again, after `retryAfterMs` when the receiver said so. */
  | {
      readonly kind: 'retry';
      readonly status?: number;
      readonly retryAfterMs?: number;
      readonly reason: string;
    }
  /** Any other 4xx: trying again will not help. */
  | { readonly kind: 'rejected'; readonly status: number; readonly reason: string };

/**
 * Posts notifications to one receiver (Slack, Teams, a CloudEvents webhook). One attempt per call:
 * retries, queueing and deduplication belong to the caller. `reason`s never contain the URL or a token.
 */
export interface Notifier {
  /** The receiver's name from the notifications ConfigMap, for logs, Events and metrics. */
  readonly receiver: string;
  post(notification: Notification, options: { readonly signal: AbortSignal }): Promise<PostOutcome>;
}
