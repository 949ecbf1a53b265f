import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { assembleDeps } from '../../src/controller/assemble.ts';
import { Controller } from '../../src/controller/controller.ts';
import {
  ClientNodeTransport,
  KubeClient,
  loadKubeConfig,
  type KubeRequest,
  type KubeTransport,
} from '../../src/kube/index.ts';
import { NS, startHarness, type Harness } from './harness.ts';
import { release, status } from './rollout-helpers.ts';
import { eventually } from '../support/index.ts';

/** Counts the writes a controller sends, leaving out its Lease and its Events. */
function countingClient(kubeconfigPath: string): { client: KubeClient; writes: KubeRequest[] } {
  const inner: KubeTransport = new ClientNodeTransport(
    loadKubeConfig({ kubeconfig: kubeconfigPath }).kubeConfig,
  );
  const writes: KubeRequest[] = [];
  const transport: KubeTransport = {
    send: (req) => {
      if (req.method !== 'GET' && !/\/(leases|events)(\/|$)/.test(req.path)) writes.push(req);
      return inner.send(req);
    },
    watch: (path, query, onEvent) => inner.watch(path, query, onEvent),
  };
  return { client: new KubeClient({ transport }), writes };
}

let h: Harness;
const controllers: Controller[] = [];
afterEach(async () => {
  await Promise.all(controllers.splice(0).map((c) => c.stop()));
  await h.stop();
});

describe('two controller instances with leader election', () => {
  it('only the leader writes; after it steps down the other takes over', async () => {
    h = await startHarness();
    const instances = ['a', 'b'].map((identity) => {
      const { client, writes } = countingClient(h.sim.kubeconfigPath);
      const controller = new Controller({
        deps: assembleDeps({ client, logger: pino({ level: 'silent' }), provider: h.provider }),
        logger: pino({ level: 'silent' }),
        namespace: NS,
        workers: 2,
        leaderElection: {
          namespace: NS,
          name: 'serin-controller',
          identity,
          leaseDurationMs: 1500,
          renewDeadlineMs: 1000,
          retryPeriodMs: 200,
        },
      });
      controllers.push(controller);
      controller.start();
      return { identity, controller, writes };
    });
    await eventually(async () => (await h.get('Deployment', 'podinfo-primary')) !== undefined, 'the primary');
    await h.markRolledOut('podinfo-primary');
    await eventually(async () => (await status(h)).phase === 'Idle', 'Idle');

    const leaders = instances.filter((i) => i.controller.isLeader());
    expect(leaders).toHaveLength(1);
    const [leader] = leaders;
    const standby = instances.find((i) => i !== leader)!;
    expect(leader!.writes.length).toBeGreaterThan(0);
    expect(standby.writes).toEqual([]);
    expect(standby.controller.ready()).toEqual({ ready: true, detail: 'ok (standby)' });

    await leader!.controller.stop();
    await eventually(() => standby.controller.isLeader(), 'the standby to lead');
    await release(h, 'podinfo:2.0');
    await eventually(
      async () => (await status(h)).phase === 'Progressing',
      'the new leader to start the rollout',
    );
    expect(standby.writes.length).toBeGreaterThan(0);
  });
});
