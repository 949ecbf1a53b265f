/** Builders for the emulator tests (the simulator fixture, poll and clock are in test/support). */
import type { KubeClient, KubeObject } from '../../src/kube/index.ts';

export const NS = 'shop';

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
