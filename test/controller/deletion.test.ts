import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINALIZER } from '../../src/controller/finalize.ts';
import { createKubeClient, loadKubeConfig, type KubeClient } from '../../src/kube/index.ts';
import { startKubeSim, type KubeSim } from '../../src/sim/kube/index.ts';
import { World, type Propagation } from './deletion-world.ts';

let sim: KubeSim;
let client: KubeClient;
let namespaces = 0;
beforeAll(async () => {
  sim = await startKubeSim({ port: 0 });
  // One client for every world: discovery is read once.
  client = createKubeClient(loadKubeConfig({ kubeconfig: sim.kubeconfigPath }).kubeConfig);
});
afterAll(async () => sim.stop());

async function world(): Promise<World> {
  namespaces += 1;
  const w = new World(sim, `del-${String(namespaces)}`, client);
  await w.create();
  return w;
}

/** Runs passes (with kubelet's part between them) until the Canary is gone; at most `max`. */
async function passUntilGone(w: World, max = 5, stepMs = 1_000): Promise<number> {
  for (let n = 1; n <= max; n += 1) {
    await w.pass();
    await w.settle();
    if ((await w.get('Canary', 'podinfo')) === undefined) return n;
    w.clock.advance(stepMs);
    await w.sync();
  }
  return Infinity;
}

async function toIdle(w: World): Promise<void> {
  await w.pass();
  await w.sync();
  await w.pass();
  await w.sync();
  expect((await w.status())?.phase).toBe('Idle');
}

/** Idle, then a release that reaches step 1 (20% on a ready canary). */
async function toWeight20(w: World): Promise<void> {
  await toIdle(w);
  await w.release('podinfo:2.0');
  await w.pass();
  await w.sync();
  await w.pass();
  expect((await w.status())?.canaryWeight).toBe(20);
}

describe('deleting a Canary never takes the service down', () => {
  it('puts its finalizer on the Canary on the first pass', async () => {
    const w = await world();
    await w.pass();
    const stored = await w.get('Canary', 'podinfo');
    expect(stored?.metadata.finalizers).toEqual([FINALIZER]);
  });

  it('after an abort, kubectl delete keeps <target>-primary and both Services serving 100% (the issue 13 outage)', async () => {
    const w = await world();
    await toWeight20(w);
    await w.approve('Abort');
    await w.pass();
    expect((await w.status())?.phase).toBe('Aborted');
    await w.deleteCanary('Background');
    expect(await passUntilGone(w)).toBe(1);
    expect(await w.deadHosts()).toEqual([]);
    expect(await w.get('Deployment', 'podinfo-primary')).toBeDefined();
    for (const name of ['podinfo-primary', 'podinfo-canary'])
      expect(await w.get('Service', name)).toBeDefined();
    expect((await w.routes()).map((r) => r.weight)).toEqual([100, 0]);
    const events = await w.client.list('v1', 'Event', { namespace: w.ns });
    expect(events.items.map((e) => (e as { reason?: string }).reason)).toContain('TrafficHandedBack');
  });

  it('during a rollout, the canary weight goes back to the primary before the finalizer is released', async () => {
    const w = await world();
    await toWeight20(w);
    await w.deleteCanary('Background');
    await w.settle();
    // Deleting only marks the Canary: the weights are still the rollout's until serin hands them back.
    expect((await w.routes()).map((r) => r.weight)).toEqual([80, 20]);
    expect(await passUntilGone(w)).toBe(1);
    expect((await w.routes()).map((r) => r.weight)).toEqual([100, 0]);
    expect(await w.deadHosts()).toEqual([]);
  });

  it('with Foreground propagation (Argo CD prune) nothing serin made is garbage-collected', async () => {
    const w = await world();
    await toIdle(w);
    await w.deleteCanary('Foreground');
    await w.settle();
    expect(await w.get('Deployment', 'podinfo-primary')).toBeDefined();
    expect(await passUntilGone(w)).toBe(1);
    expect(await w.deadHosts()).toEqual([]);
  });

  it('hands traffic to the user Deployment when the Canary goes before its primary was ever ready', async () => {
    const w = await world();
    w.notReady.add('podinfo-primary');
    await w.pass();
    await w.sync();
    expect((await w.status())?.phase).toBe('Initializing');
    await w.deleteCanary('Background');
    expect(await passUntilGone(w)).toBe(1);
    expect((await w.routes()).map((r) => r.weight)).toEqual([0, 100]);
    expect(await w.deadHosts()).toEqual([]);
  });

  it('deleting the target Deployment first, then the Canary, finishes with no stuck finalizer', async () => {
    const w = await world();
    await toWeight20(w);
    await w.deleteTarget();
    await w.pass().catch(() => undefined); // TargetNotFound: Stalled, traffic untouched
    await w.deleteCanary('Background');
    expect(await passUntilGone(w)).toBe(1);
    expect(await w.deadHosts()).toEqual([]);
  });

  it('waits for a side with ready pods, and lets go after progressDeadlineSeconds when none comes', async () => {
    const w = await world();
    w.notReady.add('podinfo-primary');
    await w.pass();
    await w.deleteTarget();
    await w.deleteCanary('Background');
    expect(await passUntilGone(w, 3, 1_000)).toBe(Infinity);
    w.clock.advance(600_000);
    expect(await passUntilGone(w, 1)).toBe(1);
    const events = await w.client.list('v1', 'Event', { namespace: w.ns });
    expect(events.items.map((e) => (e as { reason?: string }).reason)).toContain('NothingReady');
  });

  it('removes the owner references an earlier serin put on the primary and the Services', async () => {
    const w = await world();
    await toIdle(w);
    const canary = await w.get('Canary', 'podinfo');
    const owner = {
      apiVersion: 'serin.dev/v1alpha1',
      kind: 'Canary',
      name: 'podinfo',
      uid: canary?.metadata.uid ?? '',
      controller: true,
      blockOwnerDeletion: true,
    };
    for (const [kind, name] of [
      ['Deployment', 'podinfo-primary'],
      ['Service', 'podinfo-primary'],
      ['Service', 'podinfo-canary'],
    ] as const) {
      await w.client.mergePatch(
        { apiVersion: kind === 'Deployment' ? 'apps/v1' : 'v1', kind, namespace: w.ns, name },
        { metadata: { ownerReferences: [owner] } },
      );
    }
    await w.pass();
    expect((await w.get('Deployment', 'podinfo-primary'))?.metadata.ownerReferences).toBeUndefined();
    expect((await w.get('Service', 'podinfo-canary'))?.metadata.ownerReferences).toBeUndefined();
  });
});

/** How far the rollout gets before the Canary is deleted. */
const PHASES = [
  'InitializingPrimaryNotReady',
  'Idle',
  'Weight20',
  'TimedPause',
  'Paused50',
  'Promoting',
  'Succeeded',
  'Aborted',
  'AbortedScaledDown',
] as const;
type Phase = (typeof PHASES)[number];

async function reach(w: World, phase: Phase): Promise<void> {
  if (phase === 'InitializingPrimaryNotReady') {
    w.notReady.add('podinfo-primary');
    await w.pass();
    await w.sync();
    return;
  }
  await toIdle(w);
  if (phase === 'Idle') return;
  await toWeight20(w);
  if (phase === 'Weight20') return;
  if (phase === 'Aborted' || phase === 'AbortedScaledDown') {
    await w.approve('Abort');
    await w.pass();
    if (phase === 'AbortedScaledDown') {
      w.clock.advance(31_000);
      await w.pass();
      await w.sync();
    }
    return;
  }
  await w.pass(); // step 1 done: the timed pause starts
  if (phase === 'TimedPause') return;
  w.clock.advance(61_000);
  for (let i = 0; i < 3; i += 1) await w.pass();
  if (phase === 'Paused50') return;
  w.rolling.add('podinfo-primary');
  await w.approve('PromoteFull');
  await w.pass();
  await w.sync();
  if (phase === 'Promoting') return;
  w.rolling.delete('podinfo-primary');
  await w.sync();
  await w.pass();
}

describe('the deletion property', () => {
  it('a Canary deleted in any phase, with any propagation and timing, leaves no weight on a Service without ready endpoints and is gone within bounded time', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          phase: fc.constantFrom(...PHASES),
          policy: fc.constantFrom<Propagation>('Background', 'Foreground', 'Orphan'),
          targetFirst: fc.boolean(),
          // Passes that run (or not) between the deletion and the controller seeing it.
          passesBefore: fc.integer({ min: 0, max: 2 }),
          gapsMs: fc.array(fc.integer({ min: 0, max: 120_000 }), { minLength: 8, maxLength: 8 }),
          // When the primary of a Canary deleted while initializing becomes ready (pass index).
          primaryReadyAt: fc.integer({ min: 0, max: 4 }),
        }),
        async (c) => {
          const w = await world();
          await reach(w, c.phase);
          for (let i = 0; i < c.passesBefore; i += 1) await w.pass().catch(() => undefined);
          if (c.targetFirst) {
            await w.deleteTarget();
            await w.pass().catch(() => undefined);
          }
          await w.deleteCanary(c.policy);
          await w.settle();
          let gone = false;
          for (const [i, gap] of c.gapsMs.entries()) {
            if (i === c.primaryReadyAt) w.notReady.delete('podinfo-primary');
            w.rolling.delete('podinfo-primary');
            await w.sync();
            await w.pass();
            await w.settle();
            gone = (await w.get('Canary', 'podinfo')) === undefined;
            if (gone) break;
            w.clock.advance(gap);
          }
          await w.sync();
          expect({ phase: c.phase, gone }).toEqual({ phase: c.phase, gone: true });
          expect(await w.deadHosts()).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  }, 600_000);
});
