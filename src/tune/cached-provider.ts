import { instantQueryKey } from '../analysis/index.ts';
import type { InstantQueryRequest, MetricProvider, QueryOutcome } from '../ports/index.ts';

/**
 * The provider `serin tune` and `serin replay` query through: every distinct instant query
 * (address, credentials, query text, evaluation time) is sent once and its answer kept, so runs
 * that share measurements, and the replays of a threshold search, cost no further queries; and
 * queries leave at most `qps` a second, so a week of history does not hammer a production
 * Prometheus.
 */

export interface QueryStats {
  /** Queries sent to Prometheus. */
  issued: number;
  /** Answers served from memory. */
  reused: number;
}

export interface CachedProviderOptions {
  /** Queries per second at most; Infinity for no limit (a scratch Prometheus of our own). */
  readonly qps: number;
  /** Epoch ms; the sleep resolves after `ms`. Injected so tests need no real time. */
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export type CachedProvider = MetricProvider & { readonly stats: QueryStats };

export function cachedProvider(inner: MetricProvider, options: CachedProviderOptions): CachedProvider {
  const answers = new Map<string, Promise<QueryOutcome>>();
  const stats: QueryStats = { issued: 0, reused: 0 };
  const gap = Number.isFinite(options.qps) && options.qps > 0 ? 1000 / options.qps : 0;
  let nextSlot = 0;
  const slot = async (): Promise<void> => {
    if (gap === 0) return;
    const now = options.now();
    const at = Math.max(now, nextSlot);
    nextSlot = at + gap;
    if (at > now) await options.sleep(at - now);
  };
  return {
    stats,
    instantQuery(request: InstantQueryRequest): Promise<QueryOutcome> {
      const key = instantQueryKey(request);
      const known = answers.get(key);
      if (known !== undefined) {
        stats.reused++;
        return known;
      }
      const answer = slot().then(() => {
        stats.issued++;
        return inner.instantQuery(request);
      });
      answers.set(key, answer);
      return answer;
    },
    rangeQuery: async (request) => {
      await slot();
      stats.issued++;
      return inner.rangeQuery(request);
    },
  };
}
