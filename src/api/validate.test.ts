import { describe, expect, it } from 'vitest';
import { durationToMs } from './common.ts';
import { parseKind, parseSerinObject } from './validate.ts';

const canary = (spec: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'serin.dev/v1alpha1',
  kind: 'Canary',
  metadata: { name: 'podinfo', namespace: 'test' },
  spec: {
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
    service: { name: 'podinfo', port: 9898 },
    trafficRouting: { istio: { virtualServices: [{ name: 'podinfo', routes: ['primary'] }] } },
    steps: [{ setWeight: 5 }, { pause: { duration: '5m' } }, { pause: {} }],
    ...spec,
  },
});

describe('Canary schema', () => {
  it('accepts a valid Canary and fills the documented defaults', () => {
    const result = parseKind('Canary', canary());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.spec.progressDeadlineSeconds).toBe(600);
    expect(result.value.spec.abortScaleDownDelaySeconds).toBe(30);
    expect(result.value.spec.suspend).toBe(false);
    expect(result.value.spec.skipAnalysis).toBe(false);
  });

  it('rejects a step with two keys, naming the step and the choices', () => {
    const result = parseKind('Canary', canary({ steps: [{ setWeight: 5, pause: {} }] }));
    expect(result).toEqual({
      ok: false,
      issues: [{ path: 'spec.steps[0]', message: 'must set exactly one of setWeight, pause, analysis' }],
    });
  });

  it('rejects an empty step, naming the choices', () => {
    expect(parseKind('Canary', canary({ steps: [{}] }))).toEqual({
      ok: false,
      issues: [{ path: 'spec.steps[0]', message: 'must set exactly one of setWeight, pause, analysis' }],
    });
  });

  it('rejects a weight above 100 with the field path', () => {
    const result = parseKind('Canary', canary({ steps: [{ setWeight: 120 }] }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues[0]?.path).toBe('spec.steps[0].setWeight');
    expect(result.issues[0]?.message).toMatch(/100/);
  });

  it('rejects a malformed duration and says what is allowed', () => {
    const result = parseKind('Canary', canary({ steps: [{ pause: { duration: '5 minutes' } }] }));
    expect(result).toEqual({
      ok: false,
      issues: [
        { path: 'spec.steps[0].pause.duration', message: 'must be a duration such as 30s, 5m or 1h30m' },
      ],
    });
  });

  it('rejects an unknown kind and a wrong apiVersion without throwing', () => {
    expect(parseSerinObject({ apiVersion: 'serin.dev/v1alpha1', kind: 'Rollout' })).toMatchObject({
      ok: false,
      issues: [{ path: 'kind' }],
    });
    expect(parseSerinObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Canary' })).toMatchObject({
      ok: false,
      issues: [{ path: 'apiVersion' }],
    });
    expect(parseSerinObject('text')).toMatchObject({ ok: false });
  });
});

describe('AnalysisTemplate schema', () => {
  const template = (metric: Record<string, unknown>): Record<string, unknown> => ({
    apiVersion: 'serin.dev/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: 'success-rate' },
    spec: {
      metrics: [
        { name: 'success-rate', provider: { prometheus: { address: 'http://p', query: 'up' } }, ...metric },
      ],
    },
  });

  it('defaults consecutiveErrorLimit to 4, noData to Inconclusive and onError to Abort', () => {
    const result = parseKind('AnalysisTemplate', template({}));
    expect(result.ok && result.value.spec.metrics[0]).toMatchObject({
      consecutiveErrorLimit: 4,
      noData: 'Inconclusive',
      onError: 'Abort',
      failureLimit: 0,
      dryRun: false,
    });
  });

  it('rejects a metric with two providers', () => {
    const result = parseKind(
      'AnalysisTemplate',
      template({
        provider: {
          prometheus: { address: 'http://p', query: 'up' },
          judge: { prometheus: { address: 'http://p' }, baselineQuery: 'a', canaryQuery: 'b' },
        },
      }),
    );
    expect(result).toMatchObject({
      ok: false,
      issues: [
        { path: 'spec.metrics[0].provider', message: 'must set exactly one of prometheus, judge, web' },
      ],
    });
  });

  it('names the field inside the provider when one provider is set but its contents are wrong', () => {
    const judge = {
      prometheus: { address: 'http://p' },
      baselineQuery: 'a',
      canaryQuery: 'b',
      confidence: 2,
    };
    expect(parseKind('AnalysisTemplate', template({ provider: { judge } }))).toEqual({
      ok: false,
      issues: [
        { path: 'spec.metrics[0].provider.judge.confidence', message: 'Too big: expected number to be <1' },
      ],
    });
    expect(
      parseKind('AnalysisTemplate', template({ provider: { prometheus: { address: 'http://p' } } })),
    ).toEqual({
      ok: false,
      issues: [
        {
          path: 'spec.metrics[0].provider.prometheus.query',
          message: 'Invalid input: expected string, received undefined',
        },
      ],
    });
  });

  it('rejects duplicate metric names', () => {
    const doc = template({});
    const spec = doc.spec as { metrics: unknown[] };
    spec.metrics.push(spec.metrics[0]);
    expect(parseKind('AnalysisTemplate', doc)).toMatchObject({
      ok: false,
      issues: [{ path: 'spec.metrics[1].name', message: 'duplicate metric name "success-rate"' }],
    });
  });
});

describe('Approval schema', () => {
  it('accepts generateName instead of name and rejects an unknown action', () => {
    const approval = {
      apiVersion: 'serin.dev/v1alpha1',
      kind: 'Approval',
      metadata: { generateName: 'podinfo-' },
      spec: { canaryRef: { name: 'podinfo' }, action: 'Promote', revision: 'abc', approver: 'alice' },
    };
    expect(parseKind('Approval', approval).ok).toBe(true);
    const bad = { ...approval, spec: { ...approval.spec, action: 'Ship' } };
    expect(parseKind('Approval', bad)).toMatchObject({ ok: false, issues: [{ path: 'spec.action' }] });
  });
});

describe('durationToMs', () => {
  it('adds up compound durations', () => {
    expect(durationToMs('1h30m')).toBe(5_400_000);
    expect(durationToMs('500ms')).toBe(500);
    expect(durationToMs('5m')).toBe(300_000);
  });
});
