/**
 * The one simulator fixture of the test suite: serin's Kubernetes API simulator on a loopback port
 * and serin's KubeClient reaching it over real HTTP through the kubeconfig file it writes, as
 * `serin controller --kubeconfig` would.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import {
  createKubeClient,
  loadKubeConfig,
  type KubeClient,
  type KubeClientOptions,
} from '../../src/kube/index.ts';
import { startKubeSim, type KubeSim, type KubeSimOptions } from '../../src/sim/kube/index.ts';

export type { KubeSim, KubeSimOptions };

/** A running simulator and a client on it. */
export interface SimFixture {
  readonly sim: KubeSim;
  readonly client: KubeClient;
}

type RetryPolicyOptions = NonNullable<KubeClientOptions['retry']>;

/** Retries short enough that a test never waits seconds for a retried request. */
const TEST_RETRY: RetryPolicyOptions = { backoff: { initialMs: 20, maxMs: 200 } };

/** Starts a simulator (ephemeral loopback port unless `options.port`) and a client on it. */
export async function startSim(
  options: KubeSimOptions = {},
  clientOptions: Omit<KubeClientOptions, 'transport'> = { retry: TEST_RETRY },
): Promise<SimFixture> {
  const sim = await startKubeSim({ port: 0, ...options });
  return { sim, client: clientFor(sim, clientOptions) };
}

/** client-node's KubeConfig for the simulator, loaded from the kubeconfig file it writes. */
export function kubeConfigFor(sim: KubeSim): KubeConfig {
  return loadKubeConfig({ kubeconfig: sim.kubeconfigPath }).kubeConfig;
}

/** Another client on the same simulator (a second process, as far as the server can tell). */
export function clientFor(
  sim: KubeSim,
  options: Omit<KubeClientOptions, 'transport'> = { retry: TEST_RETRY },
): KubeClient {
  return createKubeClient(kubeConfigFor(sim), options);
}
