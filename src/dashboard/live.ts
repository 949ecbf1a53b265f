import { ResourceCache, type CacheEvent, type KubeClient, type KubeObject } from '../kube/index.ts';
import { canaryView, phaseText, waitingFor, type WaitingInput } from '../readmodel/index.ts';
import type { CanaryListItem, ListMessage } from './api-types.ts';
import { describeFailure } from './failure.ts';

const API = 'serin.dev/v1alpha1';
/** Weight changes kept per Canary: hours of a rollout that moves every few seconds. */
const HISTORY_LIMIT = 500;

/** A Canary as one line of the list. */
export function listItem(canary: KubeObject, now: number): CanaryListItem {
  const input = canary as unknown as WaitingInput;
  const view = canaryView({ canary: input });
  return {
    namespace: view.namespace ?? '',
    name: view.name,
    phase: view.phase,
    phaseText: phaseText(view),
    step: view.step === undefined ? null : { number: view.step.number, total: view.step.total },
    weights: view.weights,
    waiting: waitingFor(input, now).short,
    analysis: view.analysis?.phase ?? '-',
    revision: view.revision ?? '-',
    message: view.message ?? '',
  };
}

function keyOf(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? ''}/${name ?? ''}`;
}

/**
 * The Canaries the dashboard shows, from one informer shared by every page: the list stream, the
 * Canary pages, and the weight history (the canary weight each time a watch event changed it, since
 * the dashboard started). Nothing polls: every update is a watch event.
 */
export class CanaryFeed {
  readonly #client: KubeClient;
  readonly #namespace: string | undefined;
  readonly #now: () => number;
  readonly #cache: ResourceCache;
  readonly #listeners = new Set<(message: ListMessage) => void>();
  readonly #canaryListeners = new Set<(event: CacheEvent<KubeObject>) => void>();
  readonly #history = new Map<string, { t: number; canary: number }[]>();
  #error: string | undefined;
  #synced = false;

  constructor(opts: { client: KubeClient; namespace: string | undefined; now?: () => number }) {
    this.#client = opts.client;
    this.#namespace = opts.namespace;
    this.#now = opts.now ?? Date.now;
    this.#cache = new ResourceCache({
      client: opts.client,
      apiVersion: API,
      kind: 'Canary',
      namespace: opts.namespace,
    });
  }

  /**
   * One plain list first: the informer retries a 403 forever, and the page would show an empty list
   * where the truth is "you may not list Canaries here". The informer runs either way, so a
   * permission granted later shows up without a restart.
   */
  async start(signal: AbortSignal): Promise<void> {
    try {
      await this.#client.list(API, 'Canary', { namespace: this.#namespace, signal });
    } catch (err) {
      this.#error = describeFailure(err, {
        verb: 'list',
        resource: 'canaries.serin.dev',
        namespace: this.#namespace,
      });
    }
    this.#cache.onChange((event) => {
      this.#onChange(event);
    });
    this.#cache.start();
    // Rejected when the dashboard stops before the first list succeeds: nothing to show then.
    this.#cache.synced.then(
      () => {
        this.#synced = true;
        this.#error = undefined;
        for (const canary of this.#cache.list(this.#namespace)) this.#record(canary);
        this.#broadcast(this.snapshot());
      },
      () => undefined,
    );
  }

  async stop(): Promise<void> {
    await this.#cache.stop();
  }

  /** What a new subscriber starts from: every Canary, or why there is nothing to show yet. */
  snapshot(): ListMessage {
    if (!this.#synced && this.#error !== undefined) return { type: 'error', message: this.#error };
    const now = this.#now();
    const items = this.#cache
      .list(this.#namespace)
      .map((canary) => listItem(canary, now))
      .sort((a, b) => keyOf(a.namespace, a.name).localeCompare(keyOf(b.namespace, b.name)));
    return { type: 'snapshot', items };
  }

  get synced(): boolean {
    return this.#synced;
  }

  /** Calls `listener` with the snapshot now and with every change after it; returns the unsubscribe. */
  subscribe(listener: (message: ListMessage) => void): () => void {
    if (this.#synced || this.#error !== undefined) listener(this.snapshot());
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Calls `listener` for every change of any Canary (the Canary pages filter their own). */
  onCanaryChange(listener: (event: CacheEvent<KubeObject>) => void): () => void {
    this.#canaryListeners.add(listener);
    return () => this.#canaryListeners.delete(listener);
  }

  /** The Canary as the informer holds it. */
  canary(namespace: string, name: string): KubeObject | undefined {
    return this.#cache.get(namespace, name);
  }

  /** Whether this dashboard looks at `namespace` at all. */
  covers(namespace: string): boolean {
    return this.#namespace === undefined || this.#namespace === namespace;
  }

  weightHistory(namespace: string, name: string): readonly { t: number; canary: number }[] {
    return this.#history.get(keyOf(namespace, name)) ?? [];
  }

  #record(canary: KubeObject): void {
    const key = keyOf(canary.metadata.namespace, canary.metadata.name);
    const weight = canaryView({ canary: canary as unknown as WaitingInput }).weights.canary;
    const history = this.#history.get(key) ?? [];
    if (history.at(-1)?.canary === weight) return;
    history.push({ t: this.#now(), canary: weight });
    if (history.length > HISTORY_LIMIT) history.splice(0, history.length - HISTORY_LIMIT);
    this.#history.set(key, history);
  }

  #onChange(event: CacheEvent<KubeObject>): void {
    if (!this.#synced) return;
    const { object } = event;
    if (event.type === 'deleted') {
      this.#history.delete(keyOf(object.metadata.namespace, object.metadata.name));
      this.#broadcast({
        type: 'delete',
        namespace: object.metadata.namespace ?? '',
        name: object.metadata.name ?? '',
      });
    } else {
      this.#record(object);
      this.#broadcast({ type: 'upsert', item: listItem(object, this.#now()) });
    }
    for (const listener of this.#canaryListeners) listener(event);
  }

  #broadcast(message: ListMessage): void {
    for (const listener of this.#listeners) listener(message);
  }
}
