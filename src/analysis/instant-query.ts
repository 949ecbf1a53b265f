import type { InstantQueryRequest, MetricProvider, QueryOutcome } from '../ports/index.ts';

/**
 * What makes two instant queries the same question to the same Prometheus, as one string. The
 * controller's per-pass dedup and `serin tune`'s cache share this one definition.
 */
export function instantQueryKey(request: InstantQueryRequest): string {
  const { connection } = request;
  return JSON.stringify([
    connection.address,
    connection.headers,
    connection.bearerTokenSecretRef,
    request.namespace,
    request.query,
    request.time,
  ]);
}

/**
 * A provider that sends each distinct instant query once per pass: metrics of several runs that
 * ask Prometheus the same thing at the same tick share one answer.
 */
export function dedupingProvider(provider: MetricProvider): MetricProvider {
  const inflight = new Map<string, Promise<QueryOutcome>>();
  return {
    instantQuery(request: InstantQueryRequest): Promise<QueryOutcome> {
      const key = instantQueryKey(request);
      let answer = inflight.get(key);
      if (!answer) {
        answer = provider.instantQuery(request);
        inflight.set(key, answer);
      }
      return answer;
    },
    rangeQuery: (request) => provider.rangeQuery(request),
  };
}
