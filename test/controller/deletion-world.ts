import { pino } from 'pino';
import { expect } from 'vitest';
import { assembleDeps } from '../../src/controller/assemble.ts';
import { reconcile, type ReconcileResult } from '../../src/controller/reconcile.ts';
import { createKubeClient, loadKubeConfig, type KubeClient, type KubeObject } from '../../src/kube/index.ts';
import type { KubeSim } from '../../src/sim/kube/index.ts';
import { raw } from '../sim-kube/helpers.ts';
import { ScriptedProvider, canary, deployment, virtualService } from './harness.ts';
import { ManualClock } from '../support/index.ts';

/** Steps without analysis, so a world needs no metrics to reach every phase. */
export const PLAIN_STEPS = [
  { setWeight: 20 },
  { pause: { duration: '1m' } },
  { setWeight: 50 },
  { pause: {} },
];

export type Propagation = 'Background' | 'Foreground' | 'Orphan';

interface DeploymentView {
  metadata: { name: string; generation?: number };
  spec: { replicas?: number; selector: { matchLabels: Record<string, string> } };
  status?: { readyReplicas?: number };
}

interface ServiceView {
  spec: { selector: Record<string, string> };
}

interface RouteView {
  destination: { host: string };
  weight?: number;
}

/**
 * One Canary in its own namespace of a shared simulator, with the garbage collector running and a
 * stand-in for kubelet: `sync()` reports every Deployment rolled out at its replicas, except those
 * marked not ready (no ready pod) or rolling (old pods ready, new ones not yet).
 */
export class World {
  readonly clock = new ManualClock();
  readonly provider = new ScriptedProvider();
  readonly client: KubeClient;
  readonly notReady = new Set<string>();
  readonly rolling = new Set<string>();
  private readonly deps;

  constructor(
    readonly sim: KubeSim,
    readonly ns: string,
    client?: KubeClient,
  ) {
    this.client = client ?? createKubeClient(loadKubeConfig({ kubeconfig: sim.kubeconfigPath }).kubeConfig);
    this.deps = assembleDeps({
      client: this.client,
      logger: pino({ level: 'silent' }),
      provider: this.provider,
      clock: this.clock.now,
    });
  }

  async create(canarySpec: Record<string, unknown> = { steps: PLAIN_STEPS }): Promise<void> {
    await this.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: this.ns } });
    const inNs = (object: KubeObject): KubeObject => ({
      ...object,
      metadata: { ...object.metadata, namespace: this.ns },
    });
    await this.client.create(inNs(deployment('podinfo', 'podinfo:1.0')));
    await this.client.create(inNs(virtualService()));
    await this.client.create(inNs(canary(canarySpec)));
    await this.sync();
  }

  pass(): Promise<ReconcileResult> {
    return reconcile(this.deps, { namespace: this.ns, name: 'podinfo' });
  }

  private ref(kind: string, name: string) {
    const apiVersion = {
      Canary: 'serin.dev/v1alpha1',
      Approval: 'serin.dev/v1alpha1',
      Deployment: 'apps/v1',
      VirtualService: 'networking.istio.io/v1',
    }[kind];
    return { apiVersion: apiVersion ?? 'v1', kind, namespace: this.ns, name };
  }

  get<T = KubeObject>(kind: string, name: string): Promise<T | undefined> {
    return this.client.find(this.ref(kind, name)) as Promise<T | undefined>;
  }

  async status(): Promise<{ phase?: string; revision?: string; canaryWeight?: number } | undefined> {
    return (await this.get('Canary', 'podinfo'))?.status as
      { phase?: string; revision?: string; canaryWeight?: number } | undefined;
  }

  /** Plays kubelet and the Deployment controller for every Deployment in the namespace. */
  async sync(): Promise<void> {
    const list = await this.client.list('apps/v1', 'Deployment', { namespace: this.ns });
    for (const item of list.items as unknown as DeploymentView[]) {
      const replicas = item.spec.replicas ?? 1;
      const name = item.metadata.name;
      const ready = this.notReady.has(name) ? 0 : replicas;
      const updated = this.notReady.has(name) || this.rolling.has(name) ? 0 : replicas;
      await this.client.mergePatch(
        this.ref('Deployment', name),
        {
          status: {
            observedGeneration: item.metadata.generation,
            replicas,
            updatedReplicas: updated,
            readyReplicas: ready,
            availableReplicas: ready,
          },
        },
        { subresource: 'status' },
      );
    }
  }

  async release(image: string): Promise<void> {
    await this.client.jsonPatch(this.ref('Deployment', 'podinfo'), [
      { op: 'replace', path: '/spec/template/spec/containers/0/image', value: image },
    ]);
  }

  async approve(action: string): Promise<void> {
    const revision = (await this.status())?.revision ?? '';
    await this.client.create({
      apiVersion: 'serin.dev/v1alpha1',
      kind: 'Approval',
      metadata: { generateName: `podinfo-${action.toLowerCase()}-`, namespace: this.ns },
      spec: { canaryRef: { name: 'podinfo' }, action, revision, approver: 'oncall@example.com' },
    });
  }

  /** `kubectl delete` with a propagation policy (kubectl's default is Background; Argo CD prunes Foreground). */
  async deleteCanary(policy: Propagation): Promise<void> {
    const path = `/apis/serin.dev/v1alpha1/namespaces/${this.ns}/canaries/podinfo?propagationPolicy=${policy}`;
    const res = await raw(this.sim, 'DELETE', path);
    expect(res.status).toBe(200);
  }

  async deleteTarget(): Promise<void> {
    await this.client.delete(this.ref('Deployment', 'podinfo'));
  }

  /** The weights of the managed route, by destination host. */
  async routes(): Promise<RouteView[]> {
    const vs = await this.get<{ spec: { http: { route: RouteView[] }[] } }>('VirtualService', 'podinfo');
    return vs?.spec.http[0]?.route ?? [];
  }

  /**
   * Hosts that get weight but have no ready endpoints: the Service is gone, or no Deployment whose
   * pods it selects has a ready pod. An empty list means no request is sent into the void.
   */
  async deadHosts(): Promise<string[]> {
    const deployments = (await this.client.list('apps/v1', 'Deployment', { namespace: this.ns }))
      .items as unknown as DeploymentView[];
    const dead: string[] = [];
    for (const route of await this.routes()) {
      if ((route.weight ?? 0) === 0) continue;
      const service = await this.get<ServiceView>('Service', route.destination.host);
      const selector = Object.entries(service?.spec.selector ?? {});
      const backed = deployments.some(
        (d) =>
          selector.length > 0 &&
          selector.every(([k, v]) => d.spec.selector.matchLabels[k] === v) &&
          (d.spec.replicas ?? 1) > 0 &&
          (d.status?.readyReplicas ?? 0) > 0,
      );
      if (!service || !backed) dead.push(`${route.destination.host} (${String(route.weight)}%)`);
    }
    return dead;
  }

  /** Lets the simulator's garbage collector (setImmediate passes) finish what a deletion started. */
  async settle(): Promise<void> {
    for (let i = 0; i < 5; i += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      await this.client.list('v1', 'Service', { namespace: this.ns });
    }
  }
}
