/**
 * A Canary's whole life without an outage (issue 13), end to end: the Kubernetes API simulator with
 * its garbage collector, the workload emulator (the demo app's pods), the mesh emulator sending
 * paced traffic through the VirtualService, and serin's controller. No analysis runs here, so no
 * Prometheus is started: every verdict below is read from the mesh's own traffic log, which
 * records where each request went and how it was answered.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/kube/index.ts';
import type { TrafficCounts } from '../../src/sim/mesh/index.ts';
import { startStack, type Stack } from '../../src/sim/stack.ts';
import { startScenario, type Scenario } from './scenario.ts';

const RPS = 50;
/** 30% to the canary, then a manual approval: long enough to act mid-rollout. */
const steps = () => [{ setWeight: 30 }, { pause: {} }];

let stack: Stack;
let scenario: Scenario | undefined;

beforeAll(async () => {
  stack = await startStack({ prometheus: false });
}, 60_000);
afterAll(async () => {
  await stack.stop();
});
afterEach(async () => {
  await scenario?.stop();
  scenario = undefined;
});

async function start(): Promise<Scenario> {
  // No analysis step: the templates are applied but never queried.
  const s = await startScenario(stack, { steps, rps: RPS, prometheusUrl: 'http://127.0.0.1:9' });
  await s.waitFor('Idle', (st) => st.phase === 'Idle');
  return s;
}

function ref(s: Scenario, apiVersion: string, kind: string, name: string) {
  return { apiVersion, kind, namespace: s.ns, name };
}

/** Every request since `since` reached a workload and none was answered with a 5xx. */
function failures(counts: TrafficCounts): { unrouted: Record<string, number>; errors: number } {
  const workloads = Object.values(counts.byWorkload);
  return { unrouted: counts.unrouted, errors: workloads.reduce((sum, w) => sum + w.errors, 0) };
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('a Canary’s whole life without an outage', () => {
  it('(a) deleting a Canary mid-rollout never drops a request: traffic goes to the primary, the Canary goes', async () => {
    scenario = await start();
    const s = scenario;
    const from = Date.now();
    await s.release('podinfo:2.0.0');
    await s.waitFor('the approval step at 30%', (st) => st.phase === 'Paused' && st.pauseReason === 'Manual');
    expect(await s.weights()).toEqual({ primary: 70, canary: 30 });
    // Let the canary take its 30% for a while, so the deletion really lands mid-rollout.
    await sleep(1_500);

    await stack.client.delete(ref(s, 'serin.dev/v1alpha1', 'Canary', 'podinfo'));
    await waitUntil('the Canary to go', async () => {
      return (await stack.client.find(ref(s, 'serin.dev/v1alpha1', 'Canary', 'podinfo'))) === undefined;
    });
    // Traffic keeps flowing after the Canary is gone: watch two more seconds of it.
    const gone = Date.now();
    await sleep(2_000);

    expect(await s.weights()).toEqual({ primary: 100, canary: 0 });
    const all = s.mesh.requestsSince(from);
    expect(all.complete).toBe(true);
    expect(failures(all)).toEqual({ unrouted: {}, errors: 0 });
    expect(all.byWorkload[`${s.ns}/podinfo`]?.total ?? 0).toBeGreaterThan(5);
    const after = s.mesh.requestsSince(gone);
    expect(after.byWorkload[`${s.ns}/podinfo-primary`]?.total ?? 0).toBeGreaterThan(RPS);
    // What remains serves: the primary and both Services are kept.
    expect(await s.replicas('podinfo-primary')).toBeGreaterThan(0);
    expect(await stack.client.find(ref(s, 'v1', 'Service', 'podinfo-primary'))).toBeDefined();
  }, 120_000);

  it('(b) an HPA on the target: the primary gets <hpa>-primary, the canary follows its replicas, the HPA owns them', async () => {
    scenario = await start();
    const s = scenario;
    const hpaRef = (name: string) => ref(s, 'autoscaling/v2', 'HorizontalPodAutoscaler', name);
    await stack.client.create({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'podinfo', namespace: s.ns },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
        minReplicas: 2,
        maxReplicas: 6,
      },
    });
    await waitUntil(
      'podinfo-primary HPA',
      async () => (await stack.client.find(hpaRef('podinfo-primary'))) !== undefined,
    );
    const copy = await stack.client.get(hpaRef('podinfo-primary'));
    expect((copy.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name).toBe('podinfo-primary');

    // Play the HPA controller for the primary: it scaled to 3.
    await stack.client.mergePatch(
      hpaRef('podinfo-primary'),
      { status: { currentReplicas: 3, desiredReplicas: 3 } },
      { subresource: 'status' },
    );
    await stack.client.mergePatch(ref(s, 'apps/v1', 'Deployment', 'podinfo-primary'), {
      spec: { replicas: 3 },
    });
    const from = Date.now();
    await s.release('podinfo:2.0.0');
    await s.waitFor('the approval step at 30%', (st) => st.phase === 'Paused' && st.pauseReason === 'Manual');
    expect(await s.replicas('podinfo')).toBe(3);

    // The user's HPA scales the canary for its share of the traffic; serin leaves it.
    await stack.client.mergePatch(ref(s, 'apps/v1', 'Deployment', 'podinfo'), { spec: { replicas: 2 } });
    await stack.client.mergePatch(hpaRef('podinfo'), { spec: { maxReplicas: 8 } });
    await waitUntil('podinfo-primary to follow maxReplicas', async () => {
      const spec = (await stack.client.get(hpaRef('podinfo-primary'))).spec as { maxReplicas: number };
      return spec.maxReplicas === 8;
    });
    expect(await s.replicas('podinfo')).toBe(2);

    await s.approve();
    await s.waitFor('Succeeded', (st) => st.phase === 'Succeeded');
    expect(await s.replicas('podinfo-primary')).toBe(3);
    await waitUntil('the canary parked at 0', async () => (await s.replicas('podinfo')) === 0);
    expect(failures(s.mesh.requestsSince(from))).toEqual({ unrouted: {}, errors: 0 });
  }, 120_000);

  it('(c) a ConfigMap change is a release: it rolls out through the steps and reaches the primary on promotion', async () => {
    scenario = await start();
    const s = scenario;
    const cmRef = (name: string) => ref(s, 'v1', 'ConfigMap', name);
    const config: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'podinfo-config', namespace: s.ns },
      data: { GREETING: 'hello' },
    };
    await stack.client.create(config);
    // First the template starts using it (itself a release), promoted.
    await stack.client.jsonPatch(ref(s, 'apps/v1', 'Deployment', 'podinfo'), [
      {
        op: 'add',
        path: '/spec/template/spec/containers/0/envFrom',
        value: [{ configMapRef: { name: 'podinfo-config' } }],
      },
    ]);
    await s.waitFor('the approval step', (st) => st.phase === 'Paused' && st.pauseReason === 'Manual');
    await s.approve();
    const first = await s.waitFor('Succeeded', (st) => st.phase === 'Succeeded');
    expect((await stack.client.get(cmRef('podinfo-config-primary'))).data).toEqual({ GREETING: 'hello' });

    // Now only the ConfigMap changes: a new revision, 30% first, the primary's copy untouched.
    // The weight history comes through a watch, which may trail the status just read.
    await waitUntil('the first promotion in the weight history', () =>
      Promise.resolve(s.weightHistory.at(-1) === 0),
    );
    const from = Date.now();
    const historyFrom = s.weightHistory.length;
    await stack.client.mergePatch(cmRef('podinfo-config'), { data: { GREETING: 'bonjour' } });
    const rolling = await s.waitFor(
      'the config release at its approval step',
      (st) => st.phase === 'Paused' && st.pauseReason === 'Manual' && st.revision !== first.revision,
    );
    expect(rolling.currentStepIndex).toBe(1);
    expect(await s.weights()).toEqual({ primary: 70, canary: 30 });
    expect((await stack.client.get(cmRef('podinfo-config-primary'))).data).toEqual({ GREETING: 'hello' });

    await s.approve();
    await s.waitFor('Succeeded', (st) => st.phase === 'Succeeded' && st.stableRevision === rolling.revision);
    expect((await stack.client.get(cmRef('podinfo-config-primary'))).data).toEqual({ GREETING: 'bonjour' });
    expect(s.weightHistory.slice(historyFrom)).toEqual([30, 0]);
    expect(failures(s.mesh.requestsSince(from))).toEqual({ unrouted: {}, errors: 0 });
  }, 120_000);
});
