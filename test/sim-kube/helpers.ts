/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment --
   client-node declares its models as classes but sends plain JSON; object literals are how it is used. */
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-argument --
   these tests read raw wire JSON and assert on its shape. */
/** Shared setup for the simulator's own tests: a running simulator, client-node clients, raw HTTP. */
import * as k8s from '@kubernetes/client-node';
import type { KubeSim, KubeSimOptions } from '../../src/sim/kube/index.ts';
import { kubeConfigFor, startSim as startFixture } from '../support/index.ts';

/** A simulator with client-node clients loaded from its kubeconfig file. */
export interface SimClients {
  sim: KubeSim;
  kc: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
  custom: k8s.CustomObjectsApi;
  objects: k8s.KubernetesObjectApi;
  coordination: k8s.CoordinationV1Api;
}

/** The support fixture's simulator, with client-node's own API clients instead of serin's KubeClient. */
export async function startSim(options: KubeSimOptions = {}): Promise<SimClients> {
  const { sim } = await startFixture(options);
  const kc = kubeConfigFor(sim);
  return {
    sim,
    kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    custom: kc.makeApiClient(k8s.CustomObjectsApi),
    objects: k8s.KubernetesObjectApi.makeApiClient(kc),
    coordination: kc.makeApiClient(k8s.CoordinationV1Api),
  };
}

/** A raw HTTP answer. */
export interface RawResponse {
  status: number;
  headers: Headers;
  body: any;
}

/** Sends a request straight to the simulator (for content types and shapes client-node hides). */
export async function raw(
  sim: KubeSim,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<RawResponse> {
  const init: RequestInit = { method, headers: { 'Content-Type': contentType, Accept: 'application/json' } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(`${sim.url}${path}`, init);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // watch streams and plain text stay as text
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/** The Status body of a client-node ApiException. */
export async function failure(
  p: Promise<unknown>,
): Promise<{ code: number; status: any; headers: Record<string, string> }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof k8s.ApiException) {
      const body = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
      return { code: err.code, status: body, headers: err.headers };
    }
    throw err;
  }
  throw new Error('expected the request to fail');
}

/** A minimal valid Deployment. */
export function deployment(
  name: string,
  extra: { replicas?: number; labels?: Record<string, string> } = {},
): k8s.V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', labels: extra.labels ?? { app: name } },
    spec: {
      replicas: extra.replicas ?? 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
      },
    },
  };
}

/** A VirtualService that Istio's schema accepts. */
export function virtualService(name: string, weights: [number, number] = [100, 0]): any {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name, namespace: 'default' },
    spec: {
      hosts: ['web'],
      http: [
        {
          name: 'primary',
          route: [
            { destination: { host: 'web-primary' }, weight: weights[0] },
            { destination: { host: 'web-canary' }, weight: weights[1] },
          ],
        },
      ],
    },
  };
}

/** A Canary that serin's CRD accepts. */
export function canary(name: string): any {
  return {
    apiVersion: 'serin.dev/v1alpha1',
    kind: 'Canary',
    metadata: { name, namespace: 'default' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      service: { name: 'web', port: 80 },
      trafficRouting: { istio: { virtualServices: [{ name: 'web', routes: ['primary'] }] } },
      steps: [{ setWeight: 10 }, { pause: { duration: '1m' } }],
    },
  };
}

export const CANARIES = '/apis/serin.dev/v1alpha1/namespaces/default/canaries';
export const VIRTUAL_SERVICES = '/apis/networking.istio.io/v1/namespaces/default/virtualservices';
export const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';

/** Creates `canary(name)` over raw HTTP; fails the test unless the simulator answers 201. */
export async function createCanary(sim: KubeSim, name: string): Promise<any> {
  const r = await raw(sim, 'POST', CANARIES, canary(name));
  if (r.status !== 201)
    throw new Error(`creating Canary ${name}: expected 201, got ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** A raw watch stream: its events as they arrive, and whether the server ended it. */
export interface RawWatch {
  status: number;
  events: { type: string; object: any }[];
  ended: Promise<void>;
  isEnded(): boolean;
  close(): void;
}

/** Opens `path` (query included) as a watch and collects its newline-delimited events. */
export async function openRawWatch(sim: KubeSim, path: string): Promise<RawWatch> {
  const controller = new AbortController();
  const res = await fetch(`${sim.url}${path}`, { signal: controller.signal });
  const events: RawWatch['events'] = [];
  let ended = false;
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const done = (async () => {
    let buffer = '';
    try {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) break;
        buffer += decoder.decode(chunk.value, { stream: true });
        let i: number;
        while ((i = buffer.indexOf('\n')) >= 0) {
          events.push(JSON.parse(buffer.slice(0, i)));
          buffer = buffer.slice(i + 1);
        }
      }
    } catch {
      // aborted by close()
    }
    ended = true;
  })();
  return {
    status: res.status,
    events,
    ended: done,
    isEnded: () => ended,
    close: () => {
      controller.abort();
    },
  };
}
