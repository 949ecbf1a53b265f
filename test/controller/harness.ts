import { pino } from 'pino';
import { stringify } from 'yaml';
import type { CanaryInput } from '../../src/api/index.ts';
import { assembleDeps } from '../../src/controller/assemble.ts';
import { reconcile, type ReconcileResult, type ReconcilerDeps } from '../../src/controller/reconcile.ts';
import type { KubeClient, KubeObject } from '../../src/kube/index.ts';
import type {
  InstantQueryRequest,
  MetricProvider,
  QueryOutcome,
  RangeOutcome,
  RangeQueryRequest,
} from '../../src/ports/index.ts';
import { ManualClock, startSim, type KubeSim } from '../support/index.ts';

export const NS = 'test';

/**
 * A metric provider whose answers the test scripts: each query that contains a key gets that key's
 * current answer. Every query sent is logged, so tests can count them.
 */
export class ScriptedProvider implements MetricProvider {
  readonly answers = new Map<string, QueryOutcome>();
  readonly ranges = new Map<string, RangeOutcome>();
  readonly sent: InstantQueryRequest[] = [];
  readonly sentRanges: RangeQueryRequest[] = [];
  set(match: string, outcome: QueryOutcome | number): void {
    this.answers.set(match, typeof outcome === 'number' ? { kind: 'value', value: outcome } : outcome);
  }
  instantQuery(request: InstantQueryRequest): Promise<QueryOutcome> {
    this.sent.push(request);
    for (const [match, outcome] of this.answers)
      if (request.query.includes(match)) return Promise.resolve(outcome);
    return Promise.resolve({ kind: 'noData', reason: 'no script for this query' });
  }
  /** Answers range queries that contain `match` (the judge's samples). */
  setRange(match: string, outcome: RangeOutcome): void {
    this.ranges.set(match, outcome);
  }
  rangeQuery(request: RangeQueryRequest): Promise<RangeOutcome> {
    this.sentRanges.push(request);
    for (const [match, outcome] of this.ranges)
      if (request.query.includes(match)) return Promise.resolve(outcome);
    return Promise.reject(new Error(`no range script for ${request.query}`));
  }
}

export function deployment(name: string, image: string, replicas = 2): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
    },
  };
}

export function virtualService(name = 'podinfo'): KubeObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name, namespace: NS },
    spec: {
      hosts: ['podinfo.example.com'],
      http: [
        {
          name: 'primary',
          retries: { attempts: 3 },
          route: [
            { destination: { host: 'podinfo-primary', port: { number: 9898 } }, weight: 100 },
            { destination: { host: 'podinfo-canary', port: { number: 9898 } }, weight: 0 },
          ],
        },
      ],
    },
  };
}

export function successRateTemplate(): KubeObject {
  return {
    apiVersion: 'serin.dev/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: 'success-rate', namespace: NS },
    spec: {
      args: [{ name: 'workload' }],
      metrics: [
        {
          name: 'success-rate',
          interval: '10s',
          count: 2,
          successCondition: 'result >= 0.95',
          failureLimit: 0,
          provider: {
            prometheus: {
              address: 'http://127.0.0.1:9',
              query: 'success_rate{workload="{{args.workload}}"}',
              // The evidence rule wants 30 s of canary traffic (2 scrapes): the steps give 61 s.
              scrapeInterval: '15s',
            },
          },
        },
      ],
    },
  };
}

export function canary(spec: Partial<CanaryInput['spec']> = {}): KubeObject {
  return {
    apiVersion: 'serin.dev/v1alpha1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: NS },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      service: { name: 'podinfo', port: 9898 },
      trafficRouting: { istio: { virtualServices: [{ name: 'podinfo', routes: ['primary'] }] } },
      abortScaleDownDelaySeconds: 30,
      steps: [
        { setWeight: 20 },
        { pause: { duration: '1m' } },
        {
          analysis: {
            templates: [{ templateName: 'success-rate' }],
            args: [{ name: 'workload', value: 'podinfo' }],
          },
        },
        { setWeight: 50 },
        { pause: {} },
      ],
      ...spec,
    },
  };
}

/** A running simulator, a client for the test, and reconcile deps with a manual clock. */
export interface Harness {
  readonly sim: KubeSim;
  readonly client: KubeClient;
  readonly clock: ManualClock;
  readonly provider: ScriptedProvider;
  readonly deps: Omit<ReconcilerDeps, 'signal'>;
  pass(): Promise<ReconcileResult>;
  get(
    kind: 'Canary' | 'Deployment' | 'VirtualService' | 'Approval' | 'Service',
    name: string,
  ): Promise<KubeObject | undefined>;
  /** Plays kubelet and the Deployment controller: reports the Deployment rolled out at its replicas. */
  markRolledOut(name: string): Promise<void>;
  /** The canary weight on the VirtualService route `primary`. */
  weights(): Promise<{ primary: number; canary: number }>;
  vsYaml(): Promise<string>;
  events(): Promise<{ reason: string; message: string; type: string; count?: number }[]>;
  stop(): Promise<void>;
}

const API: Record<string, string> = {
  Canary: 'serin.dev/v1alpha1',
  Approval: 'serin.dev/v1alpha1',
  Deployment: 'apps/v1',
  VirtualService: 'networking.istio.io/v1',
  Service: 'v1',
};

export async function startHarness(
  options: { canary?: KubeObject; templates?: KubeObject[]; crdFiles?: string[] } = {},
): Promise<Harness> {
  const { sim, client } = await startSim({ crdFiles: options.crdFiles ?? [] }, {});
  await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  const clock = new ManualClock();
  const provider = new ScriptedProvider();
  const deps = assembleDeps({ client, logger: pino({ level: 'silent' }), provider, clock: clock.now });
  for (const template of options.templates ?? [successRateTemplate()]) await client.create(template);
  await client.create(deployment('podinfo', 'podinfo:1.0'));
  await client.create(virtualService());
  await client.create(options.canary ?? canary());

  const get = (kind: string, name: string) =>
    client.find({ apiVersion: API[kind] ?? 'v1', kind, namespace: NS, name });
  return {
    sim,
    client,
    clock,
    provider,
    deps,
    pass: () => reconcile(deps, { namespace: NS, name: 'podinfo' }),
    get,
    async markRolledOut(name) {
      const dep = await client.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: NS, name });
      const replicas = (dep.spec as { replicas?: number }).replicas ?? 1;
      await client.mergePatch(
        { apiVersion: 'apps/v1', kind: 'Deployment', namespace: NS, name },
        {
          status: {
            observedGeneration: dep.metadata.generation,
            replicas,
            updatedReplicas: replicas,
            readyReplicas: replicas,
            availableReplicas: replicas,
          },
        },
        { subresource: 'status' },
      );
    },
    async weights() {
      const vs = await client.get({
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        namespace: NS,
        name: 'podinfo',
      });
      const route = (vs.spec as { http: { route: { destination: { host: string }; weight?: number }[] }[] })
        .http[0]!.route;
      const weightOf = (host: string) => route.find((r) => r.destination.host === host)?.weight ?? 0;
      return { primary: weightOf('podinfo-primary'), canary: weightOf('podinfo-canary') };
    },
    async vsYaml() {
      const vs = await client.get({
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        namespace: NS,
        name: 'podinfo',
      });
      return stringify(vs);
    },
    async events() {
      const list = await client.list('v1', 'Event', { namespace: NS });
      return list.items.map(
        (e) => e as unknown as { reason: string; message: string; type: string; count?: number },
      );
    },
    stop: () => sim.stop(),
  };
}
