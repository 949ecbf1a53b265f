import { describe, expect, it } from 'vitest';
import type { AnalysisRunStatus, CanaryStatus, CanaryStep } from '../api/index.ts';
import { renderStatus } from './status-screen.ts';
import { statusView, type StatusViewInput } from './status-view.ts';

const STEPS: CanaryStep[] = [
  { setWeight: 10 },
  { analysis: { templates: [{ templateName: 'success-rate' }] } },
  { pause: {} },
];
const NOW = Date.parse('2026-11-22T12:00:00Z');

function run(
  runId: string,
  startedAt: string,
  values: [string, 'Successful' | 'Failed'][],
): AnalysisRunStatus {
  return {
    runId,
    kind: 'Step',
    revision: 'r2',
    step: 1,
    phase: values.some(([, p]) => p === 'Failed') ? 'Failed' : 'Successful',
    startedAt,
    metrics: [
      {
        name: 'success-rate',
        phase: values.some(([, p]) => p === 'Failed') ? 'Failed' : 'Successful',
        count: values.length,
        successful: values.filter(([, p]) => p === 'Successful').length,
        failed: values.filter(([, p]) => p === 'Failed').length,
        inconclusive: 0,
        error: 0,
        consecutiveSuccess: 0,
        consecutiveFailed: 0,
        consecutiveError: 0,
        measurements: values.map(([value, phase], i) => ({ value, phase, startedAt: `${startedAt}+${i}` })),
      },
    ],
  };
}

function input(status: CanaryStatus): StatusViewInput {
  return {
    canary: { metadata: { name: 'web', namespace: 'shop' }, spec: { steps: STEPS }, status },
    templates: [
      {
        metadata: { name: 'success-rate' },
        spec: { metrics: [{ name: 'success-rate', successCondition: 'result >= 0.99' }] },
      },
    ],
    now: NOW,
  };
}

describe('statusView', () => {
  it('marks steps before the current one done, the current one current, the rest pending', () => {
    const view = statusView(input({ phase: 'Paused', revision: 'r2', currentStepIndex: 1 }));
    expect(view.steps.map((s) => s.state)).toEqual(['done', 'current', 'pending']);
  });

  it('marks every step done once the Canary promotes, and none current when Idle', () => {
    expect(statusView(input({ phase: 'Succeeded', revision: 'r2' })).steps.map((s) => s.state)).toEqual([
      'done',
      'done',
      'done',
    ]);
    expect(
      statusView(input({ phase: 'Idle', revision: 'r1', currentStepIndex: 0 })).steps.map((s) => s.state),
    ).toEqual(['pending', 'pending', 'pending']);
  });

  it('shows the current and the previous run of this revision only, newest first, with recent values', () => {
    const status: CanaryStatus = {
      phase: 'Progressing',
      revision: 'r2',
      currentStepIndex: 1,
      analysis: [
        { ...run('r1-r1-s1', '2026-11-22T09:00:00Z', [['0.5', 'Failed']]), revision: 'r1' },
        run('r2-r1-s1', '2026-11-22T10:00:00Z', [['0.5', 'Failed']]),
        run('r2-r2-s1', '2026-11-22T11:00:00Z', [
          ['0.999', 'Successful'],
          ['1', 'Successful'],
        ]),
      ],
    };
    const view = statusView({ ...input(status), recentMeasurements: 1 });
    expect(view.runs.map((r) => r.runId)).toEqual(['r2-r2-s1', 'r2-r1-s1']);
    expect(view.runs[0]?.metrics[0]).toMatchObject({
      condition: 'result >= 0.99',
      recent: [{ value: '1', phase: 'Successful' }],
    });
  });

  it('renders each metric’s recent values with pass/fail marks next to its condition', () => {
    const status: CanaryStatus = {
      phase: 'Aborted',
      revision: 'r2',
      analysis: [
        run('r2-r1-s1', '2026-11-22T10:00:00Z', [
          ['0.995', 'Successful'],
          ['0.8012345', 'Failed'],
        ]),
      ],
    };
    const lines = renderStatus(statusView(input(status)));
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {4}success-rate {2}Failed {2}✓ 0\.995 {2}✗ 0\.8012 {2}vs result >= 0\.99 {2}2 measured, 1 failed$/,
      ),
    );
  });
});
