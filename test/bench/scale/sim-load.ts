/**
 * `npx tsx test/bench/scale/sim-load.ts [--canaries N] [--watches W]`: the Kubernetes API simulator
 * alone at scale. Creates, over HTTP, what N Canaries live with (per Canary: the target and primary
 * Deployments, the two Services serin creates, the VirtualService and the Canary: 6 objects), with
 * W cluster-wide watches open on each of those kinds, then times lists, gets, status patches and the
 * watch fan-out. Prints figures (run it with `node --cpu-prof --import tsx` to see where time goes).
 */
import { parseArgs } from 'node:util';
import { createKubeClient, loadKubeConfig, ResourceCache, type KubeClient } from '../../../src/kube/index.ts';
import { startKubeSim } from '../../../src/sim/kube/index.ts';
import { canary, namespacesOf, serviceObjects, workloads, type Workload } from './objects.ts';

const { values } = parseArgs({
  options: { canaries: { type: 'string', default: '10000' }, watches: { type: 'string', default: '2' } },
});
const n = Number(values.canaries);
const watchCount = Number(values.watches);

async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await fn(item);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

function service(w: Workload, suffix: string): Parameters<KubeClient['create']>[0] {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `${w.name}-${suffix}`, namespace: w.namespace },
    spec: { selector: { app: `${w.name}-${suffix}` }, ports: [{ port: 9898, targetPort: 9898 }] },
  };
}

async function timed(label: string, count: number, fn: () => Promise<void>): Promise<void> {
  const t0 = performance.now();
  await fn();
  const s = (performance.now() - t0) / 1000;
  console.log(`${label}: ${s.toFixed(2)} s${count > 1 ? ` (${(count / s).toFixed(0)}/s)` : ''}`);
}

const KINDS: [string, string][] = [
  ['serin.dev/v1alpha1', 'Canary'],
  ['apps/v1', 'Deployment'],
  ['v1', 'Service'],
  ['networking.istio.io/v1', 'VirtualService'],
];

const list = workloads(n);
const sim = await startKubeSim({ port: 0, namespaces: namespacesOf(list) });
const client = createKubeClient(loadKubeConfig({ kubeconfig: sim.kubeconfigPath }).kubeConfig);
const caches = KINDS.flatMap(([apiVersion, kind]) =>
  Array.from({ length: watchCount }, () => new ResourceCache({ client, apiVersion, kind })),
);
for (const c of caches) c.start();
await Promise.all(caches.map((c) => c.synced));
const rss = (): string => `${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`;
console.log(`sim-load: N=${n} Canaries (${n * 6} objects), ${watchCount} watches per kind`);
try {
  await timed(`create ${n * 6} objects`, n * 6, () =>
    pool(list, 32, async (w) => {
      const [deployment, vs] = serviceObjects(w);
      if (deployment === undefined || vs === undefined) return;
      const primary = structuredClone(deployment);
      primary.metadata.name = `${w.name}-primary`;
      await client.create(deployment);
      await client.create(primary);
      await client.create(service(w, 'primary'));
      await client.create(service(w, 'canary'));
      await client.create(vs);
      await client.create(canary(w));
    }),
  );
  const synced = performance.now();
  while (caches.some((c) => c.list().length < n)) await new Promise((r) => setTimeout(r, 20));
  console.log(
    `watches caught up ${((performance.now() - synced) / 1000).toFixed(2)} s after the last create; RSS ${rss()}`,
  );
  await timed('list all Canaries (cluster-wide)', 1, async () => {
    await client.list('serin.dev/v1alpha1', 'Canary');
  });
  await timed('list Deployments of one namespace × 20', 20, async () => {
    for (let i = 0; i < 20; i++)
      await client.list('apps/v1', 'Deployment', { namespace: list[0]?.namespace ?? '' });
  });
  const sample = list.slice(0, Math.min(n, 2_000));
  await timed(`get ${sample.length} Canaries`, sample.length, () =>
    pool(sample, 16, async (w) => {
      await client.get({
        apiVersion: 'serin.dev/v1alpha1',
        kind: 'Canary',
        namespace: w.namespace,
        name: w.name,
      });
    }),
  );
  await timed(
    `status patch ${sample.length} Canaries (each fanned out to ${watchCount} watches)`,
    sample.length,
    () =>
      pool(sample, 16, async (w) => {
        await client.mergePatch(
          { apiVersion: 'serin.dev/v1alpha1', kind: 'Canary', namespace: w.namespace, name: w.name },
          { status: { phase: 'Idle' } },
          { subresource: 'status' },
        );
      }),
  );
  console.log(`RSS ${rss()}, open watches ${sim.openWatchCount()}`);
} finally {
  await Promise.all(caches.map((c) => c.stop()));
  await sim.stop();
}
