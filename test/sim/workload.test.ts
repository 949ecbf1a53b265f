import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../../src/kube/index.ts';
import { UpstreamCaller } from '../../src/sim/mesh/index.ts';
import { startWorkloadEmulator, type WorkloadEmulator } from '../../src/sim/workload/index.ts';
import { NS, binomialTolerance, deployment, deploymentRef, readDeployment } from './helpers.ts';
import { ManualClock, eventually, startSim, type KubeSim } from '../support/index.ts';

const DELAY = 500;
let sim: KubeSim;
let client: KubeClient;
let clock: ManualClock;
let workloads: WorkloadEmulator;

beforeAll(async () => {
  ({ sim, client } = await startSim({ namespaces: [NS] }));
  clock = new ManualClock();
  workloads = await startWorkloadEmulator({ client, namespace: NS, startupDelayMs: DELAY, clock });
});
afterAll(async () => {
  await workloads.stop();
  await sim.stop();
});

/** Waits until the emulator has written status for the Deployment's current generation. */
async function observed(name: string): Promise<Record<string, number | undefined>> {
  let status: Record<string, number | undefined> = {};
  await eventually(async () => {
    const d = await readDeployment(client, name);
    status = d.status;
    return d.status.observedGeneration === d.generation;
  }, `${name} observed`);
  await workloads.idle();
  return status;
}

async function errorsOf(url: string, n: number): Promise<number> {
  const caller = new UpstreamCaller({ timeoutMs: 10_000, maxSockets: 16 });
  try {
    const results = await Promise.all(Array.from({ length: n }, () => caller.call(url, '/', {})));
    return results.filter((r) => r.code === 500).length;
  } finally {
    caller.close();
  }
}

describe('workload emulator', () => {
  it('reports a new Deployment ready only once its start-up delay has passed', async () => {
    await client.create(deployment({ name: 'web', replicas: 2 }));
    const before = await observed('web');
    expect(before).toMatchObject({ replicas: 2 });
    expect(before.readyReplicas ?? 0).toBe(0);
    expect(workloads.app(NS, 'web')).toBeUndefined();

    clock.advance(DELAY - 1);
    await workloads.idle();
    expect(workloads.app(NS, 'web')).toBeUndefined();

    clock.advance(1);
    await eventually(
      async () => (await readDeployment(client, 'web')).status.availableReplicas === 2,
      'web available',
    );
    const { generation, status } = await readDeployment(client, 'web');
    expect(status).toMatchObject({
      observedGeneration: generation,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    });
    expect((await fetch(workloads.app(NS, 'web')!.url)).status).toBe(200);
  });

  it('answers 500 at the rate DEMO_ERROR_RATE sets', async () => {
    await client.create(deployment({ name: 'flaky', env: { DEMO_ERROR_RATE: '0.3', DEMO_LATENCY_MS: '1' } }));
    await observed('flaky');
    clock.advance(DELAY);
    await eventually(() => workloads.app(NS, 'flaky') !== undefined, 'flaky running');
    const app = workloads.app(NS, 'flaky')!;
    expect(app.behaviour).toEqual({ errorRate: 0.3, latencyMs: 1 });

    const n = 400;
    const errors = await errorsOf(app.url, n);
    expect(Math.abs(errors - n * 0.3)).toBeLessThanOrEqual(binomialTolerance(n, 0.3));
  });

  it('never answers 500 when DEMO_ERROR_RATE is unset', async () => {
    await client.create(deployment({ name: 'steady' }));
    await observed('steady');
    clock.advance(DELAY);
    await eventually(() => workloads.app(NS, 'steady') !== undefined, 'steady running');
    expect(await errorsOf(workloads.app(NS, 'steady')!.url, 100)).toBe(0);
  });

  it('stops the app and reports no replicas when scaled to 0', async () => {
    const { url } = workloads.app(NS, 'web')!;
    await client.mergePatch(deploymentRef('web'), { spec: { replicas: 0 } });
    const status = await observed('web');
    expect(workloads.app(NS, 'web')).toBeUndefined();
    // A real API server omits zero counts; the emulator writes what a reader would really see.
    expect(status.replicas ?? 0).toBe(0);
    expect(status.readyReplicas ?? 0).toBe(0);
    expect(status.availableReplicas ?? 0).toBe(0);
    await eventually(async () => {
      try {
        await fetch(url);
        return false;
      } catch {
        return true;
      }
    }, 'old app refuses connections');
  });

  it('restarts on a new pod template: updated replicas drop, old pods serve, then the new ones take over', async () => {
    const old = workloads.app(NS, 'steady')!;
    await client.mergePatch(deploymentRef('steady'), {
      spec: {
        template: {
          spec: {
            containers: [{ name: 'app', image: 'podinfo:2', env: [{ name: 'DEMO_ERROR_RATE', value: '1' }] }],
          },
        },
      },
    });
    const during = await observed('steady');
    expect(during.updatedReplicas ?? 0).toBe(0);
    expect(during.availableReplicas).toBe(1);
    expect(workloads.app(NS, 'steady')?.url).toBe(old.url);

    clock.advance(DELAY);
    await eventually(
      async () => (await readDeployment(client, 'steady')).status.updatedReplicas === 1,
      'updated',
    );
    const now = workloads.app(NS, 'steady')!;
    expect(now.templateHash).not.toBe(old.templateHash);
    expect(now.behaviour.errorRate).toBe(1);
    expect((await fetch(now.url)).status).toBe(500);
  });

  it('finds endpoints by matching a Service selector against pod labels', async () => {
    await client.create(deployment({ name: 'api-primary', labels: { app: 'api-primary', tier: 'be' } }));
    await client.create(deployment({ name: 'api', labels: { app: 'api', tier: 'be' } }));
    await observed('api-primary');
    await observed('api');
    clock.advance(DELAY);
    await eventually(() => workloads.endpointsFor(NS, { tier: 'be' }).length === 2, 'both api apps ready');

    const names = (selector: Record<string, string>) =>
      workloads
        .endpointsFor(NS, selector)
        .map((e) => e.workload)
        .sort();
    expect(names({ app: 'api-primary' })).toEqual(['api-primary']);
    expect(names({ app: 'api', tier: 'be' })).toEqual(['api']);
    expect(names({ tier: 'be' })).toEqual(['api', 'api-primary']);
    expect(names({})).toEqual([]);
    expect(workloads.endpointsFor('elsewhere', { app: 'api' })).toEqual([]);
  });

  it('announces apps becoming ready and stopping, and applies a behaviour override at once', async () => {
    const events: string[] = [];
    const off = workloads.onAppEvent((e) =>
      events.push(`${e.type}:${e.app.workload}:${e.app.behaviour.errorRate}`),
    );
    await client.create(deployment({ name: 'events' }));
    await observed('events');
    clock.advance(DELAY);
    await eventually(() => workloads.app(NS, 'events') !== undefined, 'events running');
    expect(workloads.setBehaviour(NS, 'events', { errorRate: 1, latencyMs: 0 })).toBe(true);
    expect(await errorsOf(workloads.app(NS, 'events')!.url, 10)).toBe(10);
    await client.mergePatch(deploymentRef('events'), { spec: { replicas: 0 } });
    await eventually(() => workloads.app(NS, 'events') === undefined, 'events stopped');
    off();
    expect(events).toEqual(['ready:events:0', 'stopped:events:1']);
    expect(workloads.setBehaviour(NS, 'events', { errorRate: 0, latencyMs: 0 })).toBe(false);
  });

  it('stops the app of a deleted Deployment', async () => {
    expect(workloads.app(NS, 'flaky')).toBeDefined();
    await client.delete(deploymentRef('flaky'));
    await eventually(() => workloads.app(NS, 'flaky') === undefined, 'flaky stopped');
  });
});
