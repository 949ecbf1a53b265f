import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/ports/index.ts';
import {
  SIGNATURE_HEADER,
  createNotifier,
  verifySignature,
  type ResolvedReceiver,
} from '../../src/notifiers/index.ts';
import { SAMPLES } from './samples.ts';
import { startReceiver, type ReceiverServer } from './receiver-server.ts';

const FIXTURES = new URL('../fixtures/notifications/', import.meta.url);
const UPDATE = process.env.SERIN_UPDATE_GOLDEN === '1';
const KEY = 'whsec-test-key-0123456789';

let server: ReceiverServer;
afterEach(async () => server.close());

function receiver(type: ResolvedReceiver['type'], url: string, signingKey?: string): ResolvedReceiver {
  return {
    name: `team-${type}`,
    type,
    url,
    queueSize: 10,
    maxAttempts: 1,
    timeoutMs: 5_000,
    ...(signingKey === undefined ? {} : { signingKey }),
  };
}

/** Posts every sample through the receiver type to a local server and returns the bodies it got. */
async function received(type: ResolvedReceiver['type'], signingKey?: string): Promise<unknown[]> {
  server = await startReceiver();
  const notifier = createNotifier(receiver(type, server.url, signingKey), systemClock);
  for (const sample of SAMPLES) {
    const outcome = await notifier.post(sample, { signal: new AbortController().signal });
    expect(outcome).toEqual({ kind: 'delivered', status: 200 });
  }
  return server.received.map((request) => JSON.parse(request.body) as unknown);
}

function golden(name: string, actual: unknown): void {
  const file = new URL(name, FIXTURES);
  const text = `${JSON.stringify(actual, null, 2)}\n`;
  if (UPDATE) writeFileSync(file, text);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

describe('notification payloads (golden files, as a local receiver got them)', () => {
  it('posts Slack Block Kit messages that name the metric, the decision and the promote command', async () => {
    const bodies = await received('slack');
    golden('slack.json', bodies);
    const text = JSON.stringify(bodies[0]);
    expect(text).toContain('success-rate Failed: 0.81 (success when result &gt;= 0.99)');
    expect(JSON.stringify(bodies[1])).toContain('`serin promote podinfo -n shop`');
    expect(JSON.stringify(bodies[2])).toContain(
      'Promote by oncall@example.com: Applied — reason: dashboards are green',
    );
  });

  it('posts Teams Adaptive Cards through a Workflows webhook', async () => {
    const bodies = await received('teams');
    golden('teams.json', bodies);
    expect(bodies[0]).toMatchObject({
      type: 'message',
      attachments: [
        { contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard' } },
      ],
    });
  });

  it('posts CloudEvents 1.0 structured-mode events of type dev.serin.canary.<event>', async () => {
    const bodies = await received('webhook');
    golden('cloudevents.json', bodies);
    expect(bodies.map((body) => (body as { type: string }).type)).toEqual([
      'dev.serin.canary.Aborted',
      'dev.serin.canary.WaitingForApproval',
      'dev.serin.canary.ApprovalApplied',
    ]);
    expect(server.received[0]?.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
    expect(bodies[0]).toMatchObject({
      specversion: '1.0',
      source: '/apis/serin.dev/v1alpha1/namespaces/shop/canaries/podinfo',
    });
  });
});

describe('webhook signatures', () => {
  it('signs the exact body with HMAC-SHA256 so that the receiver can verify it', async () => {
    await received('webhook', KEY);
    for (const request of server.received) {
      const header = request.headers[SIGNATURE_HEADER] as string | undefined;
      expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(verifySignature(request.body, KEY, header)).toBe(true);
    }
  });

  it('a changed body, another key or a missing header does not verify', async () => {
    await received('webhook', KEY);
    const request = server.received[0]!;
    const header = request.headers[SIGNATURE_HEADER] as string;
    expect(verifySignature(request.body.replace('0.81', '0.99'), KEY, header)).toBe(false);
    expect(verifySignature(request.body, 'another-key', header)).toBe(false);
    expect(verifySignature(request.body, KEY, undefined)).toBe(false);
  });

  it('sends no signature header without a signing key', async () => {
    await received('webhook');
    expect(server.received[0]?.headers[SIGNATURE_HEADER]).toBeUndefined();
  });
});
