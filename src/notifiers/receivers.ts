import type { ReceiverConfig } from '../api/notifications.ts';
import type { Clock, Notification, Notifier } from '../ports/index.ts';
import { CLOUDEVENTS_CONTENT_TYPE, SIGNATURE_HEADER, cloudEvent, signBody } from './cloudevents.ts';
import { postJson } from './http.ts';
import { slackMessage } from './slack.ts';
import { teamsMessage } from './teams.ts';

/** A receiver from the ConfigMap with its Secrets read: what a notifier needs to post. */
export interface ResolvedReceiver {
  readonly name: string;
  readonly type: ReceiverConfig['type'];
  readonly url: string;
  readonly signingKey?: string;
  readonly queueSize: number;
  readonly maxAttempts: number;
  readonly timeoutMs: number;
}

/** The body and headers a receiver type sends for a notification. */
export function requestFor(
  receiver: Pick<ResolvedReceiver, 'type' | 'signingKey'>,
  notification: Notification,
): { body: string; headers: Record<string, string> } {
  switch (receiver.type) {
    case 'slack':
      return { body: JSON.stringify(slackMessage(notification)), headers: {} };
    case 'teams':
      return { body: JSON.stringify(teamsMessage(notification)), headers: {} };
    case 'webhook': {
      const body = JSON.stringify(cloudEvent(notification));
      const signature =
        receiver.signingKey === undefined ? {} : { [SIGNATURE_HEADER]: signBody(body, receiver.signingKey) };
      return { body, headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE, ...signature } };
    }
  }
}

/** A Notifier that posts one receiver's format to its URL, once per call. */
export function createNotifier(receiver: ResolvedReceiver, clock: Clock): Notifier {
  const secrets = receiver.signingKey === undefined ? [] : [receiver.signingKey];
  return {
    receiver: receiver.name,
    post: (notification, { signal }) => {
      const { body, headers } = requestFor(receiver, notification);
      return postJson({
        url: receiver.url,
        body,
        headers,
        timeoutMs: receiver.timeoutMs,
        clock,
        signal,
        secrets,
      });
    },
  };
}
