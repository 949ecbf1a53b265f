import { z } from 'zod';
import { SecretKeyRef } from './common.ts';

/** What a Canary can notify about, in the order a rollout meets them. */
export const NOTIFICATION_EVENTS = [
  'Progressing',
  'StepCompleted',
  'WaitingForApproval',
  'Promoted',
  'Aborted',
  'AnalysisFailed',
  'AnalysisInconclusive',
  'Stalled',
  'ApprovalApplied',
  'ApprovalRejected',
] as const;

export const NotificationEvent = z
  .enum(NOTIFICATION_EVENTS, {
    error: (issue) =>
      `unknown notification event ${JSON.stringify(issue.input)}: expected one of ${NOTIFICATION_EVENTS.join(', ')}`,
  })
  .describe(`A notification event: one of ${NOTIFICATION_EVENTS.join(', ')}.`);
export type NotificationEvent = z.infer<typeof NotificationEvent>;

/** Upper bounds of the notification lists (the API server prices CEL rules by them). */
export const NOTIFICATION_LIMITS = { receivers: 16, sentKeys: 32 } as const;

const ReceiverName = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
    message: 'must be a lowercase receiver name (a-z, 0-9 and "-") as in the notifications ConfigMap',
  });

/** One receiver a Canary notifies, by its name in the cluster's notifications ConfigMap. */
export const NotificationSubscription = z
  .object({
    receiver: ReceiverName.describe(
      "The receiver's name in the cluster-wide notifications ConfigMap (the controller's --notifications-config).",
    ),
    events: z
      .array(NotificationEvent)
      .min(1)
      .max(NOTIFICATION_EVENTS.length)
      .meta({ 'x-kubernetes-list-type': 'set' })
      .optional()
      .describe("The events this receiver is told about. Default: the Canary's notifications.events."),
  })
  .describe('A receiver this Canary notifies, and optionally the events it is told about.');
export type NotificationSubscription = z.infer<typeof NotificationSubscription>;

function duplicateEvents(
  events: readonly string[] | undefined,
  path: (string | number)[],
  ctx: z.RefinementCtx,
): void {
  const seen = new Set<string>();
  (events ?? []).forEach((event, index) => {
    if (seen.has(event))
      ctx.addIssue({ code: 'custom', path: [...path, index], message: `event ${event} is listed twice` });
    seen.add(event);
  });
}

/** `spec.notifications`: which receivers hear about which events of this Canary. */
export const CanaryNotifications = z
  .object({
    receivers: z
      .array(NotificationSubscription)
      .min(1)
      .max(NOTIFICATION_LIMITS.receivers)
      .meta({
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['receiver'],
      })
      .describe('Receivers to notify, each named at most once.'),
    events: z
      .array(NotificationEvent)
      .min(1)
      .max(NOTIFICATION_EVENTS.length)
      .meta({ 'x-kubernetes-list-type': 'set' })
      .optional()
      .describe('The events every receiver without its own list is told about. Default: all events.'),
  })
  .superRefine((spec, ctx) => {
    duplicateEvents(spec.events, ['events'], ctx);
    const seen = new Set<string>();
    spec.receivers.forEach((subscription, index) => {
      duplicateEvents(subscription.events, ['receivers', index, 'events'], ctx);
      if (seen.has(subscription.receiver)) {
        ctx.addIssue({
          code: 'custom',
          path: ['receivers', index, 'receiver'],
          message: `receiver "${subscription.receiver}" is listed twice`,
        });
      }
      seen.add(subscription.receiver);
    });
  })
  .describe(
    'Notifications of this Canary: receivers (defined cluster-wide in the notifications ConfigMap) and the events each is told about.',
  );
export type CanaryNotifications = z.infer<typeof CanaryNotifications>;

/**
 * `status.notifications`: the keys of the notifications already handed to the receivers, newest
 * last. Kept in status, written in the pass's one status patch, so that neither a repeated pass nor
 * a controller restart notifies twice.
 */
export const NotificationStatus = z
  .object({
    sent: z
      .array(z.string())
      .max(NOTIFICATION_LIMITS.sentKeys)
      .optional()
      .describe(
        `Keys (event/revision#rollout/step) of notifications already sent, newest last; at most ${NOTIFICATION_LIMITS.sentKeys}.`,
      ),
  })
  .describe('What the controller has already notified, so that a restart does not notify twice.');
export type NotificationStatus = z.infer<typeof NotificationStatus>;

/** The receiver kinds the controller can post to. */
export const RECEIVER_TYPES = ['slack', 'teams', 'webhook'] as const;

/** One receiver in the cluster-wide notifications ConfigMap. Its URL and signing key live in Secrets. */
export const ReceiverConfig = z
  .strictObject({
    name: ReceiverName.describe('The name Canaries use in spec.notifications.receivers[].receiver.'),
    type: z
      .enum(RECEIVER_TYPES, {
        error: (issue) =>
          `unknown receiver type ${JSON.stringify(issue.input)}: expected slack, teams or webhook`,
      })
      .describe(
        'slack: an incoming webhook (Block Kit); teams: a Workflows webhook (Adaptive Card); webhook: a CloudEvents 1.0 JSON event.',
      ),
    urlSecretRef: SecretKeyRef.describe(
      "The Secret key (in the ConfigMap's namespace) holding the webhook URL; never logged.",
    ),
    signingSecretRef: SecretKeyRef.optional().describe(
      'webhook only: the Secret key holding the HMAC-SHA256 key; the body is signed in the X-Serin-Signature header (sha256=<hex>).',
    ),
    queueSize: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(100)
      .describe(
        'Notifications waiting for this receiver at most; the oldest is dropped beyond. Default 100.',
      ),
    maxAttempts: z
      .number()
      .int()
      .min(1)
      .max(20)
      .default(6)
      .describe('Attempts per notification, the first included. Default 6.'),
    timeoutSeconds: z
      .number()
      .int()
      .min(1)
      .max(120)
      .default(10)
      .describe('Seconds one attempt may take before it counts as a network error. Default 10.'),
  })
  .superRefine((receiver, ctx) => {
    if (receiver.signingSecretRef !== undefined && receiver.type !== 'webhook') {
      ctx.addIssue({
        code: 'custom',
        path: ['signingSecretRef'],
        message: `signingSecretRef applies to type webhook only (receiver "${receiver.name}" is ${receiver.type})`,
      });
    }
  });
export type ReceiverConfig = z.infer<typeof ReceiverConfig>;

/** The `config.yaml` key of the notifications ConfigMap. */
export const NotificationsConfig = z
  .strictObject({
    dashboardUrl: z
      .url({ message: 'must be an absolute http(s) URL' })
      .optional()
      .describe('The serin dashboard, linked from messages that wait for a person.'),
    receivers: z
      .array(ReceiverConfig)
      .max(64)
      .default([])
      .describe('The receivers Canaries may name, each once. Default: none.'),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.receivers.forEach((receiver, index) => {
      if (seen.has(receiver.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['receivers', index, 'name'],
          message: `receiver "${receiver.name}" is defined twice`,
        });
      }
      seen.add(receiver.name);
    });
  });
export type NotificationsConfig = z.infer<typeof NotificationsConfig>;

/** The ConfigMap data key that holds the notifications configuration (YAML). */
export const NOTIFICATIONS_CONFIG_KEY = 'config.yaml';

/** The events a Canary's subscription is told about. */
export function eventsOf(
  spec: CanaryNotifications,
  subscription: NotificationSubscription,
): NotificationEvent[] {
  return [...(subscription.events ?? spec.events ?? NOTIFICATION_EVENTS)];
}
