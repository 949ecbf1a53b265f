/** Fault injection: failing the next N matching requests, and added latency. */
import { failureStatus, KubeApiError, type StatusReason } from './status.ts';

/** Which requests a fault applies to. A string path must equal the URL path; a RegExp is tested against it. */
export interface RequestMatch {
  method?: string;
  path?: RegExp | string;
  /** true: only watch requests; false: only non-watch requests; absent: both. */
  watch?: boolean;
  /** Only requests of this authenticated user (see KubeSim.kubeconfigFor), e.g. one of two replicas. */
  user?: string;
}

/** The statuses failNext() can answer with. */
export type FaultStatus = 500 | 503 | 429 | 409;

/** failNext() input. */
export interface FailMatch extends RequestMatch {
  count: number;
  status: FaultStatus;
  /**
   * Seconds for the `Retry-After` header (and `details.retryAfterSeconds`) of a 429 or 503: 429
   * always carries one (default 1), 503 only when this is set, as kube-apiserver's overload and
   * shutdown answers do. Ignored for 500 and 409.
   */
  retryAfterSeconds?: number;
}

/** What the HTTP layer knows about a request when it consults the faults. */
export interface RequestInfo {
  method: string;
  path: string;
  watch: boolean;
  user: string;
}

function matches(m: RequestMatch, r: RequestInfo): boolean {
  if (m.method !== undefined && m.method.toUpperCase() !== r.method) return false;
  if (m.watch !== undefined && m.watch !== r.watch) return false;
  if (m.user !== undefined && m.user !== r.user) return false;
  if (m.path === undefined) return true;
  return typeof m.path === 'string' ? m.path === r.path : m.path.test(r.path);
}

function matchKey(m: RequestMatch): string {
  return `${m.method ?? ''}|${m.path === undefined ? '' : String(m.path)}|${String(m.watch)}|${m.user ?? ''}`;
}

function retryAfter(
  status: 429 | 503,
  reason: StatusReason,
  message: string,
  seconds: number | undefined,
): KubeApiError {
  if (seconds === undefined) return new KubeApiError(failureStatus(status, reason, message));
  return new KubeApiError(failureStatus(status, reason, message, { retryAfterSeconds: seconds }), {
    'Retry-After': String(seconds),
  });
}

function faultError(match: FailMatch): KubeApiError {
  switch (match.status) {
    case 500:
      return new KubeApiError(failureStatus(500, 'InternalError', 'Internal error occurred: injected fault'));
    case 503:
      return retryAfter(
        503,
        'ServiceUnavailable',
        'the server is currently unable to handle the request',
        match.retryAfterSeconds,
      );
    case 429:
      return retryAfter(
        429,
        'TooManyRequests',
        'Too many requests, please try again later.',
        match.retryAfterSeconds ?? 1,
      );
    case 409:
      return new KubeApiError(
        failureStatus(
          409,
          'Conflict',
          'Operation cannot be fulfilled: the object has been modified; please apply your changes to the latest version and try again',
        ),
      );
  }
}

/** Holds the active faults. */
export class Faults {
  private failures: { match: FailMatch; left: number }[] = [];
  private latencies: { ms: number; match: RequestMatch }[] = [];

  /** The next `count` matching requests fail with `status` (429 carries Retry-After, 1 s unless told). */
  failNext(match: FailMatch): void {
    this.failures.push({ match, left: match.count });
  }

  /** Adds `ms` of latency to matching requests (all when `match` is absent); `setLatency(0)` clears all. */
  setLatency(ms: number, match?: RequestMatch): void {
    if (ms <= 0 && match === undefined) {
      this.latencies = [];
      return;
    }
    const key = matchKey(match ?? {});
    this.latencies = this.latencies.filter((l) => matchKey(l.match) !== key);
    if (ms > 0) this.latencies.push({ ms, match: match ?? {} });
  }

  /** The latency for a request (the largest matching rule). */
  latencyFor(r: RequestInfo): number {
    return this.latencies.filter((l) => matches(l.match, r)).reduce((max, l) => Math.max(max, l.ms), 0);
  }

  /** Forgets every injected failure not yet consumed (latency rules stay). */
  clearFailures(): void {
    this.failures = [];
  }

  /** Consumes one injected failure for this request, if any. */
  takeFailure(r: RequestInfo): KubeApiError | undefined {
    const f = this.failures.find((x) => x.left > 0 && matches(x.match, r));
    if (f === undefined) return undefined;
    f.left -= 1;
    this.failures = this.failures.filter((x) => x.left > 0);
    return faultError(f.match);
  }
}
