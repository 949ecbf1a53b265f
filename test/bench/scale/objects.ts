/**
 * The scale bench's objects: N copies of the example service (docs/examples/podinfo.yaml's
 * Deployment and VirtualService) with a Canary each, 100 to a namespace, and the shipped
 * istio-success-rate template in every namespace, pointed at the Prometheus stand-in.
 */
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '../../../src/kube/index.ts';
import { loadManifests, withPrometheus } from '../../../src/sim/examples.ts';

/** Canaries per namespace. */
export const PER_NAMESPACE = 100;
/** The analysis interval of every rollout (the "analyses at 30 s intervals"). */
export const MEASUREMENT_INTERVAL_S = 30;
/** The template's rate window: passing measurements are deferred until traffic has covered it. */
export const WINDOW = '30s';
/** The scrape interval the template tells serin (evidence rule: window + 2 scrapes). */
export const SCRAPE_INTERVAL = '5s';
/** Index of the analysis step in every Canary. */
export const ANALYSIS_STEP = 1;
/** Canary weight while under analysis. */
export const CANARY_WEIGHT = 10;

/** One workload: its namespace and name (Deployment, VirtualService and Canary share the name). */
export interface Workload {
  readonly namespace: string;
  readonly name: string;
}

const repo = (path: string): string => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

export function workloads(n: number): Workload[] {
  return Array.from({ length: n }, (_, i) => ({
    namespace: `scale-${String(Math.floor(i / PER_NAMESPACE)).padStart(3, '0')}`,
    name: `w${String(i).padStart(5, '0')}`,
  }));
}

export function namespacesOf(list: readonly Workload[]): string[] {
  return [...new Set(list.map((w) => w.namespace))];
}

/**
 * The shipped template, measuring every 30 s without end during the bench (count 100,000) and
 * failing at the first failing measurement (failureLimit 0), so a breach is one measurement away.
 */
export function template(namespace: string, prometheusUrl: string): KubeObject {
  const [shipped] = loadManifests(repo('analysis-templates/istio-success-rate.yaml'));
  if (!shipped) throw new Error('analysis-templates/istio-success-rate.yaml is empty');
  const t = withPrometheus(shipped, {
    address: prometheusUrl,
    interval: `${MEASUREMENT_INTERVAL_S}s`,
    count: 100_000,
    scrapeInterval: SCRAPE_INTERVAL,
  });
  for (const metric of (t.spec as { metrics: { failureLimit?: number }[] }).metrics) metric.failureLimit = 0;
  return { ...t, metadata: { ...t.metadata, namespace } };
}

const examples = loadManifests(repo('docs/examples/podinfo.yaml'));

function renamed(object: KubeObject, w: Workload): KubeObject {
  const text = JSON.stringify(object).replaceAll('podinfo', w.name);
  const copy = JSON.parse(text) as KubeObject;
  return { ...copy, metadata: { ...copy.metadata, namespace: w.namespace } };
}

/** The target Deployment and the team's VirtualService of a workload. */
export function serviceObjects(w: Workload): KubeObject[] {
  return examples.map((o) => renamed(o, w));
}

/** setWeight 10 → analysis (success rate, 30 s interval) → pause until an Approval. */
export function canary(w: Workload): KubeObject {
  return {
    apiVersion: 'serin.dev/v1alpha1',
    kind: 'Canary',
    metadata: { name: w.name, namespace: w.namespace },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: w.name },
      service: { name: w.name, port: 9898 },
      trafficRouting: { istio: { virtualServices: [{ name: w.name, routes: ['primary'] }] } },
      progressDeadlineSeconds: 600,
      abortScaleDownDelaySeconds: 5,
      scaleDownDelaySeconds: 0,
      steps: [
        { setWeight: CANARY_WEIGHT },
        {
          analysis: {
            templates: [{ templateName: 'istio-success-rate' }],
            args: [
              { name: 'namespace', value: w.namespace },
              { name: 'workload', value: w.name },
              { name: 'window', value: WINDOW },
            ],
          },
        },
        { pause: {} },
      ],
    },
  };
}
