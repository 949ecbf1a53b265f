/** Shared setup for the emulator tests: the Kubernetes API simulator over HTTP, builders, a manual clock. */
import { startKubeSim } from '../../src/sim/kube/index.ts';
import { createKubeClient, loadKubeConfig, type KubeClient, type KubeObject } from '../../src/kube/index.ts';
import type { Clock } from '../../src/ports/index.ts';

export type KubeSim = Awaited<ReturnType<typeof startKubeSim>>;

export const NS = 'shop';

/** A simulator with namespace {@link NS} and a client that reaches it through its kubeconfig file. */
export async function startSim(): Promise<{ sim: KubeSim; client: KubeClient }> {
  const sim = await startKubeSim({ port: 0, namespaces: [NS] });
  const { kubeConfig } = loadKubeConfig({ kubeconfig: sim.kubeconfigPath });
  const client = createKubeClient(kubeConfig, { retry: { backoff: { initialMs: 20, maxMs: 200 } } });
  return { sim, client };
}

/** Polls until `check` holds; fails with `what` after `timeoutMs` (a bound on waiting, not an assertion on time). */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A clock whose sleeps end only when the test advances it. */
export class ManualClock implements Clock {
  #now = 1_700_000_000_000;
  readonly #sleepers: { until: number; wake: () => void }[] = [];

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted === true) {
        resolve();
        return;
      }
      const sleeper = {
        until: this.#now + ms,
        wake: () => {
          this.#sleepers.splice(this.#sleepers.indexOf(sleeper), 1);
          resolve();
        },
      };
      this.#sleepers.push(sleeper);
      signal?.addEventListener('abort', () => {
        sleeper.wake();
      });
    });
  }

  /** Sleeps not yet ended. */
  pending(): number {
    return this.#sleepers.length;
  }

  advance(ms: number): void {
    this.#now += ms;
    for (const s of this.#sleepers.filter((x) => x.until <= this.#now)) s.wake();
  }
}

export interface DeploymentSpec {
  name: string;
  replicas?: number;
  labels?: Record<string, string>;
  env?: Record<string, string>;
}

/** A Deployment whose pods carry `labels` (default `app: <name>`) and whose container has `env`. */
export function deployment(spec: DeploymentSpec): KubeObject {
  const labels = spec.labels ?? { app: spec.name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: spec.name, namespace: NS },
    spec: {
      replicas: spec.replicas ?? 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'ghcr.io/stefanprodan/podinfo:6.7.0',
              env: Object.entries(spec.env ?? {}).map(([name, value]) => ({ name, value })),
            },
          ],
        },
      },
    },
  };
}

export function service(name: string, selector: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NS },
    spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 9898 }] },
  };
}

/** A VirtualService for `host` with one route named `primary` splitting between two Services. */
export function virtualService(
  host: string,
  primary: [string, number],
  canary: [string, number],
): KubeObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: host, namespace: NS },
    spec: {
      hosts: [host],
      http: [
        {
          name: 'primary',
          route: [
            { destination: { host: primary[0] }, weight: primary[1] },
            { destination: { host: canary[0] }, weight: canary[1] },
          ],
        },
      ],
    },
  };
}

export const deploymentRef = (name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  namespace: NS,
  name,
});

/** The status and generation of a Deployment as the API server has them now. */
export async function readDeployment(
  client: KubeClient,
  name: string,
): Promise<{ generation: number; status: Record<string, number | undefined> }> {
  const d = await client.get(deploymentRef(name));
  return {
    generation: d.metadata.generation ?? 0,
    status: (d.status ?? {}) as Record<string, number | undefined>,
  };
}

/**
 * Half-width of an acceptance band for a binomial count: `z` standard deviations of Binomial(n, p).
 * With z = 4.5 a correct implementation fails about once in 150,000 runs.
 */
export function binomialTolerance(n: number, p: number, z = 4.5): number {
  return z * Math.sqrt(n * p * (1 - p));
}
