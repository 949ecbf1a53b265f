/**
 * The fault suites' shared world (issue 17, part 1a): services (a Deployment, its VirtualService, a
 * Canary over them, load on the mesh) on one stack, a seeded random source, and an observer that reads
 * the simulator's store directly, so every snapshot it takes (the Canary's status, the VirtualService's
 * weight, the target's and the primary's image) is one consistent instant of the API server's state.
 */
import type { CanaryStatus } from '../../src/api/index.ts';
import type { KubeObject } from '../../src/kube/index.ts';
import { inNamespace, loadManifests, withPrometheus } from '../../src/sim/examples.ts';
import type { KubeSim } from '../../src/sim/kube/index.ts';
import type { Stack } from '../../src/sim/stack.ts';

// One seeded PRNG for the tests (mulberry32), so a run can be replayed from the seed it prints.
export { seededRandom } from '../judge/random.ts';

/** The seed of this run: SERIN_SOAK_SEED, or a fresh one (printed in the figures' notes). */
export function soakSeed(): number {
  const given = Number.parseInt(process.env['SERIN_SOAK_SEED'] ?? '', 10);
  return Number.isFinite(given) ? given : Math.floor(Math.random() * 2 ** 31);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const CANARY_API = 'serin.dev/v1alpha1';
const ISTIO_API = 'networking.istio.io/v1';

/** The steps every service's Canary takes; `analysis` adds a success-rate analysis after the pause. */
export function soakSteps(ns: string, analysis: boolean): Record<string, unknown>[] {
  const check = {
    analysis: {
      templates: [{ templateName: 'istio-success-rate' }],
      args: [
        { name: 'namespace', value: ns },
        { name: 'workload', value: 'podinfo' },
        { name: 'window', value: '10s' },
      ],
    },
  };
  return [
    { setWeight: 10 },
    { pause: { duration: '2s' } },
    ...(analysis ? [check] : []),
    { setWeight: 50 },
    { pause: {} },
  ];
}

/** One service under a Canary, in its own namespace. */
export interface SoakService {
  readonly ns: string;
  /** The Canary's status as stored now. */
  status(): CanaryStatus;
  /** The image of a Deployment as stored now ('' when absent). */
  image(name: string): string;
  /** The VirtualService's canary weight as stored now. */
  canaryWeight(): number;
  /** Rolls out a new image with the given share of 500s. */
  release(image: string, errorRate: number): Promise<void>;
  /** Creates an Approval (Promote) for the revision and step of `at`; returns its name. */
  approve(at: CanaryStatus): Promise<string>;
}

function canaryWeightOf(vs: object | undefined): number {
  const spec = (vs as { spec?: unknown } | undefined)?.spec as
    { http?: { route?: { destination: { host: string }; weight?: number }[] }[] } | undefined;
  const http = spec?.http;
  return http?.[0]?.route?.find((r) => r.destination.host === 'podinfo-canary')?.weight ?? 0;
}

function imageOf(deployment: object | undefined): string {
  const spec = (deployment as { spec?: unknown } | undefined)?.spec as
    { template?: { spec?: { containers?: { image?: string }[] } } } | undefined;
  return spec?.template?.spec?.containers?.[0]?.image ?? '';
}

/**
 * Creates `ns` on the stack with podinfo, its VirtualService, a Canary over them (the given steps) and
 * the success-rate template pointed at the stack's Prometheus (1 s measurements), and starts `rps` of load.
 */
export async function addService(
  stack: Stack,
  options: { ns: string; steps: Record<string, unknown>[]; rps: number; count?: number },
): Promise<SoakService> {
  const { ns } = options;
  const sim: KubeSim = stack.sim;
  await stack.namespace(ns);
  const template = withPrometheus(loadManifests('analysis-templates/istio-success-rate.yaml')[0]!, {
    address: stack.prometheus?.url ?? 'http://127.0.0.1:1',
    interval: '1s',
    count: options.count ?? 2,
  });
  const [canary, ...rest] = loadManifests('docs/examples/canary.yaml', 'docs/examples/podinfo.yaml');
  const spec = canary!.spec as Record<string, unknown>;
  spec.steps = options.steps;
  spec.abortScaleDownDelaySeconds = 2;
  await stack.apply(inNamespace([template, ...rest, canary!], ns));
  await stack.addMesh({ namespace: ns, host: 'podinfo', rps: options.rps });
  const ref = (apiVersion: string, kind: string, name: string) => ({ apiVersion, kind, namespace: ns, name });
  const stored = (apiVersion: string, kind: string, name: string) =>
    sim.store.get(apiVersion, kind, ns, name);
  return {
    ns,
    status: () => stored(CANARY_API, 'Canary', 'podinfo')?.status ?? {},
    image: (name) => imageOf(stored('apps/v1', 'Deployment', name)),
    canaryWeight: () => canaryWeightOf(stored(ISTIO_API, 'VirtualService', 'podinfo')),
    async release(image, errorRate) {
      await stack.client.jsonPatch(ref('apps/v1', 'Deployment', 'podinfo'), [
        { op: 'replace', path: '/spec/template/spec/containers/0/image', value: image },
        { op: 'replace', path: '/spec/template/spec/containers/0/env/0/value', value: String(errorRate) },
      ]);
    },
    async approve(at) {
      const created: KubeObject = await stack.client.create({
        apiVersion: CANARY_API,
        kind: 'Approval',
        metadata: { generateName: 'podinfo-', namespace: ns },
        spec: {
          canaryRef: { name: 'podinfo' },
          action: 'Promote',
          revision: at.revision,
          step: at.currentStepIndex,
          approver: 'soak@example.com',
        },
      });
      return created.metadata.name ?? '';
    },
  };
}

/** One instant of a service, read from the store in one synchronous go. */
export interface Snapshot {
  readonly at: number;
  readonly phase: string;
  readonly revision: string;
  readonly step: number | undefined;
  readonly stepStartedAt: string | undefined;
  readonly weight: number;
  /** The target Deployment's image: what the test last released. */
  readonly target: string;
  readonly primary: string;
  /** Revisions with a Failed analysis run in this status. */
  readonly failedRevisions: readonly string[];
}

/** Takes a snapshot of each service every `everyMs`, keeping only the ones that differ from the last. */
export class Observer {
  readonly #history = new Map<string, Snapshot[]>();
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly services: readonly SoakService[],
    everyMs = 25,
  ) {
    for (const s of services) this.#history.set(s.ns, []);
    this.#timer = setInterval(() => {
      this.sample();
    }, everyMs);
  }

  sample(): void {
    for (const s of this.services) {
      const status = s.status();
      const snap: Snapshot = {
        at: Date.now(),
        phase: status.phase ?? '',
        revision: status.revision ?? '',
        step: status.currentStepIndex,
        stepStartedAt: status.stepStartedAt,
        weight: s.canaryWeight(),
        target: s.image('podinfo'),
        primary: s.image('podinfo-primary'),
        failedRevisions: (status.analysis ?? []).filter((r) => r.phase === 'Failed').map((r) => r.revision),
      };
      const list = this.#history.get(s.ns)!;
      const last = list.at(-1);
      const { at: _at, ...rest } = snap;
      if (last === undefined || JSON.stringify({ ...last, at: 0 }) !== JSON.stringify({ ...rest, at: 0 }))
        list.push(snap);
    }
  }

  history(ns: string): readonly Snapshot[] {
    return this.#history.get(ns) ?? [];
  }

  stop(): void {
    clearInterval(this.#timer);
    this.sample();
  }
}
