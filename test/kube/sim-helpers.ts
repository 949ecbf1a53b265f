/** Builders for the Kubernetes adapter tests (the simulator fixture is test/support/sim.ts). */
import type { KubeObject } from '../../src/kube/index.ts';

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
