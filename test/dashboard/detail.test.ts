import { describe, expect, it } from 'vitest';
import { canaryDetail, comparisonOf, numericValue, thresholdOf } from '../../src/dashboard/detail.ts';
import type { KubeObject } from '../../src/kube/index.ts';

describe('what the Canary page draws', () => {
  it('reads the threshold of a one-comparison condition, success first', () => {
    expect(thresholdOf({ successCondition: 'result >= 0.99' })).toEqual({
      op: '>=',
      value: 0.99,
      from: 'success',
    });
    expect(thresholdOf({ failureCondition: 'result[0] > 5e-2' })).toEqual({
      op: '>',
      value: 0.05,
      from: 'failure',
    });
    expect(
      thresholdOf({ successCondition: 'result <= 500', failureCondition: 'result > 900' }),
    ).toMatchObject({
      value: 500,
    });
  });

  it('draws no threshold for a condition of another shape', () => {
    expect(thresholdOf({ successCondition: 'result >= 0.99 && result < 2' })).toBeNull();
    expect(thresholdOf({ successCondition: 'all(result, {# > 1})' })).toBeNull();
    expect(thresholdOf({})).toBeNull();
  });

  it('turns measured text into a number, and NaN, infinities and nothing into no value', () => {
    expect(numericValue('0.9931')).toBe(0.9931);
    expect(numericValue('[12.5, 3]')).toBe(12.5);
    expect(numericValue('1e-3')).toBe(0.001);
    expect(numericValue('NaN')).toBeNull();
    expect(numericValue('+Inf')).toBeNull();
    expect(numericValue(undefined)).toBeNull();
  });

  it('reads a judge comparison’s p-value, shift and interval from its message', () => {
    const message =
      'High: increase: 98% CI [28, 31] is outside the tolerance band ±5; p=1.2e-11 (asymptotic), shift 30, CI [28, 31] (98%), mean ratio 2.5, CLES 1, n baseline 21, canary 21';
    expect(comparisonOf('latency', { t: 1, value: 30, phase: 'Failed', message })).toMatchObject({
      classification: 'High',
      pValue: '1.2e-11',
      shift: '30',
      interval: '[28, 31] (98%)',
    });
    expect(comparisonOf('rate', { t: 1, value: 1, phase: 'Successful', message: '' })).toBeNull();
  });

  it('charts every measurement of the current revision, with the template’s threshold, and only this Canary’s Approvals', () => {
    const canary = {
      apiVersion: 'serin.dev/v1alpha1',
      kind: 'Canary',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { steps: [{ setWeight: 20 }, { analysis: { templates: [{ templateName: 'rate' }] } }] },
      status: {
        phase: 'Progressing',
        revision: 'new',
        currentStepIndex: 1,
        canaryWeight: 20,
        analysis: [
          {
            runId: 'old-r1-s1',
            kind: 'Step',
            revision: 'old',
            phase: 'Failed',
            startedAt: '2026-01-01T00:00:00Z',
            metrics: [
              {
                name: 'rate',
                phase: 'Failed',
                measurements: [{ phase: 'Failed', value: '0.5', startedAt: '2026-01-01T00:00:00Z' }],
              },
            ],
          },
          {
            runId: 'new-r2-s1',
            kind: 'Step',
            revision: 'new',
            phase: 'Running',
            startedAt: '2026-01-02T00:00:00Z',
            metrics: [
              {
                name: 'rate',
                phase: 'Running',
                measurements: [
                  { phase: 'Successful', value: '0.995', startedAt: '2026-01-02T00:00:00Z' },
                  { phase: 'Error', message: 'timeout', startedAt: '2026-01-02T00:01:00Z' },
                ],
              },
            ],
          },
        ],
      },
    } as unknown as KubeObject;
    const template = {
      apiVersion: 'serin.dev/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: 'rate', namespace: 'shop' },
      spec: { metrics: [{ name: 'rate', successCondition: 'result >= 0.99', provider: { prometheus: {} } }] },
    } as unknown as KubeObject;
    const approval = (name: string, canaryName: string): KubeObject => ({
      apiVersion: 'serin.dev/v1alpha1',
      kind: 'Approval',
      metadata: { name, namespace: 'shop', creationTimestamp: '2026-01-02T00:02:00Z' },
      spec: { canaryRef: { name: canaryName }, action: 'Pause', approver: 'ann' },
      status: { phase: 'Applied' },
    });
    const detail = canaryDetail({
      canary,
      events: [],
      templates: [template],
      approvals: [approval('a1', 'web'), approval('a2', 'other')],
      weightHistory: [],
      permission: { allowed: true, reason: '' },
      notes: [],
      now: Date.parse('2026-01-02T00:03:00Z'),
    });
    expect(detail.metrics).toHaveLength(1);
    expect(detail.metrics[0]).toMatchObject({
      metric: 'rate',
      threshold: { op: '>=', value: 0.99 },
      hasHistory: true,
      points: [
        { value: 0.995, phase: 'Successful' },
        { value: null, phase: 'Error', message: 'timeout' },
      ],
    });
    expect(detail.approvals.map((a) => [a.name, a.phase])).toEqual([['a1', 'Applied']]);
    expect(detail.steps.map((s) => s.state)).toEqual(['done', 'current']);
    // This Canary has no target and no machine state: the state machine is not asked, nothing is hinted as taken.
    expect(detail.actions.Pause).toEqual({
      applies: false,
      why: 'its spec is invalid; the controller applies nothing until it is fixed',
    });
  });
});
