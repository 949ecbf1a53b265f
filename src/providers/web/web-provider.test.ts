import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebRequest } from '../../analysis/index.ts';
import type { SecretReader } from '../../ports/index.ts';
import {
  json,
  startRecordingServer,
  type RecordingServer,
} from '../../../test/providers/web/recording-server.ts';
import { createWebRunner } from './web-provider.ts';

let server: RecordingServer;
beforeEach(async () => {
  server = await startRecordingServer();
});
afterEach(async () => server.close());

function request(overrides: Partial<WebRequest> = {}): WebRequest {
  return {
    url: `${server.url}/api/health`,
    method: 'GET',
    headers: [],
    timeoutMs: 5_000,
    jsonPath: '$.value',
    ...overrides,
  };
}

const run = createWebRunner();

describe('web provider: the value at jsonPath', () => {
  const document = {
    data: { errorRate: 0.02, checks: [{ failed: 3 }, { failed: 0 }], 'odd key': 7, text: '0.5' },
    items: [{ latency: 120 }, { latency: 80.5 }, { latency: null }],
  };

  it.each([
    ['$.data.errorRate', 0.02],
    ['$.data.checks[0].failed', 3],
    ["$.data['odd key']", 7],
    ['$["data"]["errorRate"]', 0.02],
    ['{$.data.errorRate}', 0.02],
    ['$.data.text', 0.5],
  ])('reads %s as a number', async (jsonPath, value) => {
    server.answer(json(document));
    expect(await run(request({ jsonPath }))).toEqual({ kind: 'value', value });
  });

  it('reads $.items[*].latency as a list, skipping nulls', async () => {
    server.answer(json(document));
    expect(await run(request({ jsonPath: '$.items[*].latency' }))).toEqual({
      kind: 'value',
      value: [120, 80.5],
    });
  });

  it('is no data when the path is not in the answer', async () => {
    server.answer(json(document));
    expect(await run(request({ jsonPath: '$.data.missing' }))).toMatchObject({
      kind: 'noData',
      reason: '$.data.missing is not in the answer',
    });
    expect(await run(request({ jsonPath: '$.data.checks[5].failed' }))).toMatchObject({ kind: 'noData' });
  });

  it('is no data when the value is null', async () => {
    server.answer(json({ value: null }));
    expect(await run(request())).toMatchObject({ kind: 'noData' });
  });

  it.each([
    [{ value: true }, 'is a boolean, not a number'],
    [{ value: 'ok' }, 'is a string that is not a number'],
    [{ value: { nested: 1 } }, 'is an object, not a number'],
    [{ value: [1, 2] }, 'is an array, not a number'],
  ])('is an error, never a value, when the value is not a number: %j', async (body, message) => {
    server.answer(json(body));
    const outcome = await run(request());
    expect(outcome).toMatchObject({ kind: 'error', errorKind: 'badResponse' });
    expect(outcome.kind === 'error' && outcome.message).toContain(message);
  });

  it('is an error when the path steps into a number', async () => {
    server.answer(json({ value: 5 }));
    expect(await run(request({ jsonPath: '$.value.deeper' }))).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('$.value is a number, not an object') as unknown,
    });
  });
});

describe('web provider: failures are errors', () => {
  it('is an http error on a non-2xx answer, even with a good body', async () => {
    server.answer(json({ value: 1 }, 503));
    expect(await run(request())).toMatchObject({ kind: 'error', errorKind: 'http', status: 503 });
  });

  it('never follows a redirect: traffic goes only to the configured URL', async () => {
    const elsewhere = await startRecordingServer(json({ value: 1 }));
    try {
      server.answer((_request, response) => {
        response.writeHead(302, { location: `${elsewhere.url}/steal` });
        response.end();
      });
      const outcome = await run(request());
      expect(outcome).toMatchObject({ kind: 'error', errorKind: 'http', status: 302 });
      expect(outcome.kind === 'error' && outcome.message).toContain('redirects are not followed');
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('is a timeout when the answer does not come in time', async () => {
    server.answer(() => {
      // never answers
    });
    expect(await run(request({ timeoutMs: 100 }))).toMatchObject({ kind: 'error', errorKind: 'timeout' });
  });

  it('is an error when the answer is not JSON', async () => {
    server.answer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html>ok</html>');
    });
    expect(await run(request())).toMatchObject({
      kind: 'error',
      errorKind: 'badResponse',
      message: expect.stringContaining('not JSON (text/html') as unknown,
    });
  });

  it('is an error when the answer is larger than the limit', async () => {
    server.answer(json({ value: 1, padding: 'x'.repeat(2_000) }));
    const small = createWebRunner({ maxBodyBytes: 1_000 });
    expect(await small(request())).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('larger than 1000 bytes') as unknown,
    });
  });

  it('is unreachable when nothing listens', async () => {
    const closed = await startRecordingServer();
    const url = closed.url;
    await closed.close();
    expect(await run(request({ url: `${url}/x` }))).toMatchObject({
      kind: 'error',
      errorKind: 'unreachable',
    });
  });
});

describe('web provider: the request', () => {
  const secrets: SecretReader = {
    read: (ref) =>
      Promise.resolve(
        ref.name === 'api' && ref.key === 'token' && ref.namespace === 'shop'
          ? { ok: true, value: 's3cr3t-token\n' }
          : { ok: false, error: `Secret ${ref.namespace ?? ''}/${ref.name} not found` },
      ),
  };

  it('sends headers, reading values from Secrets in the namespace', async () => {
    server.answer(json({ value: 1 }));
    const withSecrets = createWebRunner({ secrets });
    await withSecrets(
      request({
        namespace: 'shop',
        headers: [
          { name: 'X-Team', value: 'payments' },
          { name: 'Authorization', secretKeyRef: { name: 'api', key: 'token' } },
        ],
      }),
    );
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.headers).toMatchObject({
      'x-team': 'payments',
      authorization: 's3cr3t-token',
      accept: 'application/json',
    });
  });

  it('sends nothing when a header Secret cannot be read, and never names its value', async () => {
    const withSecrets = createWebRunner({ secrets });
    const outcome = await withSecrets(
      request({
        namespace: 'other',
        headers: [{ name: 'Authorization', secretKeyRef: { name: 'api', key: 'token' } }],
      }),
    );
    expect(outcome).toMatchObject({ kind: 'error', errorKind: 'secret' });
    expect(outcome.kind === 'error' && outcome.message).toContain(
      'header Authorization from Secret api key token',
    );
    expect(server.requests).toHaveLength(0);
  });

  it('never throws on a Secret value a header cannot carry: an error, and nothing is sent', async () => {
    const odd: SecretReader = { read: () => Promise.resolve({ ok: true, value: 'token-😀' }) };
    const outcome = await createWebRunner({ secrets: odd })(
      request({ headers: [{ name: 'Authorization', secretKeyRef: { name: 'api', key: 'token' } }] }),
    );
    expect(outcome).toMatchObject({ kind: 'error', errorKind: 'secret' });
    expect(server.requests).toHaveLength(0);
  });

  it('POSTs the body as JSON', async () => {
    server.answer(json({ value: 2 }));
    await run(request({ method: 'POST', body: '{"service":"podinfo"}' }));
    expect(server.requests[0]).toMatchObject({
      method: 'POST',
      body: '{"service":"podinfo"}',
      headers: { 'content-type': 'application/json' },
    });
  });

  it('names only the method and origin in messages, never the path or query', async () => {
    server.answer(json({}, 500));
    const outcome = await run(request({ url: `${server.url}/api/secret-path?token=abc` }));
    expect(outcome.kind === 'error' && outcome.message).toBe(
      `GET ${server.url}: HTTP 500 Internal Server Error`,
    );
  });
});
