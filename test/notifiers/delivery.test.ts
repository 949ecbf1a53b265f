import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY,
  NotificationDispatcher,
  ReceiverQueue,
  backoffMs,
  createNotifier,
  redact,
  retryAfterMs,
  type DeliveryReport,
  type ResolvedReceiver,
} from '../../src/notifiers/index.ts';
import { ABORTED, WAITING } from './samples.ts';
import { ManualClock, poll } from '../support/index.ts';
import { startReceiver, type ReceiverServer } from './receiver-server.ts';

/** Long enough never to fire in these tests, and easy to tell apart from a backoff wait. */
const TIMEOUT_MS = 987_000;

const servers: ReceiverServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function receiverAt(
  server: ReceiverServer | string,
  clock: ManualClock,
  maxAttempts = 6,
): { queue: ReceiverQueue; reports: DeliveryReport[] } {
  const url = typeof server === 'string' ? server : server.url;
  const receiver: ResolvedReceiver = {
    name: 'team-slack',
    type: 'slack',
    url,
    queueSize: 3,
    maxAttempts,
    timeoutMs: TIMEOUT_MS,
  };
  const reports: DeliveryReport[] = [];
  const notifier = createNotifier(receiver, clock);
  const queue = new ReceiverQueue({
    capacity: receiver.queueSize,
    policy: { ...DEFAULT_RETRY, maxAttempts },
    clock,
    random: () => 0.5,
    onReport: (report) => reports.push(report),
  });
  queue.enqueue({ notification: ABORTED, notifier, context: undefined });
  return { queue, reports };
}

async function serve(): Promise<ReceiverServer> {
  const server = await startReceiver();
  servers.push(server);
  return server;
}

/** Waits until the queue sleeps (a backoff) and returns that wait; fails if it ends instead. */
function nextBackoff(clock: ManualClock, seen: number): Promise<number> {
  return poll(() => clock.sleeps.filter((ms) => ms !== TIMEOUT_MS)[seen], `backoff sleep #${seen + 1}`, {
    intervalMs: 5,
  });
}

describe('delivery: retries with exponential backoff and jitter', () => {
  it('backoff doubles from the base, capped, half of it jittered', () => {
    const policy = { ...DEFAULT_RETRY, baseDelayMs: 1000, maxDelayMs: 8000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, policy, () => 0))).toEqual([500, 1000, 2000, 4000, 4000]);
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, policy, () => 1))).toEqual([1000, 2000, 4000, 8000, 8000]);
  });

  it('5xx and network errors retry; a 2xx ends the delivery', async () => {
    const clock = new ManualClock();
    const server = await serve();
    server.script({ status: 503 }, { status: 500 }, { status: 200 });
    const { queue, reports } = receiverAt(server, clock);
    expect(await nextBackoff(clock, 0)).toBe(750);
    clock.advance(750);
    expect(await nextBackoff(clock, 1)).toBe(1500);
    clock.advance(1500);
    await queue.idle();
    expect(server.received).toHaveLength(3);
    expect(reports).toEqual([expect.objectContaining({ result: 'sent', attempts: 3 })]);
  });

  it('honours Retry-After on 429 instead of its own backoff', async () => {
    const clock = new ManualClock();
    const server = await serve();
    server.script({ status: 429, headers: { 'retry-after': '7' } });
    const { queue, reports } = receiverAt(server, clock);
    expect(await nextBackoff(clock, 0)).toBe(7000);
    clock.advance(6999);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.received).toHaveLength(1);
    clock.advance(1);
    await queue.idle();
    expect(server.received).toHaveLength(2);
    expect(reports[0]).toMatchObject({ result: 'sent', attempts: 2 });
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-22T10:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Sun, 22 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  it('any other 4xx fails at once, without a retry', async () => {
    const clock = new ManualClock();
    const server = await serve();
    server.script({ status: 404, body: 'no_service' });
    const { queue, reports } = receiverAt(server, clock);
    await queue.idle();
    expect(server.received).toHaveLength(1);
    expect(clock.sleeps.filter((ms) => ms !== TIMEOUT_MS)).toEqual([]);
    expect(reports).toEqual([
      expect.objectContaining({ result: 'failed', attempts: 1, reason: 'HTTP 404: no_service' }),
    ]);
  });

  it('gives up after maxAttempts and says why', async () => {
    const clock = new ManualClock();
    const server = await serve();
    server.fallback = { status: 502 };
    const { queue, reports } = receiverAt(server, clock, 3);
    clock.advance(await nextBackoff(clock, 0));
    clock.advance(await nextBackoff(clock, 1));
    await queue.idle();
    expect(server.received).toHaveLength(3);
    expect(reports).toEqual([
      expect.objectContaining({ result: 'failed', attempts: 3, reason: 'HTTP 502 (after 3 attempts)' }),
    ]);
  });

  it('a network error is retried and its reason names no URL', async () => {
    const clock = new ManualClock();
    const closed = await serve();
    const url = closed.url;
    await closed.close();
    servers.splice(0);
    const { queue, reports } = receiverAt(url, clock, 2);
    clock.advance(await nextBackoff(clock, 0));
    await queue.idle();
    expect(reports[0]).toMatchObject({ result: 'failed', attempts: 2 });
    expect(reports[0]?.reason).toMatch(/^network error ECONNREFUSED/);
    expect(reports[0]?.reason).not.toContain('127.0.0.1');
  });

  it('a hanging receiver times out by the injected clock and is retried', async () => {
    const clock = new ManualClock();
    const server = await serve();
    server.script('hang');
    const { queue, reports } = receiverAt(server, clock, 2);
    await server.waitFor(1);
    clock.advance(TIMEOUT_MS);
    clock.advance(await nextBackoff(clock, 0));
    await queue.idle();
    expect(server.received).toHaveLength(2);
    expect(reports[0]).toMatchObject({ result: 'sent', attempts: 2 });
  });
});

describe('delivery: bounded queues', () => {
  it('drops the oldest notification when the queue is full, and reports it', async () => {
    const clock = new ManualClock();
    const server = await serve();
    server.script('hang');
    const { queue, reports } = receiverAt(server, clock, 1);
    await server.waitFor(1);
    const notifier = createNotifier(
      {
        name: 'team-slack',
        type: 'slack',
        url: server.url,
        queueSize: 3,
        maxAttempts: 1,
        timeoutMs: TIMEOUT_MS,
      },
      clock,
    );
    for (let i = 0; i < 4; i++)
      queue.enqueue({ notification: { ...WAITING, id: `w${i}` }, notifier, context: undefined });
    expect(reports).toEqual([expect.objectContaining({ result: 'dropped', reason: 'queue full (3)' })]);
    expect(reports[0]?.job.notification.id).toBe('w0');
    expect(queue.length).toBe(3);
    clock.advance(TIMEOUT_MS);
    await queue.idle();
    expect(server.received.map((r) => (JSON.parse(r.body) as { text: string }).text)).toHaveLength(4);
  });
});

describe('redaction', () => {
  it('removes the URL, its path and its token segments from anything a receiver answers', () => {
    const url = 'https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX';
    expect(redact(`bad request for ${url}`, [url])).toBe('bad request for [redacted]');
    expect(redact('token XXXXsecretXXXX is revoked', [url])).toBe('token [redacted] is revoked');
    expect(redact('echo /services/T000/B000/XXXXsecretXXXX', [url])).toBe('echo [redacted]');
  });

  it('a 4xx answer that echoes the URL reaches the report redacted', async () => {
    const clock = new ManualClock();
    const server = await serve();
    server.script({ status: 400, body: `invalid_payload for ${server.url}` });
    const { queue, reports } = receiverAt(server, clock, 1);
    await queue.idle();
    expect(reports[0]?.reason).toBe('HTTP 400: invalid_payload for [redacted]');
  });
});

describe('dispatch: one queue per receiver', () => {
  it('a hanging receiver does not hold back a healthy one, and publish returns before any post', async () => {
    const clock = new ManualClock();
    const hanging = await serve();
    hanging.fallback = 'hang';
    const healthy = await serve();
    const receivers = new Map<string, ResolvedReceiver>(
      [
        ['hanging', hanging.url],
        ['healthy', healthy.url],
      ].map(([name, url]) => [
        name!,
        { name: name!, type: 'webhook', url: url!, queueSize: 10, maxAttempts: 1, timeoutMs: TIMEOUT_MS },
      ]),
    );
    const reports: string[] = [];
    const dispatcher = new NotificationDispatcher<undefined>({
      directory: () => Promise.resolve({ ok: true, directory: { receivers, unresolved: new Map() } }),
      clock,
      onReport: (report) => reports.push(`${report.receiver} ${report.result}`),
      onProblem: (_context, problem) => reports.push(problem),
    });
    dispatcher.publish({
      subscriptions: {
        receivers: [{ receiver: 'hanging' }, { receiver: 'healthy' }, { receiver: 'missing' }],
      },
      notifications: [ABORTED, WAITING],
      context: undefined,
    });
    expect(hanging.received.length + healthy.received.length).toBe(0);
    await healthy.waitFor(2);
    await hanging.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reports).toEqual([
      'receiver "missing" not notified of Aborted, WaitingForApproval: it is not defined in the notifications ConfigMap',
      'healthy sent',
      'healthy sent',
    ]);
    expect(hanging.received).toHaveLength(1);
    await dispatcher.stop();
  });
});
