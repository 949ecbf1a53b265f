import { instantQueryKey } from '../analysis/index.ts';
import type {
  InstantQueryRequest,
  MetricProvider,
  QueryOutcome,
  RangeOutcome,
  RangeQueryRequest,
} from '../ports/index.ts';

/**
 * The provider `serin tune` and `serin replay` query through: every distinct query (address,
 * credentials, query text, evaluation time or range) is sent once and its answer kept, so runs
 * that share measurements, and the replays of a threshold search, cost no further queries; and
 * queries leave at most `qps` a second, so a week of history does not hammer a production
 * Prometheus.
 *
 * Only answers are kept: a value, or Prometheus saying it has no data. A failed query (a timeout,
 * an unreachable server, an HTTP error) is shared by the callers already waiting for it, then
 * forgotten, so the next measurement that needs it asks again instead of replaying the failure.
 */
export interface QueryStats {
  /** Queries sent to Prometheus. */
  issued: number;
  /** Answers served from memory (or shared with an identical query in flight). */
  reused: number;
  /** Queries that failed (these are not kept: a later identical query is sent again). */
  failed: number;
}

export interface CachedProviderOptions {
  /** Queries per second at most; Infinity for no limit (a scratch Prometheus of our own). */
  readonly qps: number;
  /** Epoch ms; the sleep resolves after `ms`. Injected so tests need no real time. */
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export type CachedProvider = MetricProvider & { readonly stats: QueryStats };

/** What makes two range queries the same question to the same Prometheus. */
export function rangeQueryKey(request: RangeQueryRequest): string {
  const { connection } = request;
  return JSON.stringify([
    connection.address,
    connection.headers,
    connection.bearerTokenSecretRef,
    request.namespace,
    request.query,
    request.start,
    request.end,
    request.stepMs,
  ]);
}

export function cachedProvider(inner: MetricProvider, options: CachedProviderOptions): CachedProvider {
  const answers = new Map<string, Promise<QueryOutcome | RangeOutcome>>();
  const stats: QueryStats = { issued: 0, reused: 0, failed: 0 };
  const gap = Number.isFinite(options.qps) && options.qps > 0 ? 1000 / options.qps : 0;
  let nextSlot = 0;
  const slot = async (): Promise<void> => {
    if (gap === 0) return;
    const now = options.now();
    const at = Math.max(now, nextSlot);
    nextSlot = at + gap;
    if (at > now) await options.sleep(at - now);
  };
  const once = <T extends QueryOutcome | RangeOutcome>(key: string, send: () => Promise<T>): Promise<T> => {
    const known = answers.get(key) as Promise<T> | undefined;
    if (known !== undefined) {
      stats.reused++;
      return known;
    }
    const answer = slot().then(async () => {
      stats.issued++;
      try {
        const outcome = await send();
        if (outcome.kind === 'error') {
          stats.failed++;
          answers.delete(key);
        }
        return outcome;
      } catch (err) {
        // Providers never throw (ports/metric-provider.ts); if one does, do not keep the rejection.
        stats.failed++;
        answers.delete(key);
        throw err;
      }
    });
    answers.set(key, answer);
    return answer;
  };
  return {
    stats,
    instantQuery: (request: InstantQueryRequest) =>
      once(`i${instantQueryKey(request)}`, () => inner.instantQuery(request)),
    rangeQuery: (request: RangeQueryRequest) =>
      once(`r${rangeQueryKey(request)}`, () => inner.rangeQuery(request)),
  };
}
