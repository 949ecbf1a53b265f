import { describe, expect, it } from 'vitest';
import { KubeClient } from './client.ts';
import { LeaderElector } from './leader-elector.ts';
import type { KubeRequest, KubeResponse, KubeTransport } from './transport.ts';
import type { KubeObject } from './types.ts';
import { ManualClock } from '../../test/support/index.ts';

/** One Lease held in memory with optimistic concurrency, as the API server does it. */
class LeaseServer {
  lease: KubeObject | undefined;
  #rv = 0;

  handle(req: KubeRequest): KubeResponse {
    const conflict = (reason: string): KubeResponse => ({
      status: 409,
      headers: {},
      body: { kind: 'Status', code: 409, reason, message: reason },
    });
    if (req.method === 'GET') {
      return this.lease === undefined
        ? { status: 404, headers: {}, body: { kind: 'Status', code: 404, reason: 'NotFound' } }
        : { status: 200, headers: {}, body: structuredClone(this.lease) };
    }
    const body = structuredClone(req.body) as KubeObject;
    if (req.method === 'POST') {
      if (this.lease !== undefined) return conflict('AlreadyExists');
    } else if (body.metadata.resourceVersion !== this.lease?.metadata.resourceVersion) {
      return conflict('Conflict');
    }
    body.metadata.resourceVersion = String(++this.#rv);
    this.lease = body;
    return { status: 200, headers: {}, body: structuredClone(body) };
  }

  /**
   * A contender's view of the server; `partitioned` refuses its connections, `blackholed` drops its
   * packets: a request then never answers, until its caller gives up on it (its signal).
   */
  connect(): KubeTransport & { partitioned: boolean; blackholed: boolean; sent: number } {
    const view = {
      partitioned: false,
      blackholed: false,
      sent: 0,
      send: (req: KubeRequest): Promise<KubeResponse> => {
        view.sent++;
        if (view.partitioned) return Promise.reject(new Error('connect ECONNREFUSED'));
        if (view.blackholed)
          return new Promise((_, reject) => {
            const cut = (): void => {
              const err = new Error('aborted');
              err.name = 'AbortError';
              reject(err);
            };
            if (req.signal?.aborted === true) cut();
            else req.signal?.addEventListener('abort', cut, { once: true });
          });
        return Promise.resolve(this.handle(req));
      },
      watch: () => Promise.reject(new Error('unused')),
    };
    return view;
  }
}

function contender(server: LeaseServer, clock: ManualClock, identity: string) {
  const transport = server.connect();
  const log: string[] = [];
  const elector = new LeaderElector({
    client: new KubeClient({ transport, clock, retry: { maxAttempts: 1 } }),
    namespace: 'serin-system',
    name: 'serin',
    identity,
    leaseDurationMs: 3000,
    renewDeadlineMs: 2000,
    retryPeriodMs: 500,
    clock,
    onStartedLeading: () => log.push(`start@${clock.now()}`),
    onStoppedLeading: () => log.push(`stop@${clock.now()}`),
  });
  return { elector, transport, log, identity };
}

describe('LeaderElector', () => {
  it('lets exactly one of two contenders lead', async () => {
    const clock = new ManualClock();
    const server = new LeaseServer();
    const a = contender(server, clock, 'a');
    const b = contender(server, clock, 'b');
    a.elector.start();
    b.elector.start();
    let leaders = 0;
    await clock.advanceInSteps(10_000, {
      each: () => {
        const n = [a, b].filter((c) => c.elector.isLeader()).length;
        expect(n).toBeLessThanOrEqual(1);
        leaders = n;
      },
    });
    expect(leaders).toBe(1);
    const holder = (server.lease?.spec as { holderIdentity: string }).holderIdentity;
    expect([a, b].find((c) => c.elector.isLeader())?.identity).toBe(holder);
    await Promise.all([a.elector.stop(), b.elector.stop()]);
  });

  it('fences a leader that cannot renew before anyone else can take over', async () => {
    const clock = new ManualClock();
    const server = new LeaseServer();
    const a = contender(server, clock, 'a');
    a.elector.start();
    await clock.advanceInSteps(100);
    expect(a.elector.isLeader()).toBe(true);
    const b = contender(server, clock, 'b');
    b.elector.start();
    await clock.advanceInSteps(1000);
    const termSignal = a.elector.signal;

    a.transport.partitioned = true;
    const partitionedAt = clock.now();
    let fencedAt: number | undefined;
    let takenAt: number | undefined;
    await clock.advanceInSteps(6000, {
      each: () => {
        expect(a.elector.isLeader() && b.elector.isLeader()).toBe(false);
        if (fencedAt === undefined && termSignal.aborted) fencedAt = clock.now();
        if (takenAt === undefined && b.elector.isLeader()) takenAt = clock.now();
      },
    });
    expect(fencedAt).toBeDefined();
    expect(takenAt).toBeDefined();
    // Fenced within the renew deadline of the partition, and strictly before b led.
    expect(fencedAt! - partitionedAt).toBeLessThanOrEqual(2000);
    expect(fencedAt!).toBeLessThan(takenAt!);
    expect(a.log).toContain(`stop@${fencedAt!}`);
    await Promise.all([a.elector.stop(), b.elector.stop()]);
  });

  it('contends again after a request that went into a dead connection, once the network is back', async () => {
    const clock = new ManualClock();
    const server = new LeaseServer();
    const a = contender(server, clock, 'a');
    const b = contender(server, clock, 'b');
    b.elector.start();
    await clock.advanceInSteps(100);
    expect(b.elector.isLeader()).toBe(true);
    // a starts while its packets are dropped: its first read of the Lease never answers.
    a.transport.blackholed = true;
    a.elector.start();
    await clock.advanceInSteps(1000);
    a.transport.blackholed = false;
    // Then the leader dies: a must take over once the Lease expires.
    b.transport.partitioned = true;
    const diedAt = clock.now();
    const takenAt = await clock.advanceUntil(() => a.elector.isLeader(), 'a leads after b died', {
      maxMs: 10_000,
    });
    // The Lease lasts 3 s after b's last renewal; a's hung read was given up after the renew deadline.
    expect(takenAt - diedAt).toBeLessThanOrEqual(3000 + 2000 + 1000);
    expect((server.lease?.spec as { holderIdentity: string }).holderIdentity).toBe('a');
    await Promise.all([a.elector.stop(), b.elector.stop()]);
  });

  it('refuses to send writes with the signal of a term that ended', async () => {
    const clock = new ManualClock();
    const server = new LeaseServer();
    const a = contender(server, clock, 'a');
    a.elector.start();
    await clock.advanceInSteps(100);
    const signal = a.elector.signal;
    a.transport.partitioned = true;
    await clock.advanceInSteps(2500);
    a.transport.partitioned = false;
    const before = a.transport.sent;
    const client = new KubeClient({ transport: a.transport, clock });
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'x', name: 'y' };
    await expect(client.mergePatch(ref, { data: {} }, { signal })).rejects.toMatchObject({
      code: 'Aborted',
    });
    expect(a.transport.sent).toBe(before);
    await a.elector.stop();
  });

  it("lets every request in flight listen to the term's signal without a leak warning", async () => {
    const clock = new ManualClock();
    const a = contender(new LeaseServer(), clock, 'a');
    a.elector.start();
    await clock.advanceInSteps(100);
    const signal = a.elector.signal;
    expect(signal.aborted).toBe(false);
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning.name);
    };
    process.on('warning', onWarning);
    // Node warns past 10 listeners on an EventTarget; 16 workers, each with a request in flight.
    const listeners = Array.from({ length: 16 }, () => () => undefined);
    for (const listener of listeners) signal.addEventListener('abort', listener);
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    for (const listener of listeners) signal.removeEventListener('abort', listener);
    expect(warnings).not.toContain('MaxListenersExceededWarning');
    await a.elector.stop();
  });

  it('hands the lease over at once on stop instead of making others wait for expiry', async () => {
    const clock = new ManualClock();
    const server = new LeaseServer();
    const a = contender(server, clock, 'a');
    a.elector.start();
    await clock.advanceInSteps(100);
    const b = contender(server, clock, 'b');
    b.elector.start();
    await clock.advanceInSteps(600);
    await a.elector.stop();
    expect(a.elector.isLeader()).toBe(false);
    // b polls every retry period (500ms + jitter); a released, so it should not need 3s of expiry.
    await clock.advanceInSteps(1200);
    expect(b.elector.isLeader()).toBe(true);
    await b.elector.stop();
  });

  it('stops leading at once when a renewal finds the lease taken by someone else', async () => {
    const clock = new ManualClock();
    const server = new LeaseServer();
    const a = contender(server, clock, 'a');
    a.elector.start();
    await clock.advanceInSteps(100);
    // Someone force-takes the lease (e.g. an operator editing it).
    const lease = server.lease!;
    server.handle({
      method: 'PUT',
      path: '',
      body: { ...lease, spec: { ...(lease.spec as object), holderIdentity: 'intruder' } },
    });
    await clock.advanceInSteps(600);
    expect(a.elector.isLeader()).toBe(false);
    expect(a.log.filter((l) => l.startsWith('stop'))).toHaveLength(1);
    await a.elector.stop();
  });

  it('rejects a renew deadline that is not shorter than the lease', () => {
    const server = new LeaseServer();
    expect(
      () =>
        new LeaderElector({
          client: new KubeClient({ transport: server.connect() }),
          namespace: 'n',
          name: 'l',
          identity: 'x',
          leaseDurationMs: 1000,
          renewDeadlineMs: 1000,
        }),
    ).toThrow(RangeError);
  });
});
