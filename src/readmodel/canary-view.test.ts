import { describe, expect, it } from 'vitest';
import type { AnalysisRunStatus, CanaryStatus, CanaryStep, MetricStatus } from '../api/index.ts';
import { canaryView, describeStep } from './canary-view.ts';
import type { CanaryLike, EventLike, TemplateLike } from './types.ts';

const STEPS: CanaryStep[] = [
  { setWeight: 10 },
  { pause: { duration: '5s' } },
  { analysis: { templates: [{ templateName: 'success' }, { templateName: 'latency' }] } },
  { setWeight: 50 },
  { pause: {} },
];

function canary(status: CanaryStatus | undefined): CanaryLike {
  return { metadata: { name: 'podinfo', namespace: 'demo' }, spec: { steps: STEPS }, status };
}

function metric(name: string, values: [string, 'Successful' | 'Failed'][]): MetricStatus {
  return {
    name,
    phase: values.at(-1)?.[1] === 'Failed' ? 'Failed' : 'Running',
    count: values.length,
    successful: values.filter(([, p]) => p === 'Successful').length,
    failed: values.filter(([, p]) => p === 'Failed').length,
    inconclusive: 0,
    error: 0,
    consecutiveSuccess: 0,
    consecutiveFailed: 0,
    consecutiveError: 0,
    measurements: values.map(([value, phase], i) => ({
      phase,
      value,
      startedAt: `2026-01-01T00:00:0${i}.000Z`,
    })),
  };
}

function run(revision: string, startedAt: string, metrics: MetricStatus[]): AnalysisRunStatus {
  return {
    runId: `${revision}-r1-s2`,
    kind: 'Step',
    revision,
    step: 2,
    phase: 'Running',
    startedAt,
    metrics,
  };
}

const TEMPLATES: TemplateLike[] = [
  {
    metadata: { name: 'unrelated' },
    spec: { metrics: [{ name: 'success-rate', successCondition: 'result > 0' }] },
  },
  {
    metadata: { name: 'success' },
    spec: { metrics: [{ name: 'success-rate', successCondition: 'result >= 0.99' }] },
  },
  {
    metadata: { name: 'latency' },
    spec: {
      metrics: [{ name: 'latency-p99', successCondition: 'result <= 500', failureCondition: 'result > 900' }],
    },
  },
];

function event(name: string, at: string, over: Partial<EventLike> = {}): EventLike {
  return {
    metadata: { name },
    involvedObject: { kind: 'Canary', name: 'podinfo' },
    type: 'Normal',
    reason: 'StepStarted',
    message: name,
    count: 1,
    lastTimestamp: at,
    ...over,
  };
}

describe('canaryView', () => {
  it('numbers the current step from 1 and says what it does', () => {
    const view = canaryView({ canary: canary({ phase: 'Progressing', currentStepIndex: 2 }) });
    expect(view.step).toEqual({ number: 3, total: 5, description: 'analysis success, latency' });
  });

  it('shows no step before a rollout or past the last step', () => {
    expect(canaryView({ canary: canary({ phase: 'Idle' }) }).step).toBeUndefined();
    expect(canaryView({ canary: canary({ phase: 'Succeeded', currentStepIndex: 5 }) }).step).toBeUndefined();
  });

  it('describes pauses with and without a duration differently', () => {
    expect(describeStep({ pause: { duration: '5s' } })).toBe('pause 5s');
    expect(describeStep({ pause: {} })).toBe('wait for approval');
    expect(describeStep({ setWeight: 25 })).toBe('set weight 25%');
  });

  it('gives the primary what the canary does not get', () => {
    expect(canaryView({ canary: canary({ canaryWeight: 10 }) }).weights).toEqual({ primary: 90, canary: 10 });
    expect(canaryView({ canary: canary({}) }).weights).toEqual({ primary: 100, canary: 0 });
  });

  it('shows the pause reason only while Paused', () => {
    expect(canaryView({ canary: canary({ phase: 'Paused', pauseReason: 'Manual' }) }).pauseReason).toBe(
      'Manual',
    );
    expect(canaryView({ canary: canary({ phase: 'Progressing', pauseReason: 'Manual' }) }).pauseReason).toBe(
      undefined,
    );
  });

  it('an unknown phase is Unknown, not a guess', () => {
    expect(canaryView({ canary: canary(undefined) }).phase).toBe('Unknown');
  });

  it('shows the newest analysis run of the current revision, never an older revision', () => {
    const old = run('aaa', '2026-01-01T00:00:09.000Z', [metric('success-rate', [['0.5', 'Failed']])]);
    const current = run('bbb', '2026-01-01T00:00:01.000Z', [metric('success-rate', [['1', 'Successful']])]);
    const view = canaryView({ canary: canary({ revision: 'bbb', analysis: [old, current] }) });
    expect(view.analysis?.runId).toBe('bbb-r1-s2');
    expect(view.analysis?.metrics[0]?.latest?.value).toBe('1');
    expect(
      canaryView({ canary: canary({ revision: 'ccc', analysis: [old, current] }) }).analysis,
    ).toBeUndefined();
  });

  it("pairs each metric's latest measurement with its condition from the run's own template", () => {
    const status: CanaryStatus = {
      revision: 'bbb',
      analysis: [
        run('bbb', '2026-01-01T00:00:00.000Z', [
          metric('success-rate', [
            ['1', 'Successful'],
            ['0.8', 'Failed'],
          ]),
        ]),
      ],
    };
    const [success] = canaryView({ canary: canary(status), templates: TEMPLATES }).analysis?.metrics ?? [];
    expect(success).toMatchObject({
      name: 'success-rate',
      condition: 'result >= 0.99',
      latest: { phase: 'Failed', value: '0.8' },
      count: 2,
      failed: 1,
    });
  });

  it('states both conditions when a metric has a success and a failure condition', () => {
    const status: CanaryStatus = {
      revision: 'bbb',
      analysis: [run('bbb', '2026-01-01T00:00:00.000Z', [metric('latency-p99', [['40', 'Successful']])])],
    };
    const view = canaryView({ canary: canary(status), templates: TEMPLATES });
    expect(view.analysis?.metrics[0]?.condition).toBe('success: result <= 500 / failure: result > 900');
  });

  it('shows the score thresholds for a scored judge metric and result == 100 for a single comparison', () => {
    const judged: TemplateLike = {
      metadata: { name: 'judged' },
      spec: {
        metrics: [
          { name: 'vs-primary', provider: { judge: { comparisons: [{}], scoring: { pass: 90 } } } },
          { name: 'latency-vs-primary', provider: { judge: {} } },
        ],
      },
    };
    const status: CanaryStatus = {
      revision: 'bbb',
      analysis: [
        run('bbb', '2026-01-01T00:00:00.000Z', [
          metric('vs-primary', [['50', 'Failed']]),
          metric('latency-vs-primary', [['100', 'Successful']]),
        ]),
      ],
    };
    const view = canaryView({ canary: canary(status), templates: [judged] });
    expect(view.analysis?.metrics.map((m) => m.condition)).toEqual([
      'score >= 90 (Inconclusive from 75)',
      'result == 100',
    ]);
  });

  it('leaves the condition unknown when no template has the metric', () => {
    const status: CanaryStatus = {
      revision: 'bbb',
      analysis: [run('bbb', '2026-01-01T00:00:00.000Z', [metric('errors', [['0', 'Successful']])])],
    };
    expect(canaryView({ canary: canary(status), templates: TEMPLATES }).analysis?.metrics[0]?.condition).toBe(
      undefined,
    );
  });

  it('keeps the newest Events about this Canary only, oldest first', () => {
    const events = [
      event('c', '2026-01-01T00:00:03.000Z'),
      event('a', '2026-01-01T00:00:01.000Z'),
      event('other', '2026-01-01T00:00:09.000Z', { involvedObject: { kind: 'Canary', name: 'other' } }),
      event('deployment', '2026-01-01T00:00:09.000Z', {
        involvedObject: { kind: 'Deployment', name: 'podinfo' },
      }),
      event('b', '2026-01-01T00:00:02.000Z', { type: 'Warning', count: 3 }),
    ];
    const view = canaryView({ canary: canary({}), events, maxEvents: 2 });
    expect(view.events.map((e) => e.id)).toEqual(['b', 'c']);
    expect(view.events[0]).toMatchObject({ type: 'Warning', count: 3, time: '2026-01-01T00:00:02.000Z' });
  });
});
