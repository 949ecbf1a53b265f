import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PrometheusConnection } from '../../api/index.ts';
import type { QueryOutcome, SecretReader } from '../../ports/index.ts';
import { createPrometheusProvider } from './prometheus-provider.ts';

const BASE = 'http://prom.test:9090';
const connection: PrometheusConnection = { address: BASE, timeout: '30s' };
const provider = createPrometheusProvider();

function instant(conn: PrometheusConnection = connection, time?: number): Promise<QueryOutcome> {
  return provider.instantQuery({ connection: conn, query: 'up', ...(time === undefined ? {} : { time }) });
}

function vector(...values: string[]): nock.Body {
  return {
    status: 'success',
    data: {
      resultType: 'vector',
      result: values.map((value, i) => ({ metric: { pod: `p${i}` }, value: [1700000000, value] })),
    },
  };
}

function scalar(value: string): nock.Body {
  return { status: 'success', data: { resultType: 'scalar', result: [1700000000, value] } };
}

function reply(status: number, body: unknown, headers: Record<string, string> = {}): void {
  nock(BASE)
    .get('/api/v1/query')
    .query(true)
    .reply(status, body as nock.Body, headers);
}

beforeAll(() => {
  nock.disableNetConnect();
});

afterEach(() => {
  nock.cleanAll();
});

describe('Prometheus provider: values', () => {
  it('returns a one-series vector as a number', async () => {
    reply(200, vector('0.25'));
    expect(await instant()).toEqual({ kind: 'value', value: 0.25 });
  });

  it('returns a multi-series vector as a list of numbers', async () => {
    reply(200, vector('1', '2.5', '1e-3'));
    expect(await instant()).toEqual({ kind: 'value', value: [1, 2.5, 0.001] });
  });

  it('parses a scalar that arrives as a string', async () => {
    reply(200, scalar('42.5'));
    expect(await instant()).toEqual({ kind: 'value', value: 42.5 });
  });

  it('returns +Inf as Infinity, not NaN', async () => {
    reply(200, vector('+Inf'));
    expect(await instant()).toEqual({ kind: 'value', value: Infinity });
  });

  it('returns -Inf in a scalar and in a multi-series vector as -Infinity', async () => {
    reply(200, scalar('-Inf'));
    expect(await instant()).toEqual({ kind: 'value', value: -Infinity });
    reply(200, vector('-Inf', '+Inf'));
    expect(await instant()).toEqual({ kind: 'value', value: [-Infinity, Infinity] });
  });

  it('sends the evaluation time and the timeout to Prometheus', async () => {
    let params: URLSearchParams | undefined;
    nock(BASE)
      .get('/api/v1/query')
      .query((q) => {
        params = new URLSearchParams(q as Record<string, string>);
        return true;
      })
      .reply(200, scalar('1'));
    await instant({ ...connection, timeout: '5s' }, 1_700_000_123_000);
    expect(params?.get('time')).toBe('1700000123');
    expect(params?.get('timeout')).toBe('5s');
    expect(params?.get('query')).toBe('up');
  });
});

describe('Prometheus provider: no data', () => {
  it('treats an empty vector as no data', async () => {
    reply(200, vector());
    expect(await instant()).toMatchObject({ kind: 'noData' });
  });

  it('treats a NaN vector sample as no data', async () => {
    reply(200, vector('NaN'));
    expect(await instant()).toMatchObject({ kind: 'noData' });
  });

  it('treats a NaN scalar as no data', async () => {
    reply(200, scalar('NaN'));
    expect(await instant()).toMatchObject({ kind: 'noData' });
  });
});

describe('Prometheus provider: errors', () => {
  it('reports 400 bad_data with Prometheus errorType', async () => {
    reply(400, { status: 'error', errorType: 'bad_data', error: 'parse error at char 5' });
    expect(await instant()).toEqual({
      kind: 'error',
      errorKind: 'http',
      status: 400,
      errorType: 'bad_data',
      message: 'Prometheus returned HTTP 400 (bad_data): parse error at char 5',
    });
  });

  it('reports 422 execution errors', async () => {
    reply(422, { status: 'error', errorType: 'execution', error: 'many-to-many matching not allowed' });
    expect(await instant()).toMatchObject({
      kind: 'error',
      errorKind: 'http',
      status: 422,
      errorType: 'execution',
    });
  });

  it('reports 503 unavailable', async () => {
    reply(503, { status: 'error', errorType: 'unavailable', error: 'TSDB not ready' });
    expect(await instant()).toMatchObject({
      kind: 'error',
      errorKind: 'http',
      status: 503,
      errorType: 'unavailable',
    });
  });

  it('reports a Prometheus query timeout as a timeout', async () => {
    reply(503, { status: 'error', errorType: 'timeout', error: 'query timed out in expression evaluation' });
    expect(await instant()).toMatchObject({ kind: 'error', errorKind: 'timeout', status: 503 });
  });

  it('reports an HTML 502 from a proxy as an HTTP error with its status', async () => {
    reply(502, '<html><body><h1>502 Bad Gateway</h1></body></html>', { 'Content-Type': 'text/html' });
    const out = await instant();
    expect(out).toMatchObject({ kind: 'error', errorKind: 'http', status: 502 });
    if (out.kind === 'error') expect(out.message).toContain('502 Bad Gateway');
  });

  it('reports an HTML 200 as a bad response, never a value', async () => {
    reply(200, '<html>login</html>', { 'Content-Type': 'text/html' });
    expect(await instant()).toMatchObject({ kind: 'error', errorKind: 'badResponse' });
  });

  it('reports a sample that is not a number as a bad response', async () => {
    reply(200, vector('abc'));
    expect(await instant()).toMatchObject({ kind: 'error', errorKind: 'badResponse' });
  });

  it('reports a matrix answer to an instant query as a bad response', async () => {
    reply(200, { status: 'success', data: { resultType: 'matrix', result: [] } });
    expect(await instant()).toMatchObject({ kind: 'error', errorKind: 'badResponse' });
  });

  it('reports a client-side timeout', async () => {
    nock(BASE).get('/api/v1/query').query(true).delay(500).reply(200, scalar('1'));
    const out = await instant({ ...connection, timeout: '100ms' });
    expect(out).toEqual({
      kind: 'error',
      errorKind: 'timeout',
      message: 'no answer from Prometheus within 100ms',
    });
  });

  it('reports a refused connection as unreachable', async () => {
    nock(BASE)
      .get('/api/v1/query')
      .query(true)
      .replyWithError(
        Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:9090'), { code: 'ECONNREFUSED' }),
      );
    expect(await instant()).toEqual({
      kind: 'error',
      errorKind: 'unreachable',
      message: 'cannot reach Prometheus: ECONNREFUSED',
    });
  });
});

describe('Prometheus provider: range queries', () => {
  it('returns a matrix as series with millisecond times and infinities', async () => {
    nock(BASE)
      .get('/api/v1/query_range')
      .query({ query: 'up', start: '1700000000', end: '1700000060', step: '30', timeout: '30s' })
      .reply(200, {
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            {
              metric: { __name__: 'up', job: 'a' },
              values: [
                [1700000000, '1'],
                [1700000030, '+Inf'],
              ],
            },
          ],
        },
      });
    const out = await provider.rangeQuery({
      connection,
      query: 'up',
      start: 1_700_000_000_000,
      end: 1_700_000_060_000,
      stepMs: 30_000,
    });
    expect(out).toEqual({
      kind: 'series',
      series: [
        {
          labels: { __name__: 'up', job: 'a' },
          points: [
            { time: 1_700_000_000_000, value: 1 },
            { time: 1_700_000_030_000, value: Infinity },
          ],
        },
      ],
    });
  });

  it('treats an empty matrix as no data', async () => {
    nock(BASE)
      .get('/api/v1/query_range')
      .query(true)
      .reply(200, { status: 'success', data: { resultType: 'matrix', result: [] } });
    const out = await provider.rangeQuery({ connection, query: 'up', start: 0, end: 60_000, stepMs: 15_000 });
    expect(out).toMatchObject({ kind: 'noData' });
  });
});

describe('Prometheus provider: authentication', () => {
  const TOKEN = 's3cr3t-token-value';
  const secrets: SecretReader = {
    read: (ref) =>
      Promise.resolve(
        ref.name === 'prom-auth' && ref.key === 'token'
          ? { ok: true, value: `${TOKEN}\n` }
          : { ok: false, error: 'not found' },
      ),
  };
  const authed = createPrometheusProvider({ secrets });
  const withToken: PrometheusConnection = {
    ...connection,
    headers: [{ name: 'X-Scope-OrgID', value: 'team-a' }],
    bearerTokenSecretRef: { name: 'prom-auth', key: 'token' },
  };

  it('sends the bearer token from the Secret and the configured headers', async () => {
    nock(BASE, { reqheaders: { authorization: `Bearer ${TOKEN}`, 'x-scope-orgid': 'team-a' } })
      .get('/api/v1/query')
      .query(true)
      .reply(200, scalar('1'));
    expect(await authed.instantQuery({ connection: withToken, query: 'up' })).toEqual({
      kind: 'value',
      value: 1,
    });
  });

  it('never puts the token in an error message', async () => {
    reply(400, { status: 'error', errorType: 'bad_data', error: `invalid token ${TOKEN}` });
    const out = await authed.instantQuery({ connection: withToken, query: 'up' });
    expect(out.kind).toBe('error');
    expect(JSON.stringify(out)).not.toContain(TOKEN);
  });

  it('sends the rotated token once the Secret changes (a driver is kept per token, not per address)', async () => {
    let token = 'first-token';
    const rotating = createPrometheusProvider({
      secrets: { read: () => Promise.resolve({ ok: true, value: token }) },
    });
    for (const expected of ['first-token', 'first-token', 'second-token']) {
      if (expected === 'second-token') token = 'second-token';
      const scope = nock(BASE, { reqheaders: { authorization: `Bearer ${expected}` } })
        .get('/api/v1/query')
        .query(true)
        .reply(200, scalar('1'));
      expect(await rotating.instantQuery({ connection: withToken, query: 'up' })).toEqual({
        kind: 'value',
        value: 1,
      });
      expect(scope.isDone()).toBe(true);
    }
  });

  it('reports a Secret that cannot be read as an error without querying', async () => {
    const out = await authed.instantQuery({
      connection: { ...connection, bearerTokenSecretRef: { name: 'missing', key: 'token' } },
      query: 'up',
    });
    expect(out).toMatchObject({ kind: 'error', errorKind: 'secret' });
  });
});
