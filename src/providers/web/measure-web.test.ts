import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { measure, type MeasureContext } from '../../analysis/index.ts';
import { Metric } from '../../api/index.ts';
import type { MetricProvider } from '../../ports/index.ts';
import { createWebRunner } from './web-provider.ts';

/**
 * A web metric measured as the controller and `serin analyze` measure it: the same conditions and
 * measurement rules as a Prometheus metric, with every failure an Error or no data, never a pass.
 */

const BASE = 'http://checker.test';

const noPrometheus: MetricProvider = {
  instantQuery: () => Promise.reject(new Error('a web metric must not query Prometheus')),
  rangeQuery: () => Promise.reject(new Error('a web metric must not query Prometheus')),
};

function metric(extra: Record<string, unknown> = {}, web: Record<string, unknown> = {}): Metric {
  return Metric.parse({
    name: 'smoke',
    successCondition: 'result <= 0.05',
    ...extra,
    provider: { web: { url: `${BASE}/errors/{{args.service}}`, jsonPath: '$.data.rate', ...web } },
  });
}

function context(
  values: Record<string, string> = { 'args.service': 'podinfo' },
  secrets: string[] = [],
): MeasureContext {
  return { provider: noPrometheus, web: createWebRunner(), args: { values, secrets }, now: 1_000 };
}

beforeAll(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
});

describe('a web metric is judged by its conditions', () => {
  it('succeeds when the value meets successCondition', async () => {
    nock(BASE)
      .get('/errors/podinfo')
      .reply(200, { data: { rate: 0.01 } });
    expect(await measure(metric(), context())).toMatchObject({ phase: 'Successful', value: '0.01' });
  });

  it('fails when the value does not', async () => {
    nock(BASE)
      .get('/errors/podinfo')
      .reply(200, { data: { rate: 0.2 } });
    expect(await measure(metric(), context())).toMatchObject({
      phase: 'Failed',
      value: '0.2',
      message: 'successCondition not met: result <= 0.05',
    });
  });

  it('judges a [*] path as a list, with list conditions', async () => {
    nock(BASE)
      .get('/errors/podinfo')
      .reply(200, { checks: [{ ok: 1 }, { ok: 0 }] });
    const all = metric({ successCondition: 'result.all(x, x == 1)' }, { jsonPath: '$.checks[*].ok' });
    expect(await measure(all, context())).toMatchObject({ phase: 'Failed', value: '[1, 0]' });
  });
});

describe('a web metric never passes on a failure', () => {
  // A condition every number meets: only the failure can keep it from passing.
  const anyValue = { successCondition: 'result >= 0.0 || result < 0.0' };

  it('is an Error on a non-2xx answer', async () => {
    nock(BASE)
      .get('/errors/podinfo')
      .reply(500, { data: { rate: 0 } });
    expect(await measure(metric(anyValue), context())).toMatchObject({
      phase: 'Error',
      message: `GET ${BASE}: HTTP 500 Internal Server Error`,
    });
  });

  it('is an Error when the value is not a number', async () => {
    nock(BASE)
      .get('/errors/podinfo')
      .reply(200, { data: { rate: 'fast' } });
    expect(await measure(metric(anyValue), context())).toMatchObject({ phase: 'Error' });
  });

  it('is an Error when the answer is not JSON', async () => {
    nock(BASE).get('/errors/podinfo').reply(200, 'all good', { 'content-type': 'text/plain' });
    expect(await measure(metric(anyValue), context())).toMatchObject({ phase: 'Error' });
  });

  it('follows the noData policy when the path is not in the answer', async () => {
    nock(BASE).get('/errors/podinfo').twice().reply(200, { data: {} });
    expect(await measure(metric(anyValue), context())).toMatchObject({
      phase: 'Inconclusive',
      message: 'no data: $.data.rate is not in the answer',
    });
    expect(await measure(metric({ ...anyValue, noData: 'Failed' }), context())).toMatchObject({
      phase: 'Failed',
    });
  });
});

describe('a web metric refuses injected structure before sending anything', () => {
  it('is an Error naming the field, and no request is sent', async () => {
    const scope = nock(BASE)
      .get(/.*/)
      .reply(200, { data: { rate: 0 } });
    const outcome = await measure(metric(), context({ 'args.service': '..' }));
    expect(outcome).toMatchObject({
      phase: 'Error',
      message:
        'provider.web.url: argument "args.service" is "..", a path step that would change the URL\'s path; such values are rejected',
    });
    expect(scope.isDone()).toBe(false);
  });

  it('redacts Secret-backed argument values from its messages', async () => {
    const outcome = await measure(
      metric({}, { url: `${BASE}/x`, headers: [{ name: 'X-Token', value: '{{args.token}}' }] }),
      context({ 'args.token': 'hunter2\nX-Admin: 1' }, ['hunter2\nX-Admin: 1']),
    );
    expect(outcome.phase).toBe('Error');
    expect(outcome.message).not.toContain('hunter2');
  });
});

describe('provider selection', () => {
  it('is an Error, not Prometheus, for a provider serin does not know', async () => {
    const unknown = { ...metric(), provider: { datadog: { query: 'x' } } } as unknown as Metric;
    expect(await measure(unknown, context())).toMatchObject({
      phase: 'Error',
      message: 'unknown provider "datadog": set exactly one of prometheus, judge or web',
    });
  });

  it('is an Error when no web provider is wired', async () => {
    const { web: _web, ...without } = context();
    expect(await measure(metric(), without)).toMatchObject({
      phase: 'Error',
      message: 'web metrics need the web provider, which is not available here',
    });
  });
});
