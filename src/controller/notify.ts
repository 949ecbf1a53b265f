import type { CanaryNotifications } from '../api/notifications.ts';
import type { EventRecorder, KubeClient, KubeObject } from '../kube/index.ts';
import { NotificationDispatcher, type ReceiverReport } from '../notifiers/index.ts';
import type { Clock, Notification, SecretReader } from '../ports/index.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { ControllerMetrics } from '../telemetry/metrics.ts';
import { cachedDirectory, readDirectory, type NotificationsConfigRef } from './notification-config.ts';

/** Where a pass hands its new notifications. Never waits and never throws. */
export interface NotificationSink {
  publish(
    canary: KubeObject,
    subscriptions: CanaryNotifications,
    notifications: readonly Notification[],
  ): void;
  /** Resolves when everything published so far is delivered or given up (tests, shutdown). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export interface ControllerNotificationsOptions {
  readonly client: KubeClient;
  readonly secrets: SecretReader;
  readonly recorder: EventRecorder;
  readonly logger: Logger;
  readonly metrics?: ControllerMetrics;
  readonly config: NotificationsConfigRef;
  readonly clock: Clock;
  readonly random?: () => number;
}

function report(options: ControllerNotificationsOptions, outcome: ReceiverReport<KubeObject>): void {
  const { job, receiver, result } = outcome;
  options.metrics?.notifications.inc({ receiver, result });
  const fields = {
    receiver,
    canary: job.notification.canary.name,
    namespace: job.notification.canary.namespace,
    event: job.notification.event,
    key: job.notification.id,
    attempts: outcome.attempts,
  };
  if (result === 'sent') {
    options.logger.debug(fields, 'notification sent');
    return;
  }
  // The reason is built from status codes, error codes and redacted answers: no URL, no token.
  options.logger.warn({ ...fields, reason: outcome.reason }, `notification ${result}`);
  void options.recorder
    .record(job.context, {
      type: 'Warning',
      reason: result === 'dropped' ? 'NotificationDropped' : 'NotificationFailed',
      message: `${job.notification.event} to receiver ${receiver}: ${outcome.reason ?? result}`,
    })
    .catch((err: unknown) => {
      options.logger.warn({ err, receiver }, 'could not record the notification Event');
    });
}

/**
 * The controller's notifications: receivers from the ConfigMap named by --notifications-config
 * (their URLs and keys from Secrets in its namespace), one queue per receiver, failures as
 * Warning Events on the Canary and `serin_notifications_total{receiver,result}`.
 */
export function controllerNotifications(options: ControllerNotificationsOptions): NotificationSink {
  const dispatcher = new NotificationDispatcher<KubeObject>({
    directory: cachedDirectory(
      () => readDirectory(options.client, options.secrets, options.config),
      options.clock,
    ),
    clock: options.clock,
    ...(options.random ? { random: options.random } : {}),
    onReport: (outcome) => {
      report(options, outcome);
    },
    onProblem: (canary, problem, missed) => {
      if (missed)
        options.metrics?.notifications.inc({ receiver: missed.receiver, result: 'failed' }, missed.count);
      options.logger.warn({ canary: canary.metadata.name, namespace: canary.metadata.namespace }, problem);
      void options.recorder
        .record(canary, { type: 'Warning', reason: 'NotificationFailed', message: problem })
        .catch((err: unknown) => {
          options.logger.warn({ err }, 'could not record the notification Event');
        });
    },
  });
  return {
    publish: (canary, subscriptions, notifications) => {
      dispatcher.publish({ subscriptions, notifications, context: canary });
    },
    idle: () => dispatcher.idle(),
    stop: () => dispatcher.stop(),
  };
}
