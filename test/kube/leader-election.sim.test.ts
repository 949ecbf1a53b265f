/**
 * Leader election against the simulator over real HTTP, on a manual clock: lease expiry, renew
 * deadlines and retry periods are clock time the test moves in 10 ms steps, so nothing here waits for
 * wall time and every claim about "when" is exact. After each step the test waits until no lease
 * request is in flight, so every contender woken by the step has reached its next sleep.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClientNodeTransport,
  KubeClient,
  LeaderElector,
  type KubeRequest,
  type KubeTransport,
} from '../../src/kube/index.ts';
import {
  ManualClock,
  eventually,
  kubeConfigFor,
  settleTasks,
  startSim,
  type KubeSim,
} from '../support/index.ts';
import { NS, secret } from './sim-helpers.ts';

let sim: KubeSim;
let client: KubeClient;

beforeAll(async () => {
  ({ sim, client } = await startSim({ namespaces: [NS] }));
});
afterAll(async () => {
  await sim.stop();
});

/** Requests sent through the contenders' transports and not yet answered. */
let inFlight = 0;

/** Waits until every request the last clock step caused has been answered and acted on. */
async function quiet(): Promise<void> {
  do {
    await eventually(() => inFlight === 0, 'lease requests to be answered', { intervalMs: 1 });
    await settleTasks(5);
  } while (inFlight > 0);
}

/** A contender's connection; `cutLease` drops its Lease traffic, as a partial partition would. */
function partitionable(inner: KubeTransport): KubeTransport & { cutLease: boolean } {
  const t = {
    cutLease: false,
    send: async (req: KubeRequest) => {
      if (t.cutLease && req.path.includes('/leases/')) throw new Error('connect ETIMEDOUT');
      inFlight++;
      try {
        return await inner.send(req);
      } finally {
        inFlight--;
      }
    },
    watch: inner.watch.bind(inner),
  };
  return t;
}

const LEASE_MS = 2000;
const RENEW_DEADLINE_MS = 1200;
const RETRY_MS = 200;

function contender(clock: ManualClock, identity: string, lease: string, leaseDurationMs = LEASE_MS) {
  const transport = partitionable(new ClientNodeTransport(kubeConfigFor(sim)));
  const events: { what: 'start' | 'stop'; at: number }[] = [];
  const elector = new LeaderElector({
    client: new KubeClient({ transport, clock, retry: { maxAttempts: 1 } }),
    namespace: NS,
    name: lease,
    identity,
    leaseDurationMs,
    renewDeadlineMs: leaseDurationMs === LEASE_MS ? RENEW_DEADLINE_MS : leaseDurationMs * 0.6,
    retryPeriodMs: RETRY_MS,
    clock,
    random: () => 0.5,
    onStartedLeading: () => events.push({ what: 'start', at: clock.now() }),
    onStoppedLeading: () => events.push({ what: 'stop', at: clock.now() }),
  });
  return { identity, elector, transport, events, client: new KubeClient({ transport, clock }) };
}

type Contender = ReturnType<typeof contender>;

const leaseRef = (name: string) => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  namespace: NS,
  name,
});

describe('leader election on a Lease (simulator, manual clock)', () => {
  it('lets exactly one of two contenders lead, and fails over after the lease expires', async () => {
    const clock = new ManualClock();
    const a = contender(clock, 'a', 'failover');
    const b = contender(clock, 'b', 'failover');
    let twoLeaders = false;
    const each = () => {
      twoLeaders ||= a.elector.isLeader() && b.elector.isLeader();
    };
    a.elector.start();
    b.elector.start();
    await clock.advanceUntil(() => a.elector.isLeader() || b.elector.isLeader(), 'a leader', {
      maxMs: 5 * RETRY_MS,
      settle: quiet,
      each,
    });
    const [leader, other]: [Contender, Contender] = a.elector.isLeader() ? [a, b] : [b, a];
    expect((await client.get(leaseRef('failover'))).spec).toMatchObject({ holderIdentity: leader.identity });
    // Several renewals later, still the same single leader.
    await clock.advanceInSteps(5 * LEASE_MS, { settle: quiet, each });
    expect([leader.elector.isLeader(), other.elector.isLeader()]).toEqual([true, false]);

    leader.transport.cutLease = true;
    const cutAt = clock.now();
    const tookOverAt = await clock.advanceUntil(
      () => other.elector.isLeader(),
      'failover to the other contender',
      {
        maxMs: 3 * LEASE_MS,
        settle: quiet,
        each,
      },
    );
    expect(twoLeaders).toBe(false);
    expect(leader.elector.isLeader()).toBe(false);
    const stopped = leader.events.find((e) => e.what === 'stop');
    const started = other.events.find((e) => e.what === 'start' && e.at > cutAt);
    // Fenced within the renew deadline of the cut, strictly before the other started, and the other
    // only took over once it had seen the lease unchanged for a whole lease duration.
    expect(stopped!.at - cutAt).toBeLessThanOrEqual(RENEW_DEADLINE_MS);
    expect(stopped!.at).toBeLessThan(started!.at);
    expect(tookOverAt - cutAt).toBeGreaterThanOrEqual(LEASE_MS - RETRY_MS);
    expect((await client.get(leaseRef('failover'))).spec).toMatchObject({
      holderIdentity: other.identity,
      leaseTransitions: 1,
    });
    await Promise.all([a.elector.stop(), b.elector.stop()]);
  });

  it("stops the fenced old leader's writes: its signal aborts and its writes are never sent", async () => {
    const clock = new ManualClock();
    await client.create(secret('fenced-target', 'init'));
    const target = { apiVersion: 'v1', kind: 'Secret', namespace: NS, name: 'fenced-target' };
    const a = contender(clock, 'a', 'fencing');
    a.elector.start();
    await clock.advanceUntil(() => a.elector.isLeader(), 'a to lead', { maxMs: RETRY_MS, settle: quiet });
    const signal = a.elector.signal;
    // The leader's work loop: write with the term's signal every 20 ms of clock time until refused.
    let refused: unknown;
    let landed = 0;
    let done = false;
    void (async () => {
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
          done = true;
          return;
        }
        await clock.sleep(20);
      }
    })();
    await clock.advanceUntil(() => landed > 3, 'a few writes from a', {
      maxMs: 10 * RETRY_MS,
      settle: quiet,
    });
    a.transport.cutLease = true;
    const b = contender(clock, 'b', 'fencing');
    b.elector.start();
    await clock.advanceUntil(() => done, "a's work loop to be refused", {
      maxMs: 2 * LEASE_MS,
      settle: quiet,
    });
    expect(refused).toMatchObject({ code: 'Aborted' });
    expect(signal.aborted).toBe(true);
    const seqAtFence = (await client.get(target)).metadata.annotations?.seq;
    expect(b.elector.isLeader()).toBe(false);

    // a's network heals, but its old term stays fenced: nothing it sends with that signal lands.
    a.transport.cutLease = false;
    await expect(
      a.client.mergePatch(target, { metadata: { annotations: { writer: 'a', seq: 'late' } } }, { signal }),
    ).rejects.toMatchObject({ code: 'Aborted' });
    await clock.advanceUntil(() => b.elector.isLeader() || a.elector.isLeader(), 'a new term', {
      maxMs: 2 * LEASE_MS,
      settle: quiet,
    });
    expect((await client.get(target)).metadata.annotations).toMatchObject({ writer: 'a', seq: seqAtFence });
    await Promise.all([a.elector.stop(), b.elector.stop()]);
  });

  it('releases the lease on stop so the other contender takes over without waiting for expiry', async () => {
    const clock = new ManualClock();
    const leaseMs = 60_000;
    const a = contender(clock, 'a', 'release', leaseMs);
    a.elector.start();
    await clock.advanceUntil(() => a.elector.isLeader(), 'a to lead', { maxMs: RETRY_MS, settle: quiet });
    const b = contender(clock, 'b', 'release', leaseMs);
    b.elector.start();
    // Half the lease passes with a renewing: b keeps waiting.
    await clock.advanceInSteps(leaseMs / 2, { stepMs: 50, settle: quiet });
    expect([a.elector.isLeader(), b.elector.isLeader()]).toEqual([true, false]);
    await a.elector.stop();
    const releasedAt = clock.now();
    // b's next retry finds the lease released: one retry period (+ jitter), not the 60 s lease.
    const tookOverAt = await clock.advanceUntil(() => b.elector.isLeader(), 'b to lead after a released', {
      maxMs: 3 * RETRY_MS,
      settle: quiet,
    });
    expect(tookOverAt - releasedAt).toBeLessThanOrEqual(1.2 * RETRY_MS);
    await b.elector.stop();
  });
});
