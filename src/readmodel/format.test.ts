import { describe, expect, it } from 'vitest';
import {
  decidingMetrics,
  formatMeasured,
  measurementText,
  renderCanaryView,
  versusText,
  weightBar,
} from './format.ts';
import type { CanaryView, MetricView } from './types.ts';

function metricView(over: Partial<MetricView> = {}): MetricView {
  return {
    name: 'success-rate',
    phase: 'Running',
    condition: 'result >= 0.99',
    latest: { phase: 'Successful', value: '0.99912345', message: undefined, startedAt: 't1' },
    count: 1,
    failed: 0,
    ...over,
  };
}

function viewOf(over: Partial<CanaryView> = {}): CanaryView {
  return {
    name: 'podinfo',
    namespace: 'demo',
    phase: 'Progressing',
    pauseReason: undefined,
    message: 'step 3/5: analysis',
    revision: 'bbb',
    stableRevision: 'aaa',
    step: { number: 3, total: 5, description: 'analysis success' },
    weights: { primary: 90, canary: 10 },
    analysis: undefined,
    events: [],
    ...over,
  };
}

describe('formatMeasured', () => {
  it('keeps at most 4 significant digits', () => {
    expect(formatMeasured('0.911527632833')).toBe('0.9115');
    expect(formatMeasured('48.2830802603')).toBe('48.28');
    expect(formatMeasured('1')).toBe('1');
  });

  it('leaves values that are not one finite number as written', () => {
    expect(formatMeasured('+Inf')).toBe('+Inf');
    expect(formatMeasured('NaN')).toBe('NaN');
    expect(formatMeasured('[1, 2]')).toBe('[1, 2]');
    expect(formatMeasured(undefined)).toBe('-');
  });
});

describe('weightBar', () => {
  it('draws each side in proportion to its weight', () => {
    expect(weightBar({ primary: 50, canary: 50 })).toBe('primary █████░░░░░ 50 | canary █████░░░░░ 50');
    expect(weightBar({ primary: 100, canary: 0 })).toBe('primary ██████████ 100 | canary ░░░░░░░░░░ 0');
  });

  it('never hides a small share, and never shows a split side as full', () => {
    expect(weightBar({ primary: 99, canary: 1 })).toBe('primary █████████░ 99 | canary █░░░░░░░░░ 1');
  });
});

describe('measurementText', () => {
  it('shows the value, the verdict and the condition it was judged by', () => {
    expect(measurementText(metricView())).toBe('0.9991 ✓ Successful (result >= 0.99)');
    expect(
      measurementText(
        metricView({ latest: { phase: 'Failed', value: '0.8', message: undefined, startedAt: 't' } }),
      ),
    ).toBe('0.8 ✗ Failed (result >= 0.99)');
  });

  it('shows why a measurement without a value has none', () => {
    const latest = {
      phase: 'Inconclusive',
      value: undefined,
      message: 'no data: empty',
      startedAt: 't',
    } as const;
    expect(measurementText(metricView({ latest }))).toBe('- ? Inconclusive no data: empty (result >= 0.99)');
  });

  it('says when nothing was measured yet', () => {
    expect(measurementText(metricView({ latest: undefined }))).toBe('not measured yet (result >= 0.99)');
  });
});

describe('decidingMetrics', () => {
  const good = metricView({ name: 'latency-p99', phase: 'Successful' });
  const bad = metricView({
    phase: 'Failed',
    latest: { phase: 'Failed', value: '0.8', message: undefined, startedAt: 't' },
  });

  it('are the failing metrics when the analysis failed', () => {
    const view = viewOf({
      analysis: { runId: 'r', kind: 'Step', phase: 'Failed', message: undefined, metrics: [good, bad] },
    });
    expect(decidingMetrics(view).map(versusText)).toEqual(['success-rate 0.8 vs result >= 0.99: Failed']);
  });

  it('are all metrics when none failed', () => {
    const view = viewOf({
      analysis: { runId: 'r', kind: 'Step', phase: 'Successful', message: undefined, metrics: [good] },
    });
    expect(decidingMetrics(view)).toEqual([good]);
  });
});

describe('renderCanaryView', () => {
  it('shows phase, step, weights, each measurement against its condition, and the Events', () => {
    const view = viewOf({
      phase: 'Paused',
      pauseReason: 'Manual',
      analysis: {
        runId: 'bbb-r1-s2',
        kind: 'Step',
        phase: 'Running',
        message: undefined,
        metrics: [metricView()],
      },
      events: [
        {
          id: 'e',
          time: '2026-01-01T04:25:02.000Z',
          type: 'Warning',
          reason: 'AnalysisFailed',
          message: 'x',
          count: 2,
        },
      ],
    });
    expect(renderCanaryView(view)).toEqual([
      'podinfo  Paused (Manual)  step 3/5 analysis success',
      '  revision  bbb  stable aaa',
      '  weights   primary █████████░ 90 | canary █░░░░░░░░░ 10',
      '  analysis  bbb-r1-s2 Running',
      '    success-rate  0.9991 ✓ Successful (result >= 0.99)  1 measured, 0 failed',
      '  message   step 3/5: analysis',
      '  events',
      '    04:25:02 Warning AnalysisFailed: x (x2)',
    ]);
  });
});
