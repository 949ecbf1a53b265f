/** Shared setup for the Kubernetes adapter tests that run against the simulator over real HTTP. */
import { startKubeSim } from '../../src/sim/kube/index.ts';
import type { KubeConfig } from '@kubernetes/client-node';
import { createKubeClient, loadKubeConfig, type KubeClient, type KubeObject } from '../../src/kube/index.ts';

export type KubeSim = Awaited<ReturnType<typeof startKubeSim>>;

/** Starts a simulator and a KubeClient that reaches it through the kubeconfig it hands out. */
export async function startSimClient(
  opts: Parameters<typeof startKubeSim>[0] = {},
): Promise<{ sim: KubeSim; client: KubeClient }> {
  const sim = await startKubeSim({ port: 0, namespaces: [NS], ...opts });
  return { sim, client: clientFor(sim) };
}

/** client-node's KubeConfig for the simulator, loaded from the kubeconfig file it writes. */
export function kubeConfigFor(sim: KubeSim): KubeConfig {
  return loadKubeConfig({ kubeconfig: sim.kubeconfigPath }).kubeConfig;
}

/** Another client on the same simulator (a second process, as far as the server can tell). */
export function clientFor(sim: KubeSim): KubeClient {
  return createKubeClient(kubeConfigFor(sim), { retry: { backoff: { initialMs: 20, maxMs: 200 } } });
}

/** Polls until `check` holds; fails with `what` after `timeoutMs`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const NS = 'shop';

export function secret(name: string, value: string, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: NS, labels },
    stringData: { value },
  };
}

export function canary(name: string): KubeObject {
  return {
    apiVersion: 'serin.dev/v1alpha1',
    kind: 'Canary',
    metadata: { name, namespace: NS },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      service: { name, port: 9898 },
      trafficRouting: { istio: { virtualServices: [{ name, routes: ['primary'] }] } },
      steps: [{ setWeight: 5 }, { pause: { duration: '5m' } }],
    },
  };
}

export function virtualService(name: string): KubeObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name, namespace: NS },
    spec: {
      hosts: [name],
      http: [
        {
          name: 'primary',
          route: [
            { destination: { host: `${name}-stable` }, weight: 100 },
            { destination: { host: `${name}-canary` }, weight: 0 },
          ],
        },
      ],
    },
  };
}

export function deployment(name: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'example/app:1' }] },
      },
    },
  };
}
