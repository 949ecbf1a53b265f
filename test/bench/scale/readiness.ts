/**
 * The scale bench's stand-in for kube-controller-manager and the kubelet: a Deployment is made
 * ready at once (observedGeneration = generation, every replica updated and available), through
 * the status subresource, as the workload emulator (src/sim/workload) would after its start-up
 * delay. The emulator also runs pods, a mesh and per-pod state, which at 10,000 Deployments would
 * measure the emulator more than serin; serin reads only these status fields.
 */
import { objectKey, ResourceCache, type KubeClient, type KubeObject } from '../../../src/kube/index.ts';

interface DeploymentView {
  generation: number;
  replicas: number;
  status: Record<string, unknown>;
}

function view(d: KubeObject): DeploymentView {
  const spec = (d.spec ?? {}) as { replicas?: number };
  return {
    generation: d.metadata.generation ?? 1,
    replicas: spec.replicas ?? 1,
    status: (d.status ?? {}) as Record<string, unknown>,
  };
}

/** The status patch a ready Deployment has (zero counts as null, as the API server omits them). */
function readyStatus(v: DeploymentView): Record<string, number | null> {
  const n = v.replicas === 0 ? null : v.replicas;
  return {
    observedGeneration: v.generation,
    replicas: n,
    updatedReplicas: n,
    readyReplicas: n,
    availableReplicas: n,
  };
}

function says(status: Record<string, unknown>, patch: Record<string, number | null>): boolean {
  return Object.entries(patch).every(
    ([k, v]) => (typeof status[k] === 'number' ? status[k] : 0) === (v ?? 0),
  );
}

/** A running readiness writer. */
export interface ReadinessWriter {
  /** Status writes made so far. */
  writes(): number;
  /** Status writes that failed (retried on the next change or sweep). */
  failures(): number;
  stop(): Promise<void>;
}

/** Watches every Deployment and writes a ready status whenever one's spec changes; `concurrency` writes at a time. */
export async function startReadinessWriter(client: KubeClient, concurrency = 16): Promise<ReadinessWriter> {
  const cache = new ResourceCache({ client, apiVersion: 'apps/v1', kind: 'Deployment' });
  const pending = new Set<string>();
  const queue: string[] = [];
  let running = 0;
  let writes = 0;
  let failures = 0;
  let stopped = false;
  const write = async (key: string): Promise<void> => {
    const [namespace = '', name = ''] = key.split('/');
    const d = cache.get(namespace, name);
    if (d === undefined) return;
    const status = readyStatus(view(d));
    if (says(view(d).status, status)) return;
    try {
      await client.mergePatch(
        { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name },
        { status },
        {
          subresource: 'status',
        },
      );
      writes += 1;
    } catch {
      failures += 1;
    }
  };
  const pump = (): void => {
    while (!stopped && running < concurrency && queue.length > 0) {
      const key = queue.shift() ?? '';
      pending.delete(key);
      running += 1;
      void write(key).finally(() => {
        running -= 1;
        pump();
      });
    }
  };
  const enqueue = (d: KubeObject): void => {
    const key = objectKey(d.metadata.namespace, d.metadata.name ?? '');
    if (pending.has(key) || says(view(d).status, readyStatus(view(d)))) return;
    pending.add(key);
    queue.push(key);
    pump();
  };
  cache.onChange(({ object }) => {
    enqueue(object);
  });
  cache.start();
  await cache.synced;
  for (const d of cache.list()) enqueue(d);
  // A failed write is retried by a sweep, so no Deployment stays unready because of one refusal.
  const sweep = setInterval(() => {
    for (const d of cache.list()) enqueue(d);
  }, 5_000);
  return {
    writes: () => writes,
    failures: () => failures,
    stop: async () => {
      stopped = true;
      clearInterval(sweep);
      await cache.stop();
    },
  };
}
