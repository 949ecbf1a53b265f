import { spawn, type ChildProcess } from 'node:child_process';
import type { CanaryStatus } from '../../src/api/index.ts';
import { ResourceCache, type KubeObject } from '../../src/kube/index.ts';
import { inNamespace, loadManifests, withPrometheus } from '../../src/sim/examples.ts';
import type { MeshEmulator } from '../../src/sim/mesh/index.ts';
import type { Stack } from '../../src/sim/stack.ts';
import { waitForValue } from '../harness/prometheus.ts';
import { poll } from '../support/index.ts';

export const MEASUREMENT_INTERVAL = '2s';

/** An analysis step over the given shipped templates, for the scenario's namespace. */
export function analysisStep(ns: string, templates: string[]): Step {
  return {
    analysis: {
      templates: templates.map((templateName) => ({ templateName })),
      args: [
        { name: 'namespace', value: ns },
        { name: 'workload', value: 'podinfo' },
        { name: 'window', value: '10s' },
      ],
    },
  };
}

type Step = Record<string, unknown>;

export interface ScenarioOptions {
  /** The Canary's steps, given the scenario's namespace (for analysis args). */
  readonly steps: (ns: string) => Step[];
  readonly templates?: string[];
  /** Address the templates query (default: the stack's Prometheus). */
  readonly prometheusUrl?: string;
  readonly rps?: number;
  /** Measurements per metric (default 3). */
  readonly count?: number;
  /** Run the controller in this process (default) or leave it to the test. */
  readonly controller?: boolean;
  readonly abortScaleDownDelaySeconds?: number;
}

/** One Canary in its own namespace of a shared stack, with its own mesh and controller. */
export interface Scenario {
  readonly ns: string;
  readonly mesh: MeshEmulator;
  status(): Promise<CanaryStatus>;
  waitFor(what: string, check: (status: CanaryStatus) => boolean, timeoutMs?: number): Promise<CanaryStatus>;
  release(image: string, env?: Record<string, string>): Promise<void>;
  approve(action?: string): Promise<void>;
  weights(): Promise<{ primary: number; canary: number }>;
  /** Every canary weight the VirtualService took, in order, as seen through a watch. */
  readonly weightHistory: number[];
  replicas(name: string): Promise<number | undefined>;
  image(name: string): Promise<string>;
  events(): Promise<{ reason: string; message: string; type: string }[]>;
  stop(): Promise<void>;
}

let counter = 0;

function canaryWeightOf(vs: KubeObject): number {
  const route =
    (vs.spec as { http: { route: { destination: { host: string }; weight?: number }[] }[] }).http[0]?.route ??
    [];
  return route.find((r) => r.destination.host === 'podinfo-canary')?.weight ?? 0;
}

export async function startScenario(stack: Stack, options: ScenarioOptions): Promise<Scenario> {
  const ns = `e2e-${++counter}-${Date.now() % 100_000}`;
  await stack.namespace(ns);
  const address = options.prometheusUrl ?? stack.prometheus?.url ?? '';
  const templates = (options.templates ?? ['istio-success-rate', 'istio-latency-p99']).map((name) =>
    withPrometheus(loadManifests(`analysis-templates/${name}.yaml`)[0]!, {
      address,
      interval: MEASUREMENT_INTERVAL,
      count: options.count ?? 3,
    }),
  );
  const [canary, ...rest] = loadManifests('docs/examples/canary.yaml', 'docs/examples/podinfo.yaml');
  const spec = canary!.spec as Record<string, unknown>;
  spec.steps = options.steps(ns);
  spec.abortScaleDownDelaySeconds = options.abortScaleDownDelaySeconds ?? 3;
  await stack.apply(inNamespace([...templates, ...rest, canary!], ns));
  const mesh = await stack.addMesh({ namespace: ns, host: 'podinfo', rps: options.rps ?? 20 });
  const controller = options.controller === false ? undefined : stack.startController({ namespace: ns });
  const vsCache = new ResourceCache({
    client: stack.client,
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    namespace: ns,
  });
  const weightHistory: number[] = [];
  vsCache.onChange(({ object }) => {
    const weight = canaryWeightOf(object);
    if (weightHistory.at(-1) !== weight) weightHistory.push(weight);
  });
  vsCache.start();
  const ref = (apiVersion: string, kind: string, name: string) => ({ apiVersion, kind, namespace: ns, name });
  const status = async () =>
    ((await stack.client.get(ref('serin.dev/v1alpha1', 'Canary', 'podinfo'))).status ?? {}) as CanaryStatus;
  const deployment = async (name: string) =>
    (await stack.client.find(ref('apps/v1', 'Deployment', name)))?.spec as
      { replicas?: number; template: { spec: { containers: { image: string }[] } } } | undefined;
  return {
    ns,
    mesh,
    weightHistory,
    status,
    async waitFor(what, check, timeoutMs = 60_000) {
      let last: CanaryStatus = {};
      const lastSeen = (): string => {
        const measurements = (last.analysis ?? []).flatMap((run) =>
          run.metrics.map(
            (m) =>
              `${run.runId} ${m.name} ${m.phase}: ${m.measurements.map((x) => `${x.phase}(${x.value ?? x.message ?? ''})`).join(' ')}`,
          ),
        );
        return `last status: phase ${last.phase ?? '-'}, ${last.message ?? ''}\n${measurements.join('\n')}`;
      };
      return poll(
        async () => {
          last = await status();
          return check(last) ? last : undefined;
        },
        what,
        { timeoutMs, intervalMs: 100, detail: lastSeen },
      );
    },
    async release(image, env = {}) {
      const ops: { op: 'replace'; path: string; value: unknown }[] = [
        { op: 'replace', path: '/spec/template/spec/containers/0/image', value: image },
      ];
      const current = (await deployment('podinfo'))?.template.spec.containers[0] as {
        env?: { name: string; value: string }[];
      };
      const merged = (current.env ?? []).map((e) =>
        env[e.name] === undefined ? e : { name: e.name, value: env[e.name] },
      );
      ops.push({ op: 'replace', path: '/spec/template/spec/containers/0/env', value: merged });
      await stack.client.jsonPatch(ref('apps/v1', 'Deployment', 'podinfo'), ops);
    },
    async approve(action = 'Promote') {
      const current = await status();
      await stack.client.create({
        apiVersion: 'serin.dev/v1alpha1',
        kind: 'Approval',
        metadata: { generateName: 'podinfo-', namespace: ns },
        spec: {
          canaryRef: { name: 'podinfo' },
          action,
          revision: current.revision,
          step: current.currentStepIndex,
          approver: 'oncall@example.com',
        },
      });
    },
    async weights() {
      const weight = canaryWeightOf(
        await stack.client.get(ref('networking.istio.io/v1', 'VirtualService', 'podinfo')),
      );
      return { primary: 100 - weight, canary: weight };
    },
    replicas: async (name) => (await deployment(name))?.replicas,
    image: async (name) => (await deployment(name))?.template.spec.containers[0]?.image ?? '',
    events: async () =>
      (await stack.client.list('v1', 'Event', { namespace: ns })).items as unknown as {
        reason: string;
        message: string;
        type: string;
      }[],
    async stop() {
      await controller?.stop();
      await vsCache.stop();
    },
  };
}

/** Waits until Prometheus has scraped traffic for the namespace, so analyses have data. */
export async function waitForTraffic(prometheusUrl: string, ns: string, timeoutMs = 30_000): Promise<void> {
  const query = `sum(rate(istio_requests_total{destination_workload_namespace="${ns}"}[10s]))`;
  await waitForValue(prometheusUrl, query, (rate) => rate > 0, timeoutMs);
}

/** `serin controller` as a separate process, so a test can SIGKILL it. */
export function spawnController(kubeconfig: string, ns: string): ChildProcess {
  return spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/main.ts',
      'controller',
      '--kubeconfig',
      kubeconfig,
      '--namespace',
      ns,
      '--leader-elect=false',
      '--metrics-addr',
      '127.0.0.1:0',
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
}
