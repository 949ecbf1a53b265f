import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Notification } from '../ports/index.ts';

/** The header that carries the body's HMAC-SHA256 signature: `sha256=<hex>`. */
export const SIGNATURE_HEADER = 'x-serin-signature';

/** The content type of a CloudEvents 1.0 structured-mode JSON event. */
export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';

/** A CloudEvents 1.0 structured-mode event: type `dev.serin.canary.<event>`, the notification as data. */
export function cloudEvent(notification: Notification): Record<string, unknown> {
  const { name, namespace } = notification.canary;
  const { id: _id, ...data } = notification;
  return {
    specversion: '1.0',
    id: `${namespace}/${name}/${notification.id}`,
    source: `/apis/serin.dev/v1alpha1/namespaces/${namespace}/canaries/${name}`,
    type: `dev.serin.canary.${notification.event}`,
    ...(notification.revision === undefined ? {} : { subject: notification.revision }),
    time: notification.time,
    datacontenttype: 'application/json',
    data,
  };
}

/** `sha256=<hex>` of the exact body bytes, keyed with the receiver's signing key. */
export function signBody(body: string, key: string): string {
  return `sha256=${createHmac('sha256', key).update(body, 'utf8').digest('hex')}`;
}

/** What a receiver does: recompute the signature over the raw body and compare in constant time. */
export function verifySignature(body: string, key: string, header: string | undefined): boolean {
  if (header === undefined) return false;
  const expected = Buffer.from(signBody(body, key));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
