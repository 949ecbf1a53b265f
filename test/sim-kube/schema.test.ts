/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return --
   these tests read raw wire JSON and assert on its shape. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canary, CANARIES, raw, startSim, VIRTUAL_SERVICES, virtualService } from './helpers.ts';
import type { SimClients } from './helpers.ts';

const MERGE = 'application/merge-patch+json';

let s: SimClients;
beforeAll(async () => {
  s = await startSim();
});
afterAll(async () => {
  await s.sim.stop();
});

function causes(body: any): { field: string; message: string }[] {
  return body.details.causes.map((c: any) => ({ field: c.field, message: c.message }));
}

describe("kube simulator: CRD schemas enforced on writes (Istio's real CRDs, serin's crds/)", () => {
  it("answers 422 naming the field when a VirtualService breaks Istio's schema (weight not an integer)", async () => {
    const vs = virtualService('bad-weight');
    vs.spec.http[0].route[0].weight = 'ninety';
    const r = await raw(s.sim, 'POST', VIRTUAL_SERVICES, vs);
    expect(r.status).toBe(422);
    expect(r.body.reason).toBe('Invalid');
    expect(causes(r.body)).toEqual([
      { field: 'spec.http[0].route[0].weight', message: expect.stringContaining('must be of type integer') },
    ]);
    expect(r.body.message).toMatch(
      /^VirtualService\.networking\.istio\.io "bad-weight" is invalid: spec\.http\[0\]\.route\[0\]\.weight: /,
    );
  });

  it('answers 422 Required value when a route destination has no host', async () => {
    const vs = virtualService('no-host');
    delete vs.spec.http[0].route[1].destination.host;
    const r = await raw(s.sim, 'POST', VIRTUAL_SERVICES, vs);
    expect(r.status).toBe(422);
    expect(causes(r.body)).toEqual([
      { field: 'spec.http[0].route[1].destination.host', message: 'Required value' },
    ]);
  });

  it("enforces Istio's CEL rules (a timeout must be a duration of at least 1ms)", async () => {
    const vs = virtualService('zero-timeout');
    vs.spec.http[0].timeout = '0s';
    const r = await raw(s.sim, 'POST', VIRTUAL_SERVICES, vs);
    expect(r.status).toBe(422);
    expect(causes(r.body)).toEqual([
      {
        field: 'spec.http[0].timeout',
        message: 'Invalid value: "0s": must be a valid duration greater than 1ms',
      },
    ]);
    vs.spec.http[0].timeout = '5s';
    expect((await raw(s.sim, 'POST', VIRTUAL_SERVICES, vs)).status).toBe(201);
  });

  it('checks patches against the schema too (merge patch making a weight negative-typed)', async () => {
    await raw(s.sim, 'POST', VIRTUAL_SERVICES, virtualService('patched-bad'));
    const r = await raw(s.sim, 'PATCH', `${VIRTUAL_SERVICES}/patched-bad`, { spec: { hosts: 'web' } }, MERGE);
    expect(r.status).toBe(422);
    expect(causes(r.body)[0]?.field).toBe('spec.hosts');
  });

  it("answers 422 naming spec.steps[0] when a Canary step sets two actions (serin's CEL rule)", async () => {
    const c = canary('two-actions');
    c.spec.steps[0] = { setWeight: 10, pause: {} };
    const r = await raw(s.sim, 'POST', CANARIES, c);
    expect(r.status).toBe(422);
    expect(causes(r.body)).toEqual([
      {
        field: 'spec.steps[0]',
        message: 'Invalid value: "object": must set exactly one of setWeight, pause, analysis',
      },
    ]);
  });

  it('answers 422 naming the field when a Canary weight is out of range', async () => {
    const c = canary('too-heavy');
    c.spec.steps[0] = { setWeight: 150 };
    const r = await raw(s.sim, 'POST', CANARIES, c);
    expect(r.status).toBe(422);
    expect(causes(r.body)).toEqual([
      {
        field: 'spec.steps[0].setWeight',
        message: 'Invalid value: 150: spec.steps[0].setWeight in body should be less than or equal to 100',
      },
    ]);
  });

  it('answers 422 Unsupported value for an enum violation', async () => {
    const c = canary('bad-enum');
    c.spec.targetRef.kind = 'StatefulSet';
    const r = await raw(s.sim, 'POST', CANARIES, c);
    expect(causes(r.body)).toEqual([
      {
        field: 'spec.targetRef.kind',
        message: 'Unsupported value: "StatefulSet": supported values: "Deployment"',
      },
    ]);
  });

  it('validates status writes against the status schema', async () => {
    await raw(s.sim, 'POST', CANARIES, canary('bad-status'));
    const r = await raw(
      s.sim,
      'PATCH',
      `${CANARIES}/bad-status/status`,
      { status: { phase: 'Dancing' } },
      MERGE,
    );
    expect(r.status).toBe(422);
    expect(causes(r.body)[0]?.field).toBe('status.phase');
  });

  it('prunes unknown fields and says so in a Warning header', async () => {
    const c = canary('pruned');
    c.spec.notAField = 1;
    c.metadata.bogus = 'x';
    const r = await raw(s.sim, 'POST', CANARIES, c);
    expect(r.status).toBe(201);
    expect(r.body.spec.notAField).toBeUndefined();
    expect(r.body.metadata.bogus).toBeUndefined();
    expect(r.headers.get('warning')).toContain('unknown field \\"spec.notAField\\"');
  });

  it('rejects unknown fields with 400 under fieldValidation=Strict', async () => {
    const c = canary('strict');
    c.spec.notAField = 1;
    const r = await raw(s.sim, 'POST', `${CANARIES}?fieldValidation=Strict`, c);
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('unknown field "spec.notAField"');
  });

  it('keeps unknown fields under x-kubernetes-preserve-unknown-fields', async () => {
    await raw(s.sim, 'POST', CANARIES, canary('preserved'));
    const r = await raw(
      s.sim,
      'PATCH',
      `${CANARIES}/preserved/status`,
      { status: { machine: { value: { anything: 1 }, context: { x: [1, 2] } } } },
      MERGE,
    );
    expect(r.status).toBe(200);
    expect(r.body.status.machine).toEqual({ value: { anything: 1 }, context: { x: [1, 2] } });
  });

  it('applies schema defaults on create', async () => {
    const r = await raw(s.sim, 'POST', CANARIES, canary('defaulted'));
    expect(r.body.spec).toMatchObject({ progressDeadlineSeconds: 600, suspend: false, skipAnalysis: false });
  });

  it('accepts both forms of x-kubernetes-int-or-string and nothing else', async () => {
    const named = canary('int-or-string-a');
    named.spec.service.targetPort = 'http';
    expect((await raw(s.sim, 'POST', CANARIES, named)).status).toBe(201);
    const numbered = canary('int-or-string-b');
    numbered.spec.service.targetPort = 8080;
    expect((await raw(s.sim, 'POST', CANARIES, numbered)).status).toBe(201);
    const wrong = canary('int-or-string-c');
    wrong.spec.service.targetPort = true;
    const r = await raw(s.sim, 'POST', CANARIES, wrong);
    expect(r.status).toBe(422);
    expect(causes(r.body)[0]?.field).toBe('spec.service.targetPort');
  });

  it('drops null values of non-nullable fields instead of failing', async () => {
    const vs = virtualService('nulls');
    vs.spec.gateways = null;
    const r = await raw(s.sim, 'POST', VIRTUAL_SERVICES, vs);
    expect(r.status).toBe(201);
    expect('gateways' in r.body.spec).toBe(false);
  });

  it('serves every Istio version (v1, v1beta1, v1alpha3) from one stored object', async () => {
    await raw(s.sim, 'POST', VIRTUAL_SERVICES, virtualService('multi'));
    const beta = await raw(
      s.sim,
      'GET',
      '/apis/networking.istio.io/v1beta1/namespaces/default/virtualservices/multi',
    );
    const alpha = await raw(
      s.sim,
      'GET',
      '/apis/networking.istio.io/v1alpha3/namespaces/default/virtualservices/multi',
    );
    expect(beta.body.apiVersion).toBe('networking.istio.io/v1beta1');
    expect(alpha.body.apiVersion).toBe('networking.istio.io/v1alpha3');
    expect(alpha.body.metadata.uid).toBe(beta.body.metadata.uid);
    expect(
      (await raw(s.sim, 'GET', '/apis/networking.istio.io/v2/namespaces/default/virtualservices/multi'))
        .status,
    ).toBe(404);
  });

  it('validates DestinationRules too', async () => {
    const dr = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'dr' },
      spec: {
        host: 'web',
        subsets: [{ name: 'primary', labels: { app: 'web' } }],
        trafficPolicy: { loadBalancer: { simple: 'NOPE' } },
      },
    };
    const r = await raw(
      s.sim,
      'POST',
      '/apis/networking.istio.io/v1/namespaces/default/destinationrules',
      dr,
    );
    expect(r.status).toBe(422);
    expect(causes(r.body).map((c) => c.field)).toContain('spec.trafficPolicy.loadBalancer.simple');
  });

  describe("a judge metric's shape (serin's CEL rules on AnalysisTemplates)", () => {
    const TEMPLATES = '/apis/serin.dev/v1alpha1/namespaces/default/analysistemplates';
    const comparison = { name: 'latency', baselineQuery: 'a', canaryQuery: 'b' };
    const template = (
      name: string,
      judge: Record<string, unknown>,
      metric: Record<string, unknown> = {},
    ) => ({
      apiVersion: 'serin.dev/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name },
      spec: {
        metrics: [
          {
            name: 'score',
            provider: { judge: { prometheus: { address: 'http://p:9090' }, ...judge } },
            ...metric,
          },
        ],
      },
    });

    it('accepts scored comparisons and fills their defaults', async () => {
      const weighted = { ...comparison, name: 'errors', weight: 2 };
      const r = await raw(
        s.sim,
        'POST',
        TEMPLATES,
        template('scored', { comparisons: [comparison, weighted] }),
      );
      expect(r.status).toBe(201);
      expect(r.body.spec.metrics[0].provider.judge.comparisons[0]).toMatchObject({
        weight: 1,
        critical: false,
      });
    });

    it('keeps comparison and metric names unique (list-type map), answering Duplicate value', async () => {
      const twice = template('twice', { comparisons: [comparison, { ...comparison, canaryQuery: 'c' }] });
      const once = template('once', { comparisons: [comparison] });
      const body = { ...twice, spec: { metrics: [...twice.spec.metrics, ...once.spec.metrics] } };
      const r = await raw(s.sim, 'POST', TEMPLATES, body);
      expect(r.status).toBe(422);
      expect(causes(r.body)).toEqual([
        { field: 'spec.metrics[1]', message: 'Duplicate value: map[string]interface {}{"name":"score"}' },
        {
          field: 'spec.metrics[0].provider.judge.comparisons[1]',
          message: 'Duplicate value: map[string]interface {}{"name":"latency"}',
        },
      ]);
    });

    it('answers 422 when pass is 0: a score of 0 is never Successful', async () => {
      const r = await raw(
        s.sim,
        'POST',
        TEMPLATES,
        template('pass-zero', { comparisons: [comparison], scoring: { pass: 0, marginal: 0 } }),
      );
      expect(r.status).toBe(422);
      expect(causes(r.body)).toEqual([
        {
          field: 'spec.metrics[0].provider.judge.scoring.pass',
          message:
            'Invalid value: 0: spec.metrics[0].provider.judge.scoring.pass in body should be greater than 0',
        },
      ]);
    });

    it.each([
      [
        'queries-and-comparisons',
        { comparisons: [comparison], baselineQuery: 'a', canaryQuery: 'b' },
        {},
        'spec.metrics[0].provider.judge',
        '"object": set baselineQuery and canaryQuery, or comparisons, not both',
      ],
      [
        'one-query',
        { baselineQuery: 'a' },
        {},
        'spec.metrics[0].provider.judge',
        '"object": set baselineQuery and canaryQuery, or comparisons, not both',
      ],
      [
        'scoring-alone',
        { baselineQuery: 'a', canaryQuery: 'b', scoring: { pass: 90 } },
        {},
        'spec.metrics[0].provider.judge',
        '"object": scoring needs comparisons',
      ],
      [
        'marginal-above-the-default-pass',
        { comparisons: [comparison], scoring: { marginal: 97 } },
        {},
        'spec.metrics[0].provider.judge.scoring',
        '"object": marginal (75 unless set) must not be above pass',
      ],
      [
        'no-weight-at-all',
        {
          comparisons: [
            { ...comparison, weight: 0 },
            { ...comparison, name: 'errors', weight: 0 },
          ],
        },
        {},
        'spec.metrics[0].provider.judge.comparisons',
        '"array": at least one comparison needs a weight above 0',
      ],
      [
        'min-traffic-on-a-judge-metric',
        { baselineQuery: 'a', canaryQuery: 'b' },
        { minTraffic: { query: 'requests', min: 1 } },
        'spec.metrics[0]',
        '"object": minTraffic applies to prometheus metrics only',
      ],
      [
        'scored-with-condition',
        { comparisons: [comparison] },
        { successCondition: 'result >= 90' },
        'spec.metrics[0]',
        '"object": a judge metric with comparisons is judged by provider.judge.scoring, not by conditions',
      ],
    ])('answers 422 for %s, naming the object and the rule', async (name, judge, metric, field, message) => {
      const r = await raw(s.sim, 'POST', TEMPLATES, template(name, judge, metric));
      expect(r.status).toBe(422);
      expect(causes(r.body)).toEqual([{ field, message: `Invalid value: ${message}` }]);
    });
  });
});
