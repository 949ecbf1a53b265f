/**
 * The fuzz suite's world (issue 17): a valid set of objects (a Deployment, a VirtualService, an
 * AnalysisTemplate, a Canary, from docs/examples/canary.yaml's shape) that the generators mutate,
 * and CustomResourceDefinitions without schemas, so that what the generators make reaches the
 * controller as it would on a cluster whose CRDs are older than the controller (docs/controller.md:
 * "the installed CRD may be older than the controller"): the controller is then the last line.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import type { KubeObject } from '../../src/kube/index.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A JSON value, as the generators build them. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Everything one input puts in its namespace. `undefined` leaves an object out. */
export interface World {
  deployment: JsonObject | undefined;
  virtualService: JsonObject | undefined;
  templates: JsonObject[];
  canary: JsonObject;
  /** Created after the Canary has reached Idle (Approvals concern a rollout under way or not). */
  approvals: JsonObject[];
}

export const NAME = 'podinfo';

/** The valid world: every generator starts from a fresh copy. */
export function validWorld(): World {
  return {
    deployment: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: NAME, labels: { app: NAME } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: NAME } },
        template: {
          metadata: { labels: { app: NAME } },
          spec: { containers: [{ name: 'app', image: 'ghcr.io/stefanprodan/podinfo:6.7.0' }] },
        },
      },
    },
    virtualService: {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: NAME },
      spec: {
        hosts: ['podinfo.example.com'],
        http: [
          {
            name: 'primary',
            route: [
              { destination: { host: 'podinfo-primary', port: { number: 9898 } }, weight: 100 },
              { destination: { host: 'podinfo-canary', port: { number: 9898 } }, weight: 0 },
            ],
          },
        ],
      },
    },
    templates: [
      {
        apiVersion: 'serin.dev/v1alpha1',
        kind: 'AnalysisTemplate',
        metadata: { name: 'success-rate' },
        spec: {
          args: [{ name: 'workload' }],
          metrics: [
            {
              name: 'success-rate',
              interval: '10s',
              count: 3,
              successCondition: 'result >= 0.95',
              failureLimit: 0,
              provider: {
                prometheus: {
                  // Port 9 on loopback refuses at once: the fuzz never reaches a measurement anyway.
                  address: 'http://127.0.0.1:9',
                  query:
                    'sum(rate(requests_total{workload="{{args.workload}}",code!~"5.."}[1m])) / sum(rate(requests_total{workload="{{args.workload}}"}[1m]))',
                  scrapeInterval: '15s',
                },
              },
            },
          ],
        },
      },
    ],
    canary: {
      apiVersion: 'serin.dev/v1alpha1',
      kind: 'Canary',
      metadata: { name: NAME },
      spec: {
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: NAME },
        service: { name: NAME, port: 9898 },
        trafficRouting: { istio: { virtualServices: [{ name: NAME, routes: ['primary'] }] } },
        progressDeadlineSeconds: 60,
        abortScaleDownDelaySeconds: 5,
        steps: [
          { setWeight: 10 },
          { pause: { duration: '5s' } },
          {
            analysis: {
              templates: [{ templateName: 'success-rate' }],
              args: [{ name: 'workload', value: NAME }],
            },
          },
          { setWeight: 50 },
          { pause: {} },
        ],
      },
    },
    approvals: [],
  };
}

/** Places an object in `namespace` (a copy). */
export function inNamespace(object: JsonObject, namespace: string): KubeObject {
  const copy = structuredClone(object);
  const metadata =
    typeof copy['metadata'] === 'object' && copy['metadata'] !== null && !Array.isArray(copy['metadata'])
      ? copy['metadata']
      : {};
  return { ...copy, metadata: { ...metadata, namespace } } as unknown as KubeObject;
}

/**
 * serin's CRDs and Istio's VirtualService CRD with each version's schema replaced by "anything"
 * (status subresource kept), written to `dir`; returns the files for `startKubeSim({crdFiles})`,
 * which replace the default definitions of the same resources.
 */
export function schemalessCrds(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const sources = [
    ...readdirSync(join(ROOT, 'crds'))
      .filter((file) => file.endsWith('.yaml'))
      .map((file) => join(ROOT, 'crds', file)),
    join(ROOT, 'src/sim/kube/crds/istio/networking-crds.yaml'),
  ];
  const files: string[] = [];
  for (const source of sources) {
    for (const doc of parseAllDocuments(readFileSync(source, 'utf8'))) {
      const crd = doc.toJS() as {
        kind?: string;
        metadata: { name: string };
        spec: { versions: { schema?: unknown }[] };
      } | null;
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      if (crd.metadata.name === 'destinationrules.networking.istio.io') continue;
      for (const version of crd.spec.versions) {
        version.schema = {
          openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        };
      }
      const file = join(dir, `${crd.metadata.name}.yaml`);
      writeFileSync(file, stringify(crd));
      files.push(file);
    }
  }
  return files;
}
