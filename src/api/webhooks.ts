import { z } from 'zod';
import { Duration, durationToMs, preserveUnknown } from './common.ts';

/**
 * The webhook gates a Canary can call, as Flagger names them. The confirm gates wait while the answer
 * is not 2xx; pre-rollout and rollout fail the rollout on a non-2xx answer; post-rollout only
 * informs; a 2xx from rollback asks for an abort.
 */
export const WEBHOOK_TYPES = [
  'confirm-rollout',
  'pre-rollout',
  'rollout',
  'confirm-promotion',
  'post-rollout',
  'rollback',
] as const;
export const WebhookType = z
  .enum(WEBHOOK_TYPES)
  .describe(
    'When the gate is called. confirm-rollout: before the first step, waits while not 2xx. pre-rollout: before the first step, a non-2xx after the retries aborts. rollout: at the end of each step, a non-2xx after the retries is a failed check (onFailure). confirm-promotion: before Promoting, waits while not 2xx. post-rollout: after Succeeded, Aborted or Failed, informational. rollback: polled while Progressing or Paused, a 2xx aborts.',
  );
export type WebhookType = z.infer<typeof WebhookType>;

/** The most webhooks one Canary may declare, and the longest timeout one call may take. */
export const WEBHOOK_LIMITS = { webhooks: 16, retries: 10, timeoutMs: 300_000 } as const;

const HTTP_URL = /^https?:\/\/\S+$/;
const DURATION = /^(\d+(ms|s|m|h))+$/;

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** One webhook gate of a Canary. */
export const Webhook = z.object({
  name: z
    .string()
    .min(1)
    .max(63)
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
      message: 'must be a lowercase RFC 1123 label (a-z, 0-9 and "-")',
    })
    .describe('Names the webhook in status, Events and the payload; unique within the Canary.'),
  type: WebhookType,
  url: z
    .string()
    .regex(HTTP_URL, { message: 'must be an absolute http:// or https:// URL' })
    // zod runs every check: this one speaks only where the pattern is met, so a problem is said once.
    .refine((url) => !HTTP_URL.test(url) || isHttpUrl(url), { message: 'is not a valid URL' })
    .describe(
      'Where the JSON payload is POSTed. Status, Events and logs show only its origin and path, never its query or credentials.',
    ),
  timeout: Duration.refine(
    (timeout) =>
      !DURATION.test(timeout) ||
      (durationToMs(timeout) > 0 && durationToMs(timeout) <= WEBHOOK_LIMITS.timeoutMs),
    {
      message: 'must be more than 0 and at most 5m',
    },
  )
    .default('10s')
    .describe(
      'How long one call may take before it counts as failed (e.g. 500ms, 10s), at most 5m. Default 10s.',
    ),
  retries: z
    .number()
    .int()
    .min(0)
    .max(WEBHOOK_LIMITS.retries)
    .default(0)
    .describe(
      'Extra attempts after a timeout, a network error, a 429 or a 5xx (other answers are final). Default 0.',
    ),
  metadata: preserveUnknown(z.record(z.string(), z.string()))
    .optional()
    .describe('String map sent as `metadata` in the payload, e.g. a command for a load tester.'),
});
export type Webhook = z.infer<typeof Webhook>;
export type WebhookInput = z.input<typeof Webhook>;

/** A Canary's webhooks: names unique, timeouts within bounds. */
export const Webhooks = z
  .array(Webhook)
  .max(WEBHOOK_LIMITS.webhooks)
  .superRefine((webhooks, ctx) => {
    const seen = new Set<string>();
    webhooks.forEach((webhook, index) => {
      if (seen.has(webhook.name)) {
        ctx.addIssue({
          code: 'custom',
          path: [index, 'name'],
          message: `duplicate webhook name ${webhook.name}`,
        });
      }
      seen.add(webhook.name);
    });
  })
  .describe(
    'Webhook gates (Flagger semantics): each is POSTed a JSON payload naming the Canary, revision, step, phase, type and metadata; its answer is recorded in status.webhooks.',
  );

/** What became of one webhook call. */
export const WebhookResult = z
  .enum(['Pending', 'Succeeded', 'Failed', 'Error', 'Cancelled'])
  .describe(
    'Pending: asked, not answered yet. Succeeded: 2xx. Failed: another HTTP status. Error: timed out or unreachable after the retries. Cancelled: the rollout moved on before an answer.',
  );
export type WebhookResult = z.infer<typeof WebhookResult>;

/** One webhook's last call for one gate of one rollout. */
export const WebhookStatus = z.object({
  gateId: z
    .string()
    .describe('The gate this call answers: <revision>-r<rollout>[-s<step>]-<type>, never reused.'),
  name: z.string().describe('The webhook, as named in spec.webhooks.'),
  type: WebhookType,
  revision: z.string().describe('The revision the gate was asked for.'),
  step: z.number().int().optional().describe('The step index (from 0) the gate was asked at.'),
  phase: z.string().describe('The phase sent in the payload.'),
  result: WebhookResult,
  httpStatus: z.number().int().optional().describe('The HTTP status of the last answer; absent without one.'),
  attempts: z.number().int().optional().describe('Attempts made by the last call (1 + retries used).'),
  lastCalledAt: z.string().optional().describe('When the last call started (RFC 3339).'),
  message: z
    .string()
    .optional()
    .describe('What the answer means for the rollout; never contains the URL query.'),
});
export type WebhookStatus = z.infer<typeof WebhookStatus>;

/** The status list, newest last. */
export const WebhookStatuses = z
  .array(WebhookStatus)
  .describe('The last webhook gate calls, newest last (at most 20), with their time and HTTP status.');
