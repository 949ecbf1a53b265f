export {
  CLOUDEVENTS_CONTENT_TYPE,
  SIGNATURE_HEADER,
  cloudEvent,
  signBody,
  verifySignature,
} from './cloudevents.ts';
export {
  DEFAULT_RETRY,
  ReceiverQueue,
  backoffMs,
  type DeliveryJob,
  type DeliveryReport,
  type DeliveryResult,
  type RetryPolicy,
} from './delivery.ts';
export {
  NotificationDispatcher,
  dashboardLink,
  type DirectoryOutcome,
  type DispatcherOptions,
  type Publication,
  type ReceiverDirectory,
  type ReceiverReport,
} from './dispatcher.ts';
export { postJson, redact, retryAfterMs, type JsonPost } from './http.ts';
export { createNotifier, requestFor, type ResolvedReceiver } from './receivers.ts';
export { slackMessage } from './slack.ts';
export { teamsMessage } from './teams.ts';
