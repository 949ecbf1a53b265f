import { KubeError, ResourceCache, objectKey, type KubeClient, type KubeObject } from '../../kube/index.ts';
import type { KubeLogger } from '../../kube/index.ts';
import { systemClock, type Clock } from '../../ports/index.ts';
import { startDemoApp, type DemoApp, type DemoBehaviour } from '../demo-app/index.ts';
import {
  behaviourOf,
  selectorMatches,
  statusPatch,
  statusSays,
  viewDeployment,
  type DeploymentView,
  type ReplicaCounts,
} from './pod-template.ts';

/** Options for {@link startWorkloadEmulator}. */
export interface WorkloadEmulatorOptions {
  /** Reaches the API server (the simulator) over HTTP. */
  client: KubeClient;
  /** Watch one namespace; all namespaces when omitted. */
  namespace?: string;
  /** Time from a pod template (or scale-up) being seen to its pods being ready. Default 500. */
  startupDelayMs?: number;
  /** How long a replaced app may finish requests in flight before being cut. Default 2000. */
  terminationGraceMs?: number;
  /** Drives the start-up delay; tests inject a manual clock. */
  clock?: Clock;
  logger?: KubeLogger;
  /** Randomness for the demo apps (errors, latency); Math.random by default. */
  random?: () => number;
}

/** A ready set of pods of one Deployment, as a Service's endpoints would list them. */
export interface Endpoint {
  namespace: string;
  /** The Deployment's name: Istio's `destination_workload`. */
  workload: string;
  /** Where the app answers: `http://127.0.0.1:<port>`. */
  url: string;
  /** Ready pods behind this endpoint (load is shared across workloads in proportion). */
  readyReplicas: number;
  /** Labels of the running pods (from the template they were started from). */
  labels: Readonly<Record<string, string>>;
}

/** What the emulator is running for one Deployment. */
export interface RunningApp extends Endpoint {
  templateHash: string;
  behaviour: DemoBehaviour;
  /** Requests the app has answered. */
  served: number;
}

/** An app became ready (its pods passed the start-up delay) or was stopped. */
export interface AppEvent {
  type: 'ready' | 'stopped';
  app: RunningApp;
  /** Clock time of the event (ms). */
  at: number;
}

/** Finds the ready pods a Service selects; what the mesh emulator routes to. */
export interface EndpointSource {
  /** Ready endpoints in `namespace` whose pod labels match `selector` (equality, like a Service). */
  endpointsFor(namespace: string, selector: Readonly<Record<string, string>>): Endpoint[];
}

/** A running workload emulator. */
export interface WorkloadEmulator extends EndpointSource {
  /** Resolves once the Deployment cache has listed. */
  readonly synced: Promise<void>;
  /** Every app currently running. */
  apps(): RunningApp[];
  /** The app running for one Deployment, if any. */
  app(namespace: string, name: string): RunningApp | undefined;
  /**
   * Overrides the behaviour of a running app until its pods are replaced (a step change at a known
   * instant, e.g. for the breach-to-safe benchmark). False when no app runs for that Deployment.
   */
  setBehaviour(namespace: string, name: string, behaviour: DemoBehaviour): boolean;
  /** Calls `listener` whenever an app becomes ready or is stopped; returns an unsubscribe function. */
  onAppEvent(listener: (event: AppEvent) => void): () => void;
  /** Resolves when every change seen so far has been acted on (status writes included). */
  idle(): Promise<void>;
  /** Stops watching, cancels pending start-ups and stops every app. */
  stop(): Promise<void>;
}

interface Pods {
  demo: DemoApp;
  templateHash: string;
  labels: Record<string, string>;
  ready: number;
}

interface Slot {
  pods: Pods | undefined;
  /** A start-up in progress: which template, and how to cancel it. */
  starting: { templateHash: string; abort: AbortController } | undefined;
  chain: Promise<void>;
}

/**
 * Starts an emulator of the Deployment controller and kubelet: it watches Deployments and, for each
 * one with replicas > 0, runs a demo app (behaviour from the first container's env) and reports
 * Deployment status through the status subresource, with the start-up delay a real pod would have.
 */
export async function startWorkloadEmulator(opts: WorkloadEmulatorOptions): Promise<WorkloadEmulator> {
  const emulator = new Emulator(opts);
  emulator.start();
  await emulator.synced;
  return emulator;
}

class Emulator implements WorkloadEmulator {
  readonly synced: Promise<void>;
  readonly #opts: WorkloadEmulatorOptions;
  readonly #cache: ResourceCache;
  readonly #clock: Clock;
  readonly #slots = new Map<string, Slot>();
  readonly #stopping = new Set<Promise<void>>();
  readonly #listeners = new Set<(event: AppEvent) => void>();
  #stopped = false;

  constructor(opts: WorkloadEmulatorOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#cache = new ResourceCache({
      client: opts.client,
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: opts.namespace,
      backoff: { initialMs: 50, maxMs: 2_000 },
      ...(opts.logger === undefined ? {} : { logger: opts.logger }),
    });
    this.synced = this.#cache.synced;
  }

  start(): void {
    this.#cache.onChange((e) => {
      this.#enqueue(e.object);
    });
    this.#cache.start();
  }

  endpointsFor(namespace: string, selector: Readonly<Record<string, string>>): Endpoint[] {
    return this.apps().filter(
      (a) => a.namespace === namespace && a.readyReplicas > 0 && selectorMatches(selector, a.labels),
    );
  }

  apps(): RunningApp[] {
    const out: RunningApp[] = [];
    for (const slot of this.#slots.values()) if (slot.pods !== undefined) out.push(describe(slot.pods));
    return out;
  }

  app(namespace: string, name: string): RunningApp | undefined {
    const pods = this.#slots.get(objectKey(namespace, name))?.pods;
    return pods === undefined ? undefined : describe(pods);
  }

  setBehaviour(namespace: string, name: string, behaviour: DemoBehaviour): boolean {
    const pods = this.#slots.get(objectKey(namespace, name))?.pods;
    pods?.demo.setBehaviour(behaviour);
    return pods !== undefined;
  }

  onAppEvent(listener: (event: AppEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(type: AppEvent['type'], pods: Pods): void {
    const event = { type, app: describe(pods), at: this.#clock.now() };
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        this.#log('warn', { err }, 'app event listener threw');
      }
    }
  }

  async idle(): Promise<void> {
    // A pass may queue another (a start-up that became ready): wait until nothing new was queued.
    for (;;) {
      const chains = [...this.#slots.values()].map((s) => s.chain);
      await Promise.all(chains);
      const now = [...this.#slots.values()].map((s) => s.chain);
      if (now.length === chains.length && now.every((c, i) => c === chains[i])) return;
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#cache.stop();
    for (const slot of this.#slots.values()) slot.starting?.abort.abort();
    await this.idle();
    for (const slot of this.#slots.values()) this.#retire(slot);
    await Promise.all(this.#stopping);
  }

  #enqueue(obj: KubeObject): void {
    const key = objectKey(obj.metadata.namespace, obj.metadata.name ?? '');
    const slot = this.#slot(key);
    slot.chain = slot.chain
      .then(() => this.#reconcile(key, obj))
      .catch((err: unknown) => {
        this.#warn(err);
      });
  }

  #slot(key: string): Slot {
    let slot = this.#slots.get(key);
    if (slot === undefined) {
      slot = { pods: undefined, starting: undefined, chain: Promise.resolve() };
      this.#slots.set(key, slot);
    }
    return slot;
  }

  /** One pass for one Deployment: decide what runs, then report it. Serialised per Deployment. */
  async #reconcile(key: string, seen: KubeObject): Promise<void> {
    if (this.#stopped) return;
    const slot = this.#slot(key);
    const current = this.#cache.get(seen.metadata.namespace, seen.metadata.name ?? '');
    if (current === undefined || viewDeployment(current).deleting) {
      slot.starting?.abort.abort();
      this.#retire(slot);
      this.#slots.delete(key);
      return;
    }
    const d = viewDeployment(current);
    const counts = this.#plan(slot, d);
    await this.#report(current, d, counts);
  }

  /** Starts, scales or stops pods for `d`; returns the counts to report now. */
  #plan(slot: Slot, d: DeploymentView): ReplicaCounts {
    if (d.replicas === 0) {
      slot.starting?.abort.abort();
      slot.starting = undefined;
      this.#retire(slot);
      return { replicas: 0, updatedReplicas: 0, readyReplicas: 0, availableReplicas: 0 };
    }
    const pods = slot.pods;
    if (pods !== undefined && pods.templateHash === d.templateHash) {
      // Same pods (or a rollback to them): a start-up of another template is moot.
      if (slot.starting?.templateHash !== d.templateHash) this.#cancelStart(slot);
      pods.ready = Math.min(pods.ready, d.replicas);
      if (pods.ready < d.replicas) this.#scheduleStart(slot, d);
      return {
        replicas: d.replicas,
        updatedReplicas: d.replicas,
        readyReplicas: pods.ready,
        availableReplicas: pods.ready,
      };
    }
    // A new template: a rolling update. The old pods keep serving until the new ones are ready.
    if (slot.starting?.templateHash !== d.templateHash) {
      this.#cancelStart(slot);
      this.#scheduleStart(slot, d);
    }
    const oldReady = Math.min(pods?.ready ?? 0, d.replicas);
    return { replicas: d.replicas, updatedReplicas: 0, readyReplicas: oldReady, availableReplicas: oldReady };
  }

  #cancelStart(slot: Slot): void {
    slot.starting?.abort.abort();
    slot.starting = undefined;
  }

  #scheduleStart(slot: Slot, d: DeploymentView): void {
    if (slot.starting !== undefined) return;
    const abort = new AbortController();
    slot.starting = { templateHash: d.templateHash, abort };
    const delay = this.#opts.startupDelayMs ?? 500;
    void this.#clock.sleep(delay, abort.signal).then(() => {
      if (abort.signal.aborted || this.#stopped) return;
      const key = objectKey(d.namespace, d.name);
      slot.chain = slot.chain
        .then(() => this.#becomeReady(key, slot, abort))
        .catch((err: unknown) => {
          this.#warn(err);
        });
    });
  }

  /** The start-up delay has passed: the pods of the latest template are up and ready. */
  async #becomeReady(key: string, slot: Slot, abort: AbortController): Promise<void> {
    if (abort.signal.aborted || this.#stopped || slot.starting?.abort !== abort) return;
    slot.starting = undefined;
    const current = this.#cache.get(...splitKey(key));
    if (current === undefined) return;
    const d = viewDeployment(current);
    if (d.replicas === 0 || d.deleting) return;
    if (slot.pods?.templateHash === d.templateHash) {
      slot.pods.ready = d.replicas;
    } else {
      const parsed = behaviourOf(d);
      for (const problem of parsed.problems) this.#log('warn', { deployment: key, problem }, 'bad demo env');
      const demo = await startDemoApp({
        workload: d.name,
        namespace: d.namespace,
        behaviour: parsed.behaviour,
        ...(this.#opts.random === undefined ? {} : { random: this.#opts.random }),
      });
      this.#retire(slot);
      slot.pods = { demo, templateHash: d.templateHash, labels: d.podLabels, ready: d.replicas };
      this.#log('info', { deployment: key, url: demo.url, ...parsed.behaviour }, 'demo app ready');
      this.#emit('ready', slot.pods);
    }
    await this.#reconcile(key, current);
  }

  /** Stops the running pods (gracefully, in the background). */
  #retire(slot: Slot): void {
    const pods = slot.pods;
    if (pods === undefined) return;
    slot.pods = undefined;
    this.#emit('stopped', pods);
    const done = pods.demo.stop(this.#opts.terminationGraceMs ?? 2_000);
    this.#stopping.add(done);
    void done.finally(() => this.#stopping.delete(done));
  }

  /** Writes status if it differs; conditional on the resourceVersion read, like a controller's update. */
  async #report(obj: KubeObject, d: DeploymentView, counts: ReplicaCounts): Promise<void> {
    const status = statusPatch(d.generation, counts);
    if (statusSays(obj.status, status)) return;
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: d.namespace, name: d.name };
    const patch = { metadata: { resourceVersion: obj.metadata.resourceVersion }, status };
    try {
      await this.#opts.client.mergePatch(ref, patch, { subresource: 'status' });
    } catch (err) {
      // A newer version exists: its watch event is on its way and will be reconciled.
      if (err instanceof KubeError && (err.code === 'Conflict' || err.code === 'NotFound')) return;
      this.#log('warn', { err, deployment: objectKey(d.namespace, d.name) }, 'status write failed; retrying');
      this.#retryLater(obj);
    }
  }

  #retryLater(obj: KubeObject): void {
    void this.#clock.sleep(200).then(() => {
      if (!this.#stopped) this.#enqueue(obj);
    });
  }

  #warn(err: unknown): void {
    this.#log('warn', { err }, 'workload emulator: a Deployment pass failed');
  }

  #log(level: 'info' | 'warn', obj: object, msg: string): void {
    this.#opts.logger?.[level](obj, msg);
  }
}

function describe(pods: Pods): RunningApp {
  return {
    namespace: pods.demo.namespace,
    workload: pods.demo.workload,
    url: pods.demo.url,
    readyReplicas: pods.ready,
    labels: { ...pods.labels },
    templateHash: pods.templateHash,
    behaviour: pods.demo.behaviour(),
    served: pods.demo.served(),
  };
}

function splitKey(key: string): [string | undefined, string] {
  const slash = key.indexOf('/');
  return slash < 0 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
}
