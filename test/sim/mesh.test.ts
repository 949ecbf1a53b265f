import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../../src/kube/index.ts';
import { ISTIO_DURATION_BUCKETS_MS, startMeshEmulator, type MeshEmulator } from '../../src/sim/mesh/index.ts';
import { startWorkloadEmulator, type WorkloadEmulator } from '../../src/sim/workload/index.ts';
import { NS, binomialTolerance, deployment, deploymentRef, service, virtualService } from './helpers.ts';
import { eventually, startSim, type KubeSim } from '../support/index.ts';

let sim: KubeSim;
let client: KubeClient;
let workloads: WorkloadEmulator;
let mesh: MeshEmulator;

const vsRef = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  namespace: NS,
  name: 'podinfo',
};
const PRIMARY = `${NS}/podinfo-primary`;
const CANARY = `${NS}/podinfo`;

/** Flagger's layout: the target Deployment is the canary, `-primary` the stable copy, one Service each. */
beforeAll(async () => {
  ({ sim, client } = await startSim({ namespaces: [NS] }));
  workloads = await startWorkloadEmulator({ client, namespace: NS, startupDelayMs: 0 });
  await client.create(deployment({ name: 'podinfo-primary', replicas: 2, env: { DEMO_LATENCY_MS: '2' } }));
  await client.create(
    deployment({ name: 'podinfo', env: { DEMO_ERROR_RATE: '0.25', DEMO_LATENCY_MS: '2' } }),
  );
  await client.create(service('podinfo-primary', { app: 'podinfo-primary' }));
  await client.create(service('podinfo-canary', { app: 'podinfo' }));
  await client.create(virtualService('podinfo', ['podinfo-primary', 80], ['podinfo-canary', 20]));
  mesh = await startMeshEmulator({
    client,
    namespace: NS,
    host: 'podinfo',
    rps: 0,
    workloadEmulator: workloads,
  });
  await eventually(() => workloads.apps().length === 2, 'both apps ready');
});
afterAll(async () => {
  await mesh.stop();
  await workloads.stop();
  await sim.stop();
});

function weightsSeen(): number[] {
  const route = mesh.route();
  return route.kind === 'route' ? route.destinations.map((d) => d.weight) : [];
}

async function setWeights(primary: number, canary: number): Promise<void> {
  await client.jsonPatch(vsRef, [
    { op: 'replace', path: '/spec/http/0/route/0/weight', value: primary },
    { op: 'replace', path: '/spec/http/0/route/1/weight', value: canary },
  ]);
  // Envoy applies configuration when istiod pushes it; the mesh learns it through its watch.
  await eventually(
    () => weightsSeen().join('/') === `${primary}/${canary}`,
    `weights ${primary}/${canary} seen`,
  );
}

/** Sample lines of the exposition for `name` whose labels include every `labels` pair. */
function samples(
  text: string,
  name: string,
  labels: Record<string, string>,
): { line: string; value: number }[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`))
    .filter((line) => Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
    .map((line) => ({ line, value: Number(line.slice(line.lastIndexOf(' ') + 1)) }));
}

const sum = (xs: { value: number }[]): number => xs.reduce((s, x) => s + x.value, 0);

describe('mesh emulator', () => {
  it('splits requests by the VirtualService weights (80/20 within a binomial band)', async () => {
    const since = Date.now();
    const n = 300;
    await mesh.send(n);
    const counts = mesh.requestsSince(since);
    expect(counts.total).toBe(n);
    expect(counts.unrouted).toEqual({});
    const canary = counts.byWorkload[CANARY]?.total ?? 0;
    expect((counts.byWorkload[PRIMARY]?.total ?? 0) + canary).toBe(n);
    expect(Math.abs(canary - n * 0.2)).toBeLessThanOrEqual(binomialTolerance(n, 0.2));
  });

  it('follows a weight change it learns through the watch', async () => {
    await setWeights(0, 100);
    const since = Date.now();
    await mesh.send(50);
    expect(mesh.requestsSince(since).byWorkload).toEqual({
      [CANARY]: expect.objectContaining({ total: 50 }),
    });

    await setWeights(100, 0);
    const later = Date.now();
    await mesh.send(50);
    expect(mesh.requestsSince(later).byWorkload).toEqual({
      [PRIMARY]: expect.objectContaining({ total: 50 }),
    });
    await setWeights(80, 20);
  });

  it("exports istio_requests_total with Istio's destination labels, matching the requests sent", async () => {
    const text = await (await fetch(mesh.metricsUrl)).text();
    const all = mesh.requestsSince(0).byWorkload;
    const series = { reporter: 'destination', destination_workload_namespace: NS };
    const canary = { ...series, destination_workload: 'podinfo', destination_service_name: 'podinfo-canary' };
    const primary = {
      ...series,
      destination_workload: 'podinfo-primary',
      destination_service_name: 'podinfo-primary',
    };

    expect(sum(samples(text, 'istio_requests_total', canary))).toBe(all[CANARY]?.total);
    expect(sum(samples(text, 'istio_requests_total', { ...canary, response_code: '500' }))).toBe(
      all[CANARY]?.errors,
    );
    expect(all[CANARY]?.errors).toBeGreaterThan(0);
    expect(sum(samples(text, 'istio_requests_total', primary))).toBe(all[PRIMARY]?.total);
    expect(samples(text, 'istio_requests_total', { ...primary, response_code: '500' })).toEqual([]);
  });

  it("exports istio_request_duration_milliseconds with Istio's default buckets", async () => {
    const text = await (await fetch(mesh.metricsUrl)).text();
    const labels = { reporter: 'destination', destination_workload: 'podinfo-primary', response_code: '200' };
    const buckets = samples(text, 'istio_request_duration_milliseconds_bucket', labels);
    const les = buckets.map((b) => /le="([^"]+)"/.exec(b.line)?.[1]);
    expect(les).toEqual([...ISTIO_DURATION_BUCKETS_MS.map(String), '+Inf']);
    const count = sum(samples(text, 'istio_request_duration_milliseconds_count', labels));
    expect(buckets.at(-1)?.value).toBe(count);
    expect(count).toBe(mesh.requestsSince(0).byWorkload[PRIMARY]?.byCode['200']);
  });

  it('paces requests at the rate set at run time', async () => {
    const since = Date.now();
    mesh.setRps(200);
    expect(mesh.currentRps()).toBe(200);
    await eventually(() => mesh.requestsSince(since).total >= 20, 'paced requests sent');
    mesh.setRps(0);
    expect(mesh.currentRps()).toBe(0);
  });

  it('delivers nothing to a Service without ready pods, and says why', async () => {
    await setWeights(0, 100);
    await client.mergePatch(deploymentRef('podinfo'), { spec: { replicas: 0 } });
    await eventually(() => workloads.app(NS, 'podinfo') === undefined, 'canary stopped');
    const since = Date.now();
    const outcomes = await mesh.send(5);
    expect(outcomes.map((o) => o.code)).toEqual([503, 503, 503, 503, 503]);
    expect(mesh.requestsSince(since)).toMatchObject({
      byWorkload: {},
      unrouted: { [`Service ${NS}/podinfo-canary: no healthy upstream`]: 5 },
    });
  });
});
