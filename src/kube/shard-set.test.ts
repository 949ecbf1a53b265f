import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../test/support/index.ts';
import { KubeClient } from './client.ts';
import { ShardSet, shardLeaseNames, shardOf } from './shard-set.ts';
import type { KubeRequest, KubeResponse, KubeTransport } from './transport.ts';
import type { KubeObject } from './types.ts';

/** Leases held in memory by name, with optimistic concurrency as the API server does it. */
class LeaseServer {
  readonly leases = new Map<string, KubeObject>();
  #rv = 0;

  handle(req: KubeRequest): KubeResponse {
    const status = (code: number, reason: string): KubeResponse => ({
      status: code,
      headers: {},
      body: { kind: 'Status', code, reason, message: reason },
    });
    if (req.method === 'GET') {
      const lease = this.leases.get(req.path.split('/').at(-1) ?? '');
      return lease === undefined
        ? status(404, 'NotFound')
        : { status: 200, headers: {}, body: structuredClone(lease) };
    }
    const body = structuredClone(req.body) as KubeObject;
    const name = body.metadata.name ?? '';
    const current = this.leases.get(name);
    if (req.method === 'POST' && current !== undefined) return status(409, 'AlreadyExists');
    if (req.method === 'PUT' && body.metadata.resourceVersion !== current?.metadata.resourceVersion)
      return status(409, 'Conflict');
    body.metadata.resourceVersion = String(++this.#rv);
    this.leases.set(name, body);
    return { status: 200, headers: {}, body: structuredClone(body) };
  }

  holder(shard: number): string {
    const spec = this.leases.get(`serin-shard-${String(shard)}`)?.spec as
      { holderIdentity?: string | null } | undefined;
    return spec?.holderIdentity ?? '';
  }

  /** A replica's connection; `partitioned` cuts it off (a crashed or isolated process). */
  connect(): KubeTransport & { partitioned: boolean } {
    const view = {
      partitioned: false,
      send: (req: KubeRequest): Promise<KubeResponse> =>
        view.partitioned
          ? Promise.reject(new Error('connect ECONNREFUSED'))
          : Promise.resolve(this.handle(req)),
      watch: () => Promise.reject(new Error('unused')),
    };
    return view;
  }
}

const SHARDS = 6;
const TIMING = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500 };

function replica(server: LeaseServer, clock: ManualClock, identity: string) {
  const transport = server.connect();
  const acquired: number[] = [];
  const set = new ShardSet({
    client: new KubeClient({ transport, clock, retry: { maxAttempts: 1 } }),
    namespace: 'serin-system',
    names: shardLeaseNames(SHARDS, 'serin-controller'),
    identity,
    ...TIMING,
    clock,
    onAcquired: (shard) => acquired.push(shard),
  });
  return { set, transport, identity, acquired };
}

/** Fails the test the moment two replicas hold one shard. */
function expectOneHolderPerShard(replicas: readonly ReturnType<typeof replica>[]): void {
  const held = replicas.flatMap((r) => r.set.held());
  expect(new Set(held).size).toBe(held.length);
}

describe('shardOf', () => {
  it('is FNV-1a of the key modulo the shard count, the same in every process', () => {
    // FNV-1a("a") = 0xe40c292c, FNV-1a("") = 0x811c9dc5 (the offset basis).
    expect(shardOf('a', 2 ** 32 - 1)).toBe(0xe40c292c);
    expect(shardOf('', 2 ** 32 - 1)).toBe(0x811c9dc5);
    expect(shardOf('shop/podinfo', 7)).toBe(shardOf('shop/podinfo', 7));
    expect(shardOf('shop/podinfo', 1)).toBe(0);
  });

  it('spreads Canaries evenly over the shards', () => {
    const counts = new Array<number>(SHARDS).fill(0);
    for (let i = 0; i < 6000; i++) counts[shardOf(`team-${String(i % 17)}/app-${String(i)}`, SHARDS)]! += 1;
    for (const count of counts) expect(Math.abs(count - 1000)).toBeLessThan(150);
  });

  it('names one Lease per shard, and keeps the leader-election Lease for one shard', () => {
    expect(shardLeaseNames(1, 'serin-controller')).toEqual(['serin-controller']);
    expect(shardLeaseNames(3, 'serin-controller')).toEqual([
      'serin-shard-0',
      'serin-shard-1',
      'serin-shard-2',
    ]);
  });
});

describe('ShardSet', () => {
  it('spreads the shards over replicas started together, one holder per shard', async () => {
    const clock = new ManualClock();
    const server = new LeaseServer();
    const replicas = ['a', 'b', 'c'].map((id) => replica(server, clock, id));
    for (const r of replicas) r.set.start();
    await clock.advanceInSteps(8000, {
      each: () => {
        expectOneHolderPerShard(replicas);
      },
    });
    expect(replicas.flatMap((r) => r.set.held()).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    for (const r of replicas) expect(r.set.held().length, `shards of ${r.identity}`).toBeGreaterThan(0);
    for (let shard = 0; shard < SHARDS; shard++) {
      const owner = replicas.find((r) => r.set.held().includes(shard));
      expect(server.holder(shard)).toBe(owner?.identity);
    }
    await Promise.all(replicas.map((r) => r.set.stop()));
  });

  it('fences a crashed replica’s shards before the survivors pick every one of them up', async () => {
    const clock = new ManualClock();
    const server = new LeaseServer();
    const replicas = ['a', 'b', 'c'].map((id) => replica(server, clock, id));
    for (const r of replicas) r.set.start();
    await clock.advanceInSteps(8000);
    const [dead, ...survivors] = replicas;
    const orphans = dead!.set.held();
    expect(orphans.length).toBeGreaterThan(0);
    const key = (shard: number): [string, string] => {
      for (let i = 0; ; i++)
        if (shardOf(`ns/app-${String(i)}`, SHARDS) === shard) return ['ns', `app-${String(i)}`];
    };
    const signals = orphans.map((shard) => dead!.set.signalFor(...key(shard)));
    expect(signals.every((s) => s !== undefined && !s.aborted)).toBe(true);

    dead!.transport.partitioned = true;
    const crashedAt = clock.now();
    const fencedAt = new Map<number, number>();
    const takenAt = new Map<number, number>();
    await clock.advanceInSteps(TIMING.leaseDurationMs + SHARDS * TIMING.retryPeriodMs + 2000, {
      each: () => {
        // The dead replica still believes what its clock tells it; the survivors must not overlap it.
        expectOneHolderPerShard(replicas);
        orphans.forEach((shard, i) => {
          if (!fencedAt.has(shard) && signals[i]!.aborted) fencedAt.set(shard, clock.now());
          if (!takenAt.has(shard) && survivors.some((r) => r.set.held().includes(shard)))
            takenAt.set(shard, clock.now());
        });
      },
    });
    for (const shard of orphans) {
      expect(fencedAt.get(shard)! - crashedAt).toBeLessThanOrEqual(TIMING.renewDeadlineMs);
      expect(takenAt.get(shard), `shard ${String(shard)} taken over`).toBeDefined();
      expect(fencedAt.get(shard)!).toBeLessThan(takenAt.get(shard)!);
      expect(dead!.set.signalFor(...key(shard))).toBeUndefined();
    }
    expect(survivors.flatMap((r) => r.set.held()).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    await Promise.all(replicas.map((r) => r.set.stop()));
  });

  it('gives each Canary the signal of its own shard’s term, and none for a shard held elsewhere', async () => {
    const clock = new ManualClock();
    const server = new LeaseServer();
    const a = replica(server, clock, 'a');
    const b = replica(server, clock, 'b');
    a.set.start();
    b.set.start();
    await clock.advanceInSteps(8000);
    for (let i = 0; i < 50; i++) {
      const name = `app-${String(i)}`;
      const shard = a.set.shardOf('ns', name);
      const [holder, other] = a.set.held().includes(shard) ? [a, b] : [b, a];
      expect(holder.set.signalFor('ns', name)?.aborted).toBe(false);
      expect(other.set.signalFor('ns', name)).toBeUndefined();
    }
    expect(a.acquired.length + b.acquired.length).toBe(SHARDS);
    await Promise.all([a.set.stop(), b.set.stop()]);
  });
});
