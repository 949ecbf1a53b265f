import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PrometheusConnection } from '../../api/index.ts';
import type { MetricProvider, QueryOutcome } from '../../ports/index.ts';
import { createPrometheusProvider } from './prometheus-provider.ts';
import {
  createQueryScheduler,
  prometheusLabel,
  type QueryObserver,
  type QueryResult,
  type QuerySchedulerOptions,
} from './query-scheduler.ts';

const BASE = 'http://prom.test:9090';
const OTHER = 'http://prom-b.test:9090';
const connection: PrometheusConnection = { address: BASE, timeout: '30s' };
const NOW = 1_700_000_123_456;

function scalar(value: number): nock.Body {
  return { status: 'success', data: { resultType: 'scalar', result: [NOW / 1000, String(value)] } };
}

/** Records what the scheduler reports, as the controller's metrics would. */
function recorder(): QueryObserver & {
  counts: Record<QueryResult, number>;
  maxInflight: Map<string, number>;
  last: Map<string, { inflight: number; queued: number }>;
  timings: { waitedMs: number; tookMs: number }[];
} {
  const counts: Record<QueryResult, number> = { sent: 0, shared: 0, dropped: 0 };
  const maxInflight = new Map<string, number>();
  const last = new Map<string, { inflight: number; queued: number }>();
  const timings: { waitedMs: number; tookMs: number }[] = [];
  return {
    counts,
    maxInflight,
    last,
    timings,
    answered: (_prometheus, timing) => {
      timings.push({ ...timing });
    },
    query: (result) => {
      counts[result] += 1;
    },
    slots: (prometheus, inflight, queued) => {
      maxInflight.set(prometheus, Math.max(maxInflight.get(prometheus) ?? 0, inflight));
      last.set(prometheus, { inflight, queued });
    },
  };
}

interface Held {
  readonly query: string;
  readonly params: URLSearchParams;
  readonly release: (value: number) => void;
}

/**
 * A Prometheus whose answers wait until the test releases them: `held` lists the requests that
 * arrived (in order), `arrived(n)` resolves once n have.
 */
function heldPrometheus(base = BASE): { held: Held[]; arrived: (n: number) => Promise<void> } {
  const held: Held[] = [];
  const waiting: { n: number; resolve: () => void }[] = [];
  nock(base)
    .get('/api/v1/query')
    .query(true)
    .times(1000)
    .reply(async (uri) => {
      const params = new URL(uri, base).searchParams;
      const value = await new Promise<number>((resolve) => {
        held.push({ query: params.get('query') ?? '', params, release: resolve });
        for (const w of waiting.filter((w) => held.length >= w.n)) w.resolve();
      });
      return [200, scalar(value)];
    });
  return {
    held,
    arrived: (n) =>
      held.length >= n
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            waiting.push({ n, resolve });
          }),
  };
}

/** Counts the requests that reach Prometheus; answers each query with its own number. */
function countingPrometheus(answers: Record<string, number | 'error'>): { requests: URLSearchParams[] } {
  const requests: URLSearchParams[] = [];
  nock(BASE)
    .get('/api/v1/query')
    .query(true)
    .times(1000)
    .reply((uri) => {
      const params = new URL(uri, BASE).searchParams;
      requests.push(params);
      const answer = answers[params.get('query') ?? ''];
      if (answer === undefined || answer === 'error') {
        return [503, { status: 'error', errorType: 'unavailable', error: 'TSDB not ready' }];
      }
      return [200, scalar(answer)];
    });
  return { requests };
}

function scheduler(options: QuerySchedulerOptions = {}): MetricProvider {
  return createQueryScheduler(createPrometheusProvider(), { clock: () => NOW, ...options });
}

const ask = (provider: MetricProvider, query: string, conn = connection, signal?: AbortSignal) =>
  provider.instantQuery({ connection: conn, query, ...(signal ? { signal } : {}) });

beforeAll(() => {
  nock.disableNetConnect();
});

afterEach(() => {
  nock.cleanAll();
});

describe('query deduplication', () => {
  it('sends identical concurrent queries once and gives every caller the answer', async () => {
    const prometheus = countingPrometheus({ 'sum(rate(x[1m]))': 0.25 });
    const observer = recorder();
    const provider = scheduler({ observer });
    const answers = await Promise.all(Array.from({ length: 50 }, () => ask(provider, 'sum(rate(x[1m]))')));
    expect(prometheus.requests).toHaveLength(1);
    expect(new Set(answers.map((a) => JSON.stringify(a)))).toEqual(
      new Set([JSON.stringify({ kind: 'value', value: 0.25 })]),
    );
    expect(observer.counts).toEqual({ sent: 1, shared: 49, dropped: 0 });
  });

  it('sends queries that differ only in a label separately and never swaps their answers', async () => {
    const prometheus = countingPrometheus({ 'up{job="a"}': 1, 'up{job="b"}': 2 });
    const provider = scheduler();
    const [a, b, a2] = await Promise.all([
      ask(provider, 'up{job="a"}'),
      ask(provider, 'up{job="b"}'),
      ask(provider, 'up{job="a"}'),
    ]);
    expect(prometheus.requests.map((p) => p.get('query')).sort()).toEqual(['up{job="a"}', 'up{job="b"}']);
    expect([a, b, a2]).toEqual([
      { kind: 'value', value: 1 },
      { kind: 'value', value: 2 },
      { kind: 'value', value: 1 },
    ]);
  });

  it('does not share between different credentials, headers or timeouts', async () => {
    const prometheus = countingPrometheus({ up: 1 });
    const provider = scheduler();
    await Promise.all([
      ask(provider, 'up'),
      ask(provider, 'up', { ...connection, headers: [{ name: 'X-Scope-OrgID', value: 'team-a' }] }),
      ask(provider, 'up', { ...connection, headers: [{ name: 'X-Scope-OrgID', value: 'team-b' }] }),
      ask(provider, 'up', { ...connection, timeout: '10s' }),
    ]);
    expect(prometheus.requests).toHaveLength(4);
  });

  it('evaluates a query without a time at now truncated to the tick, and sends that time', async () => {
    const prometheus = countingPrometheus({ up: 1 });
    await ask(scheduler({ clock: () => 1_700_000_123_999 }), 'up');
    expect(prometheus.requests[0]?.get('time')).toBe('1700000123');
    await scheduler({ clock: () => 1_700_000_123_999, tickMs: 10_000 }).instantQuery({
      connection,
      query: 'up',
      time: 1_600_000_000_000,
    });
    // An explicit time (a backtest) is kept as it is.
    expect(prometheus.requests[1]?.get('time')).toBe('1600000000');
  });

  it('shares an answer for the rest of its tick and asks again in the next one', async () => {
    const prometheus = countingPrometheus({ up: 1 });
    let now = 1_700_000_000_100;
    const observer = recorder();
    const provider = scheduler({ clock: () => now, observer });
    await ask(provider, 'up');
    now = 1_700_000_000_900;
    expect(await ask(provider, 'up')).toEqual({ kind: 'value', value: 1 });
    expect(prometheus.requests).toHaveLength(1);
    now = 1_700_000_001_000;
    await ask(provider, 'up');
    expect(prometheus.requests.map((p) => p.get('time'))).toEqual(['1700000000', '1700000001']);
    expect(observer.counts).toEqual({ sent: 2, shared: 1, dropped: 0 });
  });

  it('shares an error with the callers waiting for it, but never keeps it: the next ask sends again', async () => {
    const prometheus = countingPrometheus({ up: 'error' });
    const provider = scheduler();
    const answers = await Promise.all([ask(provider, 'up'), ask(provider, 'up'), ask(provider, 'up')]);
    expect(prometheus.requests).toHaveLength(1);
    for (const answer of answers)
      expect(answer).toMatchObject({ kind: 'error', errorKind: 'http', status: 503 });
    expect(await ask(provider, 'up')).toMatchObject({ kind: 'error' });
    expect(prometheus.requests).toHaveLength(2);
  });
});

describe('the per-Prometheus concurrency limit', () => {
  it('never has more than the limit in flight, sends in the order asked, and the gauge returns to 0', async () => {
    const prometheus = heldPrometheus();
    const observer = recorder();
    const provider = scheduler({ concurrency: 2, observer });
    const queries = Array.from({ length: 7 }, (_, i) => `q${i}`);
    const answers = queries.map((query) => ask(provider, query));
    await prometheus.arrived(2);
    expect(observer.last.get(BASE)).toEqual({ inflight: 2, queued: 5 });
    for (let released = 0; released < queries.length; released++) {
      await prometheus.arrived(Math.min(queries.length, released + 2));
      prometheus.held[released]?.release(released);
    }
    const outcomes: QueryOutcome[] = await Promise.all(answers);
    expect(prometheus.held.map((h) => h.query)).toEqual(queries);
    expect(outcomes).toEqual(queries.map((_, i) => ({ kind: 'value', value: i })));
    expect(observer.maxInflight.get(BASE)).toBe(2);
    expect(observer.last.get(BASE)).toEqual({ inflight: 0, queued: 0 });
  });

  it('limits each Prometheus address on its own', async () => {
    const a = heldPrometheus(BASE);
    const b = heldPrometheus(OTHER);
    const observer = recorder();
    const provider = scheduler({ concurrency: 1, observer });
    const answers = [
      ask(provider, 'up'),
      ask(provider, 'down'),
      ask(provider, 'up', { ...connection, address: OTHER }),
    ];
    await Promise.all([a.arrived(1), b.arrived(1)]);
    expect(observer.last.get(BASE)).toEqual({ inflight: 1, queued: 1 });
    expect(observer.last.get(OTHER)).toEqual({ inflight: 1, queued: 0 });
    b.held[0]?.release(3);
    a.held[0]?.release(1);
    await a.arrived(2);
    a.held[1]?.release(2);
    expect(await Promise.all(answers)).toEqual([
      { kind: 'value', value: 1 },
      { kind: 'value', value: 2 },
      { kind: 'value', value: 3 },
    ]);
  });

  it('makes a query that gets no slot within its timeout a timeout error, and does not send it', async () => {
    const prometheus = heldPrometheus();
    const observer = recorder();
    const provider = scheduler({ concurrency: 1, observer });
    const first = ask(provider, 'slow');
    await prometheus.arrived(1);
    const late = await ask(provider, 'late', { ...connection, timeout: '50ms' });
    expect(late).toMatchObject({ kind: 'error', errorKind: 'timeout' });
    if (late.kind === 'error') expect(late.message).toContain('within 50ms');
    prometheus.held[0]?.release(1);
    expect(await first).toEqual({ kind: 'value', value: 1 });
    expect(prometheus.held.map((h) => h.query)).toEqual(['slow']);
    expect(observer.counts).toEqual({ sent: 1, shared: 0, dropped: 1 });
    expect(observer.last.get(BASE)).toEqual({ inflight: 0, queued: 0 });
  });

  it('sends a query that waited for a slot with what is left of its timeout, and reports the wait', async () => {
    const prometheus = heldPrometheus();
    const observer = recorder();
    const provider = scheduler({ concurrency: 1, observer });
    const first = ask(provider, 'first');
    await prometheus.arrived(1);
    const second = ask(provider, 'second', { ...connection, timeout: '5s' });
    const queuedBy = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const releasedAt = performance.now();
    prometheus.held[0]?.release(1);
    await prometheus.arrived(2);
    prometheus.held[1]?.release(2);
    await Promise.all([first, second]);
    expect(prometheus.held[0]?.params.get('timeout')).toBe('30s');
    const left = prometheus.held[1]?.params.get('timeout') ?? '';
    expect(left).toMatch(/^\d+ms$/);
    expect(Number.parseInt(left, 10)).toBeLessThanOrEqual(4_980);
    // The first was sent at once and held 20 ms; the second waited for its slot at least as long.
    expect(observer.timings).toHaveLength(2);
    expect(observer.timings[0]?.tookMs).toBeGreaterThanOrEqual(releasedAt - queuedBy);
    expect(observer.timings[1]?.waitedMs).toBeGreaterThanOrEqual(releasedAt - queuedBy);
  });

  it('answers a cancelled caller with a cancelled error and does not send a query nobody waits for', async () => {
    const prometheus = heldPrometheus();
    const observer = recorder();
    const provider = scheduler({ concurrency: 1, observer });
    const first = ask(provider, 'first');
    await prometheus.arrived(1);
    const stop = new AbortController();
    const cancelled = ask(provider, 'second', connection, stop.signal);
    stop.abort();
    expect(await cancelled).toMatchObject({ kind: 'error', errorKind: 'cancelled' });
    prometheus.held[0]?.release(1);
    await first;
    expect(prometheus.held.map((h) => h.query)).toEqual(['first']);
    expect(observer.counts.dropped).toBe(1);
    expect(await ask(provider, 'third', connection, stop.signal)).toMatchObject({ errorKind: 'cancelled' });
  });

  it('keeps sending a shared query when one of its callers is cancelled', async () => {
    const prometheus = heldPrometheus();
    const provider = scheduler({ concurrency: 1 });
    const first = ask(provider, 'first');
    await prometheus.arrived(1);
    const stop = new AbortController();
    const leaving = ask(provider, 'shared', connection, stop.signal);
    const staying = ask(provider, 'shared');
    stop.abort();
    prometheus.held[0]?.release(1);
    await prometheus.arrived(2);
    prometheus.held[1]?.release(2);
    expect(await leaving).toMatchObject({ errorKind: 'cancelled' });
    expect(await staying).toEqual({ kind: 'value', value: 2 });
    await first;
  });
});

describe('the prometheus label', () => {
  it('drops credentials, query and trailing slashes from the address', () => {
    expect(prometheusLabel('http://user:secret@prom.example:9090/prefix/?x=1#y')).toBe(
      'http://prom.example:9090/prefix',
    );
    expect(prometheusLabel('not a url')).toBe('invalid-address');
  });
});
