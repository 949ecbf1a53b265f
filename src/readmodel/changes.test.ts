import { describe, expect, it } from 'vitest';
import { viewChanges } from './changes.ts';
import type { AnalysisView, CanaryView, EventView, MetricView } from './types.ts';

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

function analysis(
  values: { startedAt: string; value: string }[],
  phase: AnalysisView['phase'] = 'Running',
): AnalysisView {
  const latest = values.at(-1);
  const metric: MetricView = {
    name: 'success-rate',
    phase,
    condition: 'result >= 0.99',
    latest: latest === undefined ? undefined : { phase: 'Successful', message: undefined, ...latest },
    count: values.length,
    failed: 0,
  };
  return { runId: 'bbb-r1-s2', kind: 'Step', phase, message: undefined, metrics: [metric] };
}

function event(id: string, count = 1): EventView {
  return { id, time: 't', type: 'Normal', reason: 'StepStarted', message: id, count };
}

describe('viewChanges', () => {
  it('logs the whole state for the first view', () => {
    expect(viewChanges(undefined, viewOf())).toEqual([
      'podinfo  Progressing  step 3/5 analysis success  primary █████████░ 90 | canary █░░░░░░░░░ 10',
      'podinfo  status: step 3/5: analysis',
    ]);
  });

  it('logs nothing when nothing changed', () => {
    const view = viewOf({ analysis: analysis([{ startedAt: 't1', value: '1' }]), events: [event('a')] });
    expect(viewChanges(view, { ...view })).toEqual([]);
  });

  it('logs a new weight as one state line', () => {
    const before = viewOf();
    const after = viewOf({ weights: { primary: 50, canary: 50 } });
    expect(viewChanges(before, after)).toEqual([
      'podinfo  Progressing  step 3/5 analysis success  primary █████░░░░░ 50 | canary █████░░░░░ 50',
    ]);
  });

  it('logs each new measurement once', () => {
    const one = viewOf({ analysis: analysis([{ startedAt: 't1', value: '1' }]) });
    const two = viewOf({
      analysis: analysis([
        { startedAt: 't1', value: '1' },
        { startedAt: 't2', value: '0.995' },
      ]),
    });
    expect(viewChanges(one, two)).toEqual([
      'podinfo  measured success-rate = 0.995 ✓ Successful (result >= 0.99)',
    ]);
    expect(viewChanges(two, two)).toEqual([]);
  });

  it("logs an analysis's verdict when its run ends", () => {
    const running = viewOf({ analysis: analysis([{ startedAt: 't1', value: '1' }]) });
    const done = viewOf({ analysis: analysis([{ startedAt: 't1', value: '1' }], 'Successful') });
    expect(viewChanges(running, done)).toEqual(['podinfo  analysis bbb-r1-s2 Successful']);
  });

  it('logs new Events, and repeats of an aggregated Event with their count', () => {
    const before = viewOf({ events: [event('a')] });
    const after = viewOf({ events: [event('a', 2), event('b')] });
    expect(viewChanges(before, after)).toEqual([
      'podinfo  event Normal StepStarted: a (x2)',
      'podinfo  event Normal StepStarted: b',
    ]);
  });
});
