import { durationToMs } from '../../api/index.ts';
import type {
  InstantQueryRequest,
  MetricProvider,
  QueryError,
  QueryOutcome,
  QueryTarget,
  RangeOutcome,
  RangeQueryRequest,
} from '../../ports/index.ts';
import { queryError } from './response.ts';

/**
 * Puts the controller's queries to Prometheus in order, so that a thousand Canaries measuring at
 * once neither send the same question a thousand times nor stampede one Prometheus:
 *
 * - Evaluation time: a query without `time` is evaluated at the clock's now truncated to the tick,
 *   and sends that `time=`; two Canaries measuring in the same tick ask the very same question.
 * - Deduplication: identical queries (same Prometheus, same credentials, same text after
 *   templating, same evaluation time, same timeout) share one request while it is in flight, and
 *   its answer for one tick after it came. Errors are shared with the requests waiting for them but
 *   never kept: the next ask sends again.
 * - Concurrency: at most `concurrency` requests in flight per Prometheus address; the others wait
 *   in a FIFO queue. The wait counts against the query's timeout: a query that gets no slot in
 *   time is a `timeout` error (the metric's onError policy decides), never a value, and a query
 *   that gets one late is sent with what is left of its timeout.
 */

/** Defaults: `--prometheus-concurrency` and the evaluation tick. */
export const DEFAULT_PROMETHEUS_CONCURRENCY = 8;
export const DEFAULT_QUERY_TICK_MS = 1_000;

/** What happened to one query asked of the scheduler; each ask is exactly one of these. */
export type QueryResult = 'sent' | 'shared' | 'dropped';

/** Where the scheduler reports, for the controller's own metrics. */
export interface QueryObserver {
  /**
   * `sent`: a request went to Prometheus; `shared`: answered by an identical query in flight or
   * answered in this tick; `dropped`: never sent (no slot within the timeout, or cancelled).
   */
  query(result: QueryResult): void;
  /** Requests in flight to, and waiting for a slot to, the Prometheus at `prometheus`. */
  slots(prometheus: string, inflight: number, queued: number): void;
  /** A sent request came back: how long it waited for a slot, and how long the request took (ms). */
  answered?(prometheus: string, timing: { readonly waitedMs: number; readonly tookMs: number }): void;
}

export interface QuerySchedulerOptions {
  /** Requests in flight per Prometheus address; the others queue (default 8). */
  readonly concurrency?: number;
  /** Queries without a `time` are evaluated at now truncated to this many ms (default 1000). */
  readonly tickMs?: number;
  /** Epoch ms; aligns evaluation times and ages the shared answers. */
  readonly clock?: () => number;
  readonly observer?: QueryObserver;
}

type Outcome = QueryOutcome | RangeOutcome;

interface Waiter {
  readonly resolve: (outcome: Outcome) => void;
  readonly detach: () => void;
}

/** One request to Prometheus and everyone waiting for its answer. */
interface Entry {
  readonly key: string;
  readonly lane: Lane;
  readonly waiters: Set<Waiter>;
  readonly send: (timeoutMs: number | undefined) => Promise<Outcome>;
  readonly timeoutMs: number;
  readonly queuedAt: number;
  timer?: ReturnType<typeof setTimeout>;
}

/** The requests of one Prometheus address. The Set keeps insertion order: a FIFO with O(1) removal. */
interface Lane {
  readonly label: string;
  inflight: number;
  readonly queue: Set<Entry>;
}

/** Wraps `inner` (the Prometheus provider) with evaluation-time alignment, deduplication and a per-Prometheus queue. */
export function createQueryScheduler(
  inner: MetricProvider,
  options: QuerySchedulerOptions = {},
): MetricProvider {
  const scheduler = new QueryScheduler(inner, options);
  return {
    instantQuery: (request) => scheduler.instantQuery(request),
    rangeQuery: (request) => scheduler.rangeQuery(request),
  };
}

class QueryScheduler {
  readonly #inner: MetricProvider;
  readonly #limit: number;
  readonly #tickMs: number;
  readonly #clock: () => number;
  readonly #observer: QueryObserver | undefined;
  readonly #lanes = new Map<string, Lane>();
  readonly #inflight = new Map<string, Entry>();
  readonly #answers = new Map<string, { outcome: Outcome; expiresAt: number }>();
  #sweptAt = 0;

  constructor(inner: MetricProvider, options: QuerySchedulerOptions) {
    const limit = options.concurrency ?? DEFAULT_PROMETHEUS_CONCURRENCY;
    const tickMs = options.tickMs ?? DEFAULT_QUERY_TICK_MS;
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`concurrency must be a positive integer, got ${limit}`);
    if (!Number.isFinite(tickMs) || tickMs < 1)
      throw new RangeError(`tickMs must be at least 1, got ${tickMs}`);
    this.#inner = inner;
    this.#limit = limit;
    this.#tickMs = tickMs;
    this.#clock = options.clock ?? Date.now;
    this.#observer = options.observer;
  }

  instantQuery(request: InstantQueryRequest): Promise<QueryOutcome> {
    const time = request.time ?? Math.floor(this.#clock() / this.#tickMs) * this.#tickMs;
    const aligned: InstantQueryRequest = { ...request, time };
    const key = JSON.stringify(['instant', ...targetKey(request), request.query, time]);
    return this.#ask(key, request, (timeoutMs) =>
      this.#inner.instantQuery(withoutSignal(aligned, timeoutMs)),
    ) as Promise<QueryOutcome>;
  }

  rangeQuery(request: RangeQueryRequest): Promise<RangeOutcome> {
    const key = JSON.stringify([
      'range',
      ...targetKey(request),
      request.query,
      request.start,
      request.end,
      request.stepMs,
    ]);
    return this.#ask(key, request, (timeoutMs) =>
      this.#inner.rangeQuery(withoutSignal(request, timeoutMs)),
    ) as Promise<RangeOutcome>;
  }

  #ask(key: string, target: QueryTarget, send: Entry['send']): Promise<Outcome> {
    const { signal } = target;
    if (signal?.aborted === true) return Promise.resolve(cancelled());
    this.#sweep();
    const answered = this.#answers.get(key);
    if (answered !== undefined) {
      this.#observer?.query('shared');
      return Promise.resolve(answered.outcome);
    }
    let entry = this.#inflight.get(key);
    if (entry === undefined) {
      entry = this.#enqueue(key, target, send);
    } else {
      this.#observer?.query('shared');
    }
    return this.#wait(entry, signal);
  }

  #enqueue(key: string, target: QueryTarget, send: Entry['send']): Entry {
    const lane = this.#lane(target.connection.address);
    const entry: Entry = {
      key,
      lane,
      waiters: new Set(),
      send,
      timeoutMs: durationToMs(target.connection.timeout),
      queuedAt: performance.now(),
    };
    this.#inflight.set(key, entry);
    lane.queue.add(entry);
    if (entry.timeoutMs > 0 && lane.inflight >= this.#limit) {
      entry.timer = setTimeout(() => {
        this.#drop(entry, this.#noSlot(entry, target.connection.timeout));
      }, entry.timeoutMs);
    }
    this.#pump(lane);
    return entry;
  }

  #wait(entry: Entry, signal: AbortSignal | undefined): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      const onAbort = (): void => {
        entry.waiters.delete(waiter);
        resolve(cancelled());
        // Nobody left to answer: a request still queued is not sent.
        if (entry.waiters.size === 0 && entry.lane.queue.has(entry)) this.#drop(entry, cancelled());
      };
      const waiter: Waiter = {
        resolve,
        detach: () => signal?.removeEventListener('abort', onAbort),
      };
      entry.waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #lane(address: string): Lane {
    const label = prometheusLabel(address);
    let lane = this.#lanes.get(label);
    if (lane === undefined) {
      lane = { label, inflight: 0, queue: new Set() };
      this.#lanes.set(label, lane);
    }
    return lane;
  }

  /** Starts queued requests while the lane has free slots, first come first served. */
  #pump(lane: Lane): void {
    for (const entry of lane.queue) {
      if (lane.inflight >= this.#limit) break;
      lane.queue.delete(entry);
      lane.inflight += 1;
      void this.#dispatch(entry);
    }
    this.#observer?.slots(lane.label, lane.inflight, lane.queue.size);
  }

  async #dispatch(entry: Entry): Promise<void> {
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    this.#observer?.query('sent');
    const sentAt = performance.now();
    const waited = Math.floor(sentAt - entry.queuedAt);
    // The wait in the queue counts against the timeout: send with what is left of it.
    const remaining = entry.timeoutMs > 0 && waited > 0 ? Math.max(1, entry.timeoutMs - waited) : undefined;
    let outcome: Outcome;
    try {
      outcome = await entry.send(remaining);
    } catch (err) {
      // The provider never throws; if it ever does, the waiters get an error, never a hang.
      outcome = queryError('badResponse', `the Prometheus provider failed: ${String(err)}`);
    }
    this.#observer?.answered?.(entry.lane.label, {
      waitedMs: sentAt - entry.queuedAt,
      tookMs: performance.now() - sentAt,
    });
    entry.lane.inflight -= 1;
    this.#inflight.delete(entry.key);
    if (outcome.kind !== 'error')
      this.#answers.set(entry.key, { outcome, expiresAt: this.#clock() + this.#tickMs });
    this.#settle(entry, outcome);
    this.#pump(entry.lane);
  }

  /** A request that leaves the queue unsent: its waiters get `error`. */
  #drop(entry: Entry, error: QueryError): void {
    if (!entry.lane.queue.delete(entry)) return;
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    this.#inflight.delete(entry.key);
    this.#observer?.query('dropped');
    this.#settle(entry, error);
    this.#observer?.slots(entry.lane.label, entry.lane.inflight, entry.lane.queue.size);
  }

  #settle(entry: Entry, outcome: Outcome): void {
    for (const waiter of entry.waiters) {
      waiter.detach();
      waiter.resolve(outcome);
    }
    entry.waiters.clear();
  }

  #noSlot(entry: Entry, timeout: string): QueryError {
    const { lane } = entry;
    return queryError(
      'timeout',
      `no answer from Prometheus within ${timeout}: the query waited for a slot the whole time ` +
        `(${lane.inflight} queries in flight to ${lane.label}, the limit, and ${lane.queue.size - 1} more waiting)`,
    );
  }

  /** Forgets shared answers whose tick has passed; at most once per tick. */
  #sweep(): void {
    const now = this.#clock();
    if (now - this.#sweptAt < this.#tickMs) return;
    this.#sweptAt = now;
    for (const [key, answer] of this.#answers) if (answer.expiresAt <= now) this.#answers.delete(key);
  }
}

/**
 * What makes two queries go to the same Prometheus as the same caller: the address, the headers,
 * the bearer token's Secret (and the namespace it is read from: the same name in two namespaces is
 * two tokens) and the timeout.
 */
function targetKey(target: QueryTarget): unknown[] {
  const { connection } = target;
  const secret = connection.bearerTokenSecretRef;
  return [
    connection.address,
    connection.timeout,
    connection.headers ?? [],
    secret === undefined ? null : [secret.name, secret.key, target.namespace ?? null],
  ];
}

// The inner provider does not take the signal (it cannot cancel a request once sent), and gets
// what is left of the timeout after the wait in the queue.
function withoutSignal<R extends QueryTarget>(request: R, timeoutMs: number | undefined): R {
  const { signal: _signal, ...rest } = request;
  if (timeoutMs === undefined) return rest as R;
  return { ...rest, connection: { ...request.connection, timeout: `${timeoutMs}ms` } } as R;
}

function cancelled(): QueryError {
  return queryError('cancelled', 'cancelled before Prometheus answered: the pass was stopped');
}

/**
 * The `prometheus` label: the address without credentials, query or fragment, so that the label
 * neither leaks a password nor grows with anything but the configured servers.
 */
export function prometheusLabel(address: string): string {
  try {
    const url = new URL(address);
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return 'invalid-address';
  }
}
