import { isKubeError, type KubeObject } from '../kube/index.ts';
import type { Cluster } from './cluster.ts';
import { ONCALL_EXIT } from './oncall-exit.ts';
import { OncallFailure, explain } from './oncall-failure.ts';

/** Reads a Canary of the cluster's namespace; a missing one says which one and where (exit 3). */
export async function readCanary(cluster: Cluster, name: string, signal: AbortSignal): Promise<KubeObject> {
  const ref = { apiVersion: 'serin.dev/v1alpha1', kind: 'Canary', namespace: cluster.namespace, name };
  try {
    return await cluster.client.get(ref, { signal });
  } catch (err) {
    if (isKubeError(err, 'NotFound')) {
      throw new OncallFailure(
        `Canary "${name}" not found in namespace "${cluster.namespace}" (serin get canaries -A lists them all)`,
        ONCALL_EXIT.notFound,
        { cause: err },
      );
    }
    throw explain(err, { verb: 'get', resource: 'canaries.serin.dev', namespace: cluster.namespace, name });
  }
}
