import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClientNodeTransport,
  KubeClient,
  LeaderElector,
  type KubeRequest,
  type KubeTransport,
} from '../../src/kube/index.ts';
import { NS, eventually, kubeConfigFor, secret, startSimClient, type KubeSim } from './sim-helpers.ts';

let sim: KubeSim;
let client: KubeClient;

beforeAll(async () => {
  ({ sim, client } = await startSimClient());
});
afterAll(async () => {
  await sim.stop();
});

/** A contender's connection; `cutLease` drops its Lease traffic, as a partial partition would. */
function partitionable(inner: KubeTransport): KubeTransport & { cutLease: boolean } {
  const t = {
    cutLease: false,
    send: (req: KubeRequest) =>
      t.cutLease && req.path.includes('/leases/')
        ? Promise.reject(new Error('connect ETIMEDOUT'))
        : inner.send(req),
    watch: inner.watch.bind(inner),
  };
  return t;
}

/** A process-wide sequence: orders start/stop callbacks across contenders without clocks. */
let order = 0;

function contender(identity: string, lease: string, leaseDurationMs = 2000) {
  const transport = partitionable(new ClientNodeTransport(kubeConfigFor(sim)));
  const events: { what: 'start' | 'stop'; at: number }[] = [];
  const elector = new LeaderElector({
    client: new KubeClient({ transport, retry: { maxAttempts: 1 } }),
    namespace: NS,
    name: lease,
    identity,
    leaseDurationMs,
    renewDeadlineMs: leaseDurationMs * 0.6,
    retryPeriodMs: 200,
    onStartedLeading: () => events.push({ what: 'start', at: ++order }),
    onStoppedLeading: () => events.push({ what: 'stop', at: ++order }),
  });
  return { identity, elector, transport, events, client: new KubeClient({ transport }) };
}

describe('leader election on a Lease (simulator)', () => {
  it('lets exactly one of two contenders lead, and fails over after the lease expires', async () => {
    const a = contender('a', 'failover');
    const b = contender('b', 'failover');
    a.elector.start();
    b.elector.start();
    let twoLeaders = false;
    const watchdog = setInterval(() => {
      twoLeaders ||= a.elector.isLeader() && b.elector.isLeader();
    }, 5);
    await eventually(() => a.elector.isLeader() || b.elector.isLeader(), 'a leader');
    const [leader, other] = a.elector.isLeader() ? [a, b] : [b, a];
    const lease = await client.get({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      namespace: NS,
      name: 'failover',
    });
    expect((lease.spec as { holderIdentity: string }).holderIdentity).toBe(leader.identity);

    leader.transport.cutLease = true;
    await eventually(() => other.elector.isLeader(), 'failover to the other contender', 10_000);
    clearInterval(watchdog);
    expect(twoLeaders).toBe(false);
    expect(leader.elector.isLeader()).toBe(false);
    // The old leader stopped before the new one started.
    const stopped = leader.events.find((e) => e.what === 'stop');
    const started = other.events.find((e) => e.what === 'start');
    expect(stopped!.at).toBeLessThan(started!.at);
    const after = await client.get({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      namespace: NS,
      name: 'failover',
    });
    expect(after.spec).toMatchObject({ holderIdentity: other.identity, leaseTransitions: 1 });
    await Promise.all([a.elector.stop(), b.elector.stop()]);
  });

  it("stops the fenced old leader's writes: its signal aborts and its writes are never sent", async () => {
    await client.create(secret('fenced-target', 'init'));
    const target = { apiVersion: 'v1', kind: 'Secret', namespace: NS, name: 'fenced-target' };
    const a = contender('a', 'fencing');
    a.elector.start();
    await eventually(() => a.elector.isLeader(), 'a to lead');
    const signal = a.elector.signal;
    // The leader's work loop: write with the term's signal until refused.
    let refused: unknown;
    let landed = 0;
    const work = (async () => {
      for (let i = 0; ; i++) {
        try {
          await a.client.mergePatch(
            target,
            { metadata: { annotations: { writer: 'a', seq: String(i) } } },
            { signal },
          );
          landed++;
        } catch (err) {
          refused = err;
          return;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await eventually(() => landed > 3, 'a few writes from a');
    a.transport.cutLease = true;
    const b = contender('b', 'fencing');
    b.elector.start();
    await work;
    expect(refused).toMatchObject({ code: 'Aborted' });
    expect(signal.aborted).toBe(true);
    const seqAtFence = (await client.get(target)).metadata.annotations?.seq;
    expect(b.elector.isLeader()).toBe(false);

    // a's network heals, but its old term stays fenced: nothing it sends with that signal lands.
    a.transport.cutLease = false;
    await expect(
      a.client.mergePatch(target, { metadata: { annotations: { writer: 'a', seq: 'late' } } }, { signal }),
    ).rejects.toMatchObject({ code: 'Aborted' });
    await eventually(() => b.elector.isLeader() || a.elector.isLeader(), 'a new term');
    expect((await client.get(target)).metadata.annotations).toMatchObject({ writer: 'a', seq: seqAtFence });
    await Promise.all([a.elector.stop(), b.elector.stop()]);
  });

  it('releases the lease on stop so the other contender takes over without waiting for expiry', async () => {
    // A 60s lease: if b had to wait for expiry, it could not lead within this test's timeout.
    const a = contender('a', 'release', 60_000);
    a.elector.start();
    await eventually(() => a.elector.isLeader(), 'a to lead');
    const b = contender('b', 'release', 60_000);
    b.elector.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(b.elector.isLeader()).toBe(false);
    await a.elector.stop();
    await eventually(() => b.elector.isLeader(), 'b to lead after a released', 10_000);
    await b.elector.stop();
  });
});
