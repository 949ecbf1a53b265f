import { describe, expect, it } from 'vitest';
import { KubeClient, isIdempotentJsonPatch, retryOnConflict } from './client.ts';
import { KubeError } from './errors.ts';
import type { KubeClock } from './clock.ts';
import type { KubeRequest, KubeResponse, KubeTransport } from './transport.ts';

type Reply = KubeResponse | Error;

/** A transport that answers from a script and records what was sent. */
function scripted(replies: Reply[]): KubeTransport & { sent: KubeRequest[] } {
  const sent: KubeRequest[] = [];
  return {
    sent,
    send: (req) => {
      sent.push(req);
      const next = replies.shift();
      if (next === undefined) throw new Error('no scripted reply left');
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
    watch: () => Promise.reject(new Error('not used')),
  };
}

const status = (code: number, reason: string, headers: Record<string, string> = {}): KubeResponse => ({
  status: code,
  headers,
  body: { kind: 'Status', status: 'Failure', code, reason, message: `${reason} happened` },
});
const ok = (body: unknown): KubeResponse => ({ status: 200, headers: {}, body });

function fakeClock(): KubeClock & { slept: number[] } {
  const slept: number[] = [];
  return { slept, now: () => 0, sleep: (ms) => (slept.push(ms), Promise.resolve()) };
}

const dep = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' };
const depObj = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { namespace: 'shop', name: 'web' } };

describe('KubeClient retries', () => {
  it('retries a GET on 503 until it succeeds', async () => {
    const t = scripted([status(503, 'ServiceUnavailable'), status(500, 'InternalError'), ok(depObj)]);
    const clock = fakeClock();
    const client = new KubeClient({ transport: t, clock });
    await expect(client.get(dep)).resolves.toEqual(depObj);
    expect(t.sent).toHaveLength(3);
    expect(clock.slept).toHaveLength(2);
  });

  it('gives up after maxAttempts and surfaces the last error', async () => {
    const t = scripted([status(500, 'InternalError'), status(500, 'InternalError')]);
    const client = new KubeClient({ transport: t, clock: fakeClock(), retry: { maxAttempts: 2 } });
    await expect(client.get(dep)).rejects.toMatchObject({ code: 'Server', status: 500 });
    expect(t.sent).toHaveLength(2);
  });

  it('does not retry a create on 500 (it may have been applied)', async () => {
    const t = scripted([status(500, 'InternalError')]);
    const client = new KubeClient({ transport: t, clock: fakeClock() });
    await expect(client.create(depObj)).rejects.toMatchObject({ code: 'Server' });
    expect(t.sent).toHaveLength(1);
  });

  it('retries any request on 429, waiting the Retry-After the server asked for', async () => {
    const t = scripted([status(429, 'TooManyRequests', { 'retry-after': '2' }), ok(depObj)]);
    const clock = fakeClock();
    const client = new KubeClient({ transport: t, clock });
    await client.create(depObj);
    expect(t.sent).toHaveLength(2);
    expect(clock.slept).toEqual([2000]);
  });

  it('retries an unreachable server for idempotent requests', async () => {
    const t = scripted([new Error('connect ECONNREFUSED'), ok(depObj)]);
    const client = new KubeClient({ transport: t, clock: fakeClock() });
    await expect(client.mergePatch(dep, { spec: { replicas: 2 } })).resolves.toEqual(depObj);
  });

  it('surfaces 409 Conflict without retrying', async () => {
    const t = scripted([status(409, 'Conflict')]);
    const client = new KubeClient({ transport: t, clock: fakeClock() });
    await expect(client.replace(depObj)).rejects.toMatchObject({ code: 'Conflict', status: 409 });
    expect(t.sent).toHaveLength(1);
  });

  it('does not retry a JSON patch that appends to a list', async () => {
    const t = scripted([status(503, 'ServiceUnavailable')]);
    const client = new KubeClient({ transport: t, clock: fakeClock() });
    const ops = [{ op: 'add' as const, path: '/spec/items/-', value: 1 }];
    await expect(client.jsonPatch(dep, ops)).rejects.toMatchObject({ code: 'Server' });
    expect(t.sent).toHaveLength(1);
  });
});

describe('KubeClient errors', () => {
  it('tells AlreadyExists apart from a stale-resourceVersion Conflict', async () => {
    const t = scripted([status(409, 'AlreadyExists')]);
    const client = new KubeClient({ transport: t, clock: fakeClock() });
    await expect(client.create(depObj)).rejects.toMatchObject({ code: 'AlreadyExists' });
  });

  it('carries the Status message', async () => {
    const t = scripted([status(422, 'Invalid')]);
    const client = new KubeClient({ transport: t, clock: fakeClock() });
    const err = await client.jsonPatch(dep, []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeError);
    expect((err as KubeError).message).toBe('Invalid happened');
  });

  it('find returns undefined for NotFound', async () => {
    const client = new KubeClient({ transport: scripted([status(404, 'NotFound')]), clock: fakeClock() });
    await expect(client.find(dep)).resolves.toBeUndefined();
  });
});

describe('fencing', () => {
  it('never sends a write whose signal has already aborted', async () => {
    const t = scripted([ok(depObj)]);
    const client = new KubeClient({ transport: t, clock: fakeClock() });
    const signal = AbortSignal.abort();
    await expect(client.mergePatch(dep, { spec: {} }, { signal })).rejects.toMatchObject({
      code: 'Aborted',
    });
    expect(t.sent).toHaveLength(0);
  });

  it('stops retrying once the signal aborts', async () => {
    const ac = new AbortController();
    const t = scripted([status(503, 'ServiceUnavailable'), ok(depObj)]);
    const clock: KubeClock = {
      now: () => 0,
      sleep: () => {
        ac.abort();
        return Promise.resolve();
      },
    };
    const client = new KubeClient({ transport: t, clock });
    await expect(client.replace(depObj, { signal: ac.signal })).rejects.toMatchObject({
      code: 'Aborted',
    });
    expect(t.sent).toHaveLength(1);
  });
});

describe('retryOnConflict', () => {
  it('runs the function again after a Conflict', async () => {
    let calls = 0;
    const result = await retryOnConflict(() => {
      calls++;
      if (calls < 3) throw new KubeError({ code: 'Conflict', status: 409, message: 'stale' });
      return Promise.resolve('done');
    });
    expect(result).toBe('done');
    expect(calls).toBe(3);
  });

  it('does not retry other errors', async () => {
    let calls = 0;
    await expect(
      retryOnConflict(() => {
        calls++;
        throw new KubeError({ code: 'Invalid', status: 422, message: 'bad' });
      }),
    ).rejects.toMatchObject({ code: 'Invalid' });
    expect(calls).toBe(1);
  });
});

describe('isIdempotentJsonPatch', () => {
  it('accepts test/replace/add-at-key and rejects append, remove and move', () => {
    expect(
      isIdempotentJsonPatch([
        { op: 'test', path: '/a', value: 1 },
        { op: 'replace', path: '/a', value: 2 },
      ]),
    ).toBe(true);
    expect(isIdempotentJsonPatch([{ op: 'add', path: '/a/b', value: 1 }])).toBe(true);
    expect(isIdempotentJsonPatch([{ op: 'add', path: '/a/-', value: 1 }])).toBe(false);
    expect(isIdempotentJsonPatch([{ op: 'remove', path: '/a' }])).toBe(false);
    expect(isIdempotentJsonPatch([{ op: 'move', from: '/a', path: '/b' }])).toBe(false);
  });
});
