import { pino } from 'pino';
import { Controller } from '../controller/controller.ts';
import { assembleDeps } from '../controller/assemble.ts';
import { createKubeClient, loadKubeConfig, refOf, type KubeClient, type KubeObject } from '../kube/index.ts';
import type { Logger } from '../telemetry/logger.ts';
import { STACK_SCRAPE_INTERVAL } from './examples.ts';
import { startKubeSim, type KubeSim } from './kube/index.ts';
import { startMeshEmulator, type MeshEmulator } from './mesh/index.ts';
import { startMetricsHub, type MetricsHub } from './metrics-hub.ts';
import { prometheusBinary, startPrometheus, type RunningPrometheus } from './prometheus.ts';
import { startWorkloadEmulator, type WorkloadEmulator } from './workload/index.ts';

export interface StackOptions {
  /** Start a real Prometheus scraping the meshes (default true). */
  readonly prometheus?: boolean;
  /** Prometheus scrape interval (default 1s). */
  readonly scrapeInterval?: string;
  /** Time for a new pod template's pods to become ready (default 300 ms). */
  readonly startupDelayMs?: number;
  readonly logger?: Logger;
}

/**
 * Everything serin runs against when there is no cluster: the Kubernetes API simulator, the workload
 * emulator (kubelet and Deployment controller), mesh emulators (Envoy and the load), a real
 * Prometheus scraping them through one metrics hub, and in-process controllers. Used by the demo,
 * the end-to-end tests and the breach→safe benchmark.
 */
export interface Stack {
  readonly sim: KubeSim;
  readonly client: KubeClient;
  readonly workloads: WorkloadEmulator;
  readonly hub: MetricsHub;
  readonly prometheus: RunningPrometheus | undefined;
  /** Creates a namespace. */
  namespace(name: string): Promise<void>;
  /** Creates or replaces objects (Deployments, VirtualServices, serin resources...). */
  apply(objects: readonly KubeObject[]): Promise<void>;
  /** Starts load on a service; its Istio metrics join what Prometheus scrapes. */
  addMesh(options: { namespace: string; host: string; rps: number }): Promise<MeshEmulator>;
  /** Starts a controller in this process for one namespace (leader election off). */
  startController(options: { namespace: string; logger?: Logger }): Controller;
  stop(): Promise<void>;
}

/** Why the stack cannot start a real Prometheus, for a message that says how to fix it. */
export const PROMETHEUS_MISSING =
  'no prometheus binary found (looked at $PROMETHEUS_BIN, /usr/bin/prometheus and PATH). Install it: apt-get install prometheus';

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const logger = options.logger ?? pino({ level: 'silent' });
  if (options.prometheus !== false && prometheusBinary() === undefined) throw new Error(PROMETHEUS_MISSING);
  const sim = await startKubeSim({ port: 0 });
  const client = createKubeClient(loadKubeConfig({ kubeconfig: sim.kubeconfigPath }).kubeConfig);
  const workloads = await startWorkloadEmulator({ client, startupDelayMs: options.startupDelayMs ?? 300 });
  const hub = await startMetricsHub();
  const prometheus =
    options.prometheus === false
      ? undefined
      : await startPrometheus({
          targets: [hub.target],
          scrapeInterval: options.scrapeInterval ?? STACK_SCRAPE_INTERVAL,
        });
  const meshes: MeshEmulator[] = [];
  const controllers: Controller[] = [];

  const apply = async (objects: readonly KubeObject[]): Promise<void> => {
    for (const object of objects) {
      const existing = await client.find(refOf(object));
      const resourceVersion = existing?.metadata.resourceVersion;
      if (resourceVersion === undefined) await client.create(object);
      else await client.replace({ ...object, metadata: { ...object.metadata, resourceVersion } });
    }
  };

  return {
    sim,
    client,
    workloads,
    hub,
    prometheus,
    namespace: async (name) => {
      await apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }]);
    },
    apply,
    addMesh: async ({ namespace, host, rps }) => {
      const mesh = await startMeshEmulator({ client, namespace, host, rps, workloadEmulator: workloads });
      hub.add(mesh.metricsUrl);
      meshes.push(mesh);
      return mesh;
    },
    startController: ({ namespace, logger: log }) => {
      const controllerLogger = log ?? logger;
      const controller = new Controller({
        deps: assembleDeps({ client, logger: controllerLogger }),
        logger: controllerLogger,
        namespace,
        workers: 2,
      });
      controller.start();
      controllers.push(controller);
      return controller;
    },
    stop: async () => {
      await Promise.all(controllers.map((controller) => controller.stop()));
      for (const mesh of meshes) hub.remove(mesh.metricsUrl);
      await Promise.all(meshes.map((mesh) => mesh.stop()));
      await workloads.stop();
      await prometheus?.stop();
      await hub.close();
      await sim.stop();
    },
  };
}
