import { createHash } from 'node:crypto';
import { systemClock, type KubeClock } from './clock.ts';
import type { KubeClient } from './client.ts';
import { KubeError } from './errors.ts';
import { silentLogger, type KubeLogger } from './logger.ts';
import type { KubeObject } from './types.ts';

/** The object an event is about. */
export interface InvolvedObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string | undefined;
  uid?: string | undefined;
}

/** One event to record. */
export interface EventSpec {
  type: 'Normal' | 'Warning';
  /** UpperCamelCase, machine-readable: `Promoted`, `AnalysisFailed`. */
  reason: string;
  message: string;
}

/** What recording did; recording never throws (an event is never worth failing a reconcile). */
export type EventRecordResult =
  | { kind: 'created'; name: string; count: 1 }
  | { kind: 'aggregated'; name: string; count: number }
  | { kind: 'failed'; error: KubeError | Error };

/** Construction options for {@link EventRecorder}. */
export interface EventRecorderOptions {
  client: KubeClient;
  /** `source.component` / `reportingComponent`, e.g. `serin`. */
  component: string;
  /** `reportingInstance`, e.g. the pod name. */
  instance?: string;
  clock?: KubeClock;
  logger?: KubeLogger;
}

interface CoreEvent extends KubeObject {
  count?: number;
}

/**
 * Records core/v1 Events. A repeat of the same (object, type, reason, message) bumps `count` and
 * `lastTimestamp` on the existing Event instead of creating another, which is what `kubectl describe`
 * shows as "x5 over 3m". The Event name is derived from that tuple, so aggregation also works across
 * restarts and replicas: a create that finds the name taken reads the Event and bumps it.
 */
export class EventRecorder {
  readonly #o: EventRecorderOptions;
  readonly #clock: KubeClock;
  readonly #log: KubeLogger;
  /** Known count per Event name, to patch without a read. */
  readonly #counts = new Map<string, number>();
  /** Records of one Event run one after another, so concurrent repeats cannot lose a count. */
  readonly #tails = new Map<string, Promise<unknown>>();

  constructor(opts: EventRecorderOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#log = opts.logger ?? silentLogger;
  }

  async record(involved: InvolvedObject | KubeObject, spec: EventSpec): Promise<EventRecordResult> {
    const obj = toInvolved(involved);
    const namespace = obj.namespace ?? 'default';
    const name = eventName(obj, spec);
    const previous = this.#tails.get(name) ?? Promise.resolve();
    const run = previous.then(() => this.#recordOnce(obj, spec, namespace, name));
    const tail = run.catch(() => undefined);
    this.#tails.set(name, tail);
    void tail.then(() => {
      if (this.#tails.get(name) === tail) this.#tails.delete(name);
    });
    try {
      return await run;
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      this.#log.warn({ err: error, reason: spec.reason, name }, 'could not record event');
      return { kind: 'failed', error };
    }
  }

  async #recordOnce(
    obj: InvolvedObject,
    spec: EventSpec,
    namespace: string,
    name: string,
  ): Promise<EventRecordResult> {
    const ref = { apiVersion: 'v1', kind: 'Event', namespace, name };
    const now = new Date(this.#clock.now()).toISOString();
    for (let attempt = 0; attempt < 3; attempt++) {
      const known = this.#counts.get(name);
      if (known === undefined) {
        const created = await this.#tryCreate(obj, spec, { namespace, name, now });
        if (created) return { kind: 'created', name, count: 1 };
        // Name taken: someone (an earlier run, another replica) recorded it. Read its count.
        const existing = await this.#o.client.find<CoreEvent>(ref);
        this.#counts.set(name, existing?.count ?? 0);
        continue;
      }
      const count = known + 1;
      try {
        await this.#o.client.mergePatch(ref, { count, lastTimestamp: now }, { retry: false });
        this.#counts.set(name, count);
        return { kind: 'aggregated', name, count };
      } catch (err) {
        // The Event expired (the API server deletes them after ~1h): start a new series.
        if (err instanceof KubeError && err.code === 'NotFound') this.#counts.delete(name);
        else throw err;
      }
    }
    throw new Error(`event ${namespace}/${name} kept changing while being recorded`);
  }

  /** Creates the Event; false when its name already exists. */
  async #tryCreate(
    obj: InvolvedObject,
    spec: EventSpec,
    at: { namespace: string; name: string; now: string },
  ): Promise<boolean> {
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: at.name, namespace: at.namespace },
      involvedObject: obj,
      type: spec.type,
      reason: spec.reason,
      message: spec.message,
      count: 1,
      firstTimestamp: at.now,
      lastTimestamp: at.now,
      source: { component: this.#o.component },
      reportingComponent: this.#o.component,
      reportingInstance: this.#o.instance ?? this.#o.component,
    };
    try {
      await this.#o.client.create(event);
      this.#counts.set(at.name, 1);
      return true;
    } catch (err) {
      if (err instanceof KubeError && err.code === 'AlreadyExists') return false;
      throw err;
    }
  }
}

function toInvolved(o: InvolvedObject | KubeObject): InvolvedObject {
  if (!('metadata' in o)) return o;
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.metadata.name ?? '',
    namespace: o.metadata.namespace,
    uid: o.metadata.uid,
  };
}

/** `<object>.<hash of the aggregation key>`: stable for a repeat, distinct otherwise. */
export function eventName(obj: InvolvedObject, spec: EventSpec): string {
  const key = [obj.kind, obj.namespace, obj.name, obj.uid, spec.type, spec.reason, spec.message];
  const hash = createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 16);
  // Names are DNS subdomains (<= 253); leave room for the suffix.
  return `${obj.name.slice(0, 200)}.${hash}`;
}
