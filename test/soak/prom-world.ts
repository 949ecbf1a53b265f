/**
 * One rollout of the Prometheus fault suite: a namespace on the Kubernetes API simulator holding a
 * Deployment, a VirtualService, an AnalysisTemplate whose one metric queries Prometheus through the
 * fault proxy, and a Canary; the controller's reconcile passes run with a clock the test moves.
 */
import type { ReconcileResult, ReconcilerDeps } from '../../src/controller/reconcile.ts';
import { reconcile } from '../../src/controller/reconcile.ts';
import type { KubeClient, KubeObject } from '../../src/kube/index.ts';
import { SOAK_QUERY } from './prom-fault-proxy.ts';

/** The policy a run's metric is given. */
export interface MetricPolicy {
  readonly onError: 'Abort' | 'Pause';
  readonly noData: 'Inconclusive' | 'Failed';
  readonly failureLimit: number;
  readonly inconclusiveLimit: number;
  readonly consecutiveErrorLimit: number;
}

/** Where a run ended, as the Canary's status says. */
export interface RunOutcome {
  readonly phase: string;
  readonly pauseReason: string | undefined;
  readonly canaryWeight: number;
  /** The step analysis run's verdict. */
  readonly verdict: string;
  /** Every measurement of the metric, oldest first. */
  readonly measurements: readonly { phase: string; value?: string; message?: string }[];
  readonly passes: number;
}

const NAME = 'podinfo';
const ISTIO = 'networking.istio.io/v1';
const SERIN = 'serin.dev/v1alpha1';

function deployment(namespace: string, name: string, image: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
    },
  };
}

function virtualService(namespace: string): KubeObject {
  return {
    apiVersion: ISTIO,
    kind: 'VirtualService',
    metadata: { name: NAME, namespace },
    spec: {
      hosts: ['podinfo.example.com'],
      http: [
        {
          name: 'primary',
          route: [
            { destination: { host: 'podinfo-primary' }, weight: 100 },
            { destination: { host: 'podinfo-canary' }, weight: 0 },
          ],
        },
      ],
    },
  };
}

function template(namespace: string, address: string, policy: MetricPolicy): KubeObject {
  return {
    apiVersion: SERIN,
    kind: 'AnalysisTemplate',
    metadata: { name: 'success-rate', namespace },
    spec: {
      metrics: [
        {
          name: 'success-rate',
          interval: '10s',
          // More than the passing measurements plus any limit: the fault, not the count, decides.
          count: 9,
          successCondition: 'result >= 0.95',
          ...policy,
          provider: {
            prometheus: {
              address,
              query: SOAK_QUERY,
              timeout: '1s',
              scrapeInterval: '1s',
            },
          },
        },
      ],
    },
  };
}

function canary(namespace: string): KubeObject {
  return {
    apiVersion: SERIN,
    kind: 'Canary',
    metadata: { name: NAME, namespace },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: NAME },
      service: { name: NAME, port: 9898 },
      trafficRouting: { istio: { virtualServices: [{ name: NAME, routes: ['primary'] }] } },
      scaleDownDelaySeconds: 0,
      abortScaleDownDelaySeconds: 0,
      steps: [
        { setWeight: 20 },
        // Longer than the evidence rule's 3s window + 2 scrape intervals: the first measurement counts.
        { pause: { duration: '10s' } },
        { analysis: { templates: [{ templateName: 'success-rate' }] } },
        { setWeight: 60 },
      ],
    },
  };
}

async function markRolledOut(client: KubeClient, namespace: string, name: string): Promise<void> {
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name };
  const dep = await client.get(ref);
  const replicas = (dep.spec as { replicas?: number }).replicas ?? 1;
  await client.mergePatch(
    ref,
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
}

interface StatusView {
  phase?: string;
  pauseReason?: string;
  canaryWeight?: number;
  analysis?: {
    kind?: string;
    phase: string;
    metrics: { name: string; measurements: { phase: string; value?: string; message?: string }[] }[];
  }[];
}

const ENDED = new Set(['Succeeded', 'Aborted', 'Paused', 'Failed']);

/**
 * Creates the world in `namespace`, brings the Canary to Idle, releases a new revision and runs
 * passes (the clock jumping to each requeue) until the rollout ends or pauses.
 */
export async function runRollout(options: {
  readonly client: KubeClient;
  readonly deps: Omit<ReconcilerDeps, 'signal'>;
  readonly advance: (ms: number) => void;
  readonly namespace: string;
  readonly address: string;
  readonly policy: MetricPolicy;
}): Promise<RunOutcome> {
  const { client, deps, namespace } = options;
  await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  await client.create(template(namespace, options.address, options.policy));
  await client.create(deployment(namespace, NAME, 'podinfo:1.0'));
  await client.create(virtualService(namespace));
  await client.create(canary(namespace));
  const pass = (): Promise<ReconcileResult> => reconcile(deps, { namespace, name: NAME });
  const read = async () =>
    ((await client.get({ apiVersion: SERIN, kind: 'Canary', namespace, name: NAME })).status ??
      {}) as StatusView;

  await pass();
  await markRolledOut(client, namespace, `${NAME}-primary`);
  await pass();
  if ((await read()).phase !== 'Idle') throw new Error(`${namespace}: the Canary did not reach Idle`);
  await client.jsonPatch({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: NAME }, [
    { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'podinfo:2.0' },
  ]);
  await pass();
  await markRolledOut(client, namespace, NAME);
  let passes = 3;
  let status: StatusView = {};
  for (; passes < 80; passes++) {
    const result = await pass();
    status = await read();
    if (status.phase !== undefined && ENDED.has(status.phase)) break;
    if (status.phase === 'Promoting') await markRolledOut(client, namespace, `${NAME}-primary`);
    options.advance(Math.max(1_000, result.requeueAfterMs ?? 1_000));
  }
  const run = (status.analysis ?? []).find((r) => r.kind === 'Step');
  return {
    phase: status.phase ?? 'none',
    pauseReason: status.pauseReason,
    canaryWeight: status.canaryWeight ?? 0,
    verdict: run?.phase ?? 'none',
    measurements: run?.metrics[0]?.measurements ?? [],
    passes,
  };
}
